/// The coordinate-wise median of the accepted rows; for an even m' the mean of the two
/// middle values, as NumPy's `median` (computed as lower·½ + upper·½, which cannot
/// overflow for huge finite values).
///
/// Yin, Chen, Kannan & Bartlett, "Byzantine-Robust Distributed Learning: Towards Optimal
/// Statistical Rates", ICML 2018. The "Median" column of the BrSGD paper's Table 1.
///
/// - Complexity: O(md): for m' ≤ 256, a pruned selection network (branch-free; for m' ≤ 32
///   written out, 4 columns at a time in registers, else 16 columns at a time in a tile);
///   above, quickselect per column (expected O(m')). Never a full sort. One pass over
///   memory: non-finite rows are looked for as the tiles are copied. Parallel over column
///   blocks.
public struct CoordinateWiseMedian: AggregationRule {
    public init() {}

    public var name: String { "median" }

    /// Checks each block of the rows for NaN and ±Inf while computing it, instead of in a
    /// separate pass; the rows are scanned (and the median taken again) only when one is found.
    public func aggregate(_ gradients: GradientMatrix) throws(AggregationError) -> AggregationResult {
        let all = AcceptedRows(assumingFinite: gradients)
        if all.count > 0, let gradient = all.withRowPointers({
            ColumnOrderStatistics.computeAll(.median, rows: $0, columnCount: all.columnCount, checkingFiniteness: true)
        }) {
            return AggregationResult(
                gradient: gradient,
                diagnostics: all.diagnostics(rule: name, selectedPositions: Array(0 ..< all.count)))
        }
        return try aggregate(AcceptedRows(gradients))
    }

    public func aggregate(_ rows: AcceptedRows) throws(AggregationError) -> AggregationResult {
        try rows.requireAny(rule: name)
        let gradient = rows.withRowPointers {
            ColumnOrderStatistics.computeAll(.median, rows: $0, columnCount: rows.columnCount)
        }
        return AggregationResult(
            gradient: gradient,
            diagnostics: rows.diagnostics(rule: name, selectedPositions: Array(0 ..< rows.count)))
    }
}

extension ColumnOrderStatistics {
    /// The statistic of every column, parallel over column blocks.
    static func computeAll(_ statistic: Statistic, rows: UnsafeBufferPointer<UnsafePointer<Float>>,
                           columnCount d: Int) -> [Float] {
        // Without the check the result is never nil.
        computeAll(statistic, rows: rows, columnCount: d, checkingFiniteness: false) ?? []
    }

    /// The statistic of every column, parallel over column blocks; when `checkingFiniteness`,
    /// nil if some row holds a NaN or ±Inf, found as the tiles are copied (see
    /// ``ColumnOrderStatistics/computeBlock(_:columns:into:checkingFiniteness:)``).
    static func computeAll(_ statistic: Statistic, rows: UnsafeBufferPointer<UnsafePointer<Float>>,
                           columnCount d: Int, checkingFiniteness: Bool) -> [Float]? {
        let stats = ColumnOrderStatistics(statistic, rowCount: rows.count)
        let blocks = ColumnBlocks(columnCount: d)
        var finiteBlocks = [Bool](repeating: true, count: blocks.count)
        let result = [Float](unsafeUninitializedCapacity: d) { out, initialized in
            finiteBlocks.withUnsafeMutableBufferPointer { finiteBlocks in
                guard let base = out.baseAddress else { return }
                Parallel.forEach(blocks.count, work: rows.count * d) { b in
                    finiteBlocks[b] = stats.computeBlock(rows, columns: blocks.range(b), into: base,
                                                         checkingFiniteness: checkingFiniteness)
                }
            }
            initialized = d
        }
        return finiteBlocks.contains(false) ? nil : result
    }
}
