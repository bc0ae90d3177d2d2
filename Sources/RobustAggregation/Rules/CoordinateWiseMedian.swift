/// The coordinate-wise median of the accepted rows; for an even m' the mean of the two
/// middle values, as NumPy's `median` (computed as lower·½ + upper·½, which cannot
/// overflow for huge finite values).
///
/// Yin, Chen, Kannan & Bartlett, "Byzantine-Robust Distributed Learning: Towards Optimal
/// Statistical Rates", ICML 2018. The "Median" column of the BrSGD paper's Table 1.
///
/// - Complexity: O(md): for m' ≤ 48, a pruned selection network (branch-free; for m' ≤ 32
///   written out, 4 columns at a time in registers, else 16 columns at a time in a tile);
///   above, quickselect per column (expected O(m')). Never a full sort. Parallel over
///   column blocks.
public struct CoordinateWiseMedian: AggregationRule {
    public init() {}

    public var name: String { "median" }

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
        let stats = ColumnOrderStatistics(statistic, rowCount: rows.count)
        let blocks = ColumnBlocks(columnCount: d)
        return [Float](unsafeUninitializedCapacity: d) { out, initialized in
            guard let base = out.baseAddress else { return }
            Parallel.forEach(blocks.count, work: rows.count * d) { b in
                let range = blocks.range(b)
                stats.withScratch { scratch in
                    stats.compute(rows, start: range.lowerBound, count: range.count,
                                  into: base + range.lowerBound, scratch: scratch)
                }
            }
            initialized = d
        }
    }
}
