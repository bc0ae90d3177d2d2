/// The coordinate-wise trimmed mean: per coordinate, drop the f' largest and f' smallest
/// accepted values and average the m' − 2f' left (summed in ascending order).
///
/// Yin, Chen, Kannan & Bartlett, ICML 2018 (β-trimmed mean, with β = f/m).
///
/// - Precondition of the data: m' > 2f', else ``AggregationError/Code/tooFewRows``.
/// - Complexity: O(m' log² m' · d) through a pruned sorting network for m' ≤ 48 (branch-free,
///   vectorised), O(m' log m' · d) by sorting each column above. Parallel over column blocks.
public struct TrimmedMean: AggregationRule {
    /// f, the number of Byzantine workers to trim from each side.
    public let byzantineCount: Int

    /// - Precondition: `byzantineCount >= 0`.
    public init(byzantineCount: Int) {
        precondition(byzantineCount >= 0, "byzantineCount must be non-negative")
        self.byzantineCount = byzantineCount
    }

    public var name: String { "trimmed-mean(f=\(byzantineCount))" }

    public func aggregate(_ rows: AcceptedRows) throws(AggregationError) -> AggregationResult {
        try rows.requireAny(rule: name)
        let f = remainingByzantineCount(byzantineCount, rows)
        guard rows.count > 2 * f else {
            throw AggregationError(
                code: .tooFewRows,
                message: "\(name) needs m' > 2f', but m' = \(rows.count) accepted rows and f' = \(f)")
        }
        let gradient = rows.withRowPointers {
            ColumnOrderStatistics.computeAll(.trimmedMean(trim: f), rows: $0, columnCount: rows.columnCount)
        }
        return AggregationResult(
            gradient: gradient,
            diagnostics: rows.diagnostics(rule: name, selectedPositions: Array(0 ..< rows.count)))
    }
}
