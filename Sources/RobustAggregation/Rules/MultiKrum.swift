/// Multi-Krum: the mean of the q accepted rows with the lowest Krum scores
/// (q = m' − f' by default; ties: the lowest index), averaged in increasing row order.
///
/// El Mhamdi, Guerraoui & Rouault, "The Hidden Vulnerability of Distributed Learning in
/// Byzantium", ICML 2018 (following Blanchard et al., 2017). With q = 1 it is Krum.
///
/// - Precondition of the data: m' − f' − 2 ≥ 1, and 1 ≤ q ≤ m'.
/// - Complexity: O(m'² d), as Krum, plus O(qd) for the mean.
public struct MultiKrum: AggregationRule {
    /// f, the number of Byzantine workers tolerated.
    public let byzantineCount: Int
    /// q, how many rows to average; nil means m' − f'.
    public let selectionCount: Int?

    /// - Precondition: `byzantineCount >= 0`; `selectionCount`, if given, is at least 1.
    public init(byzantineCount: Int, selectionCount: Int? = nil) {
        precondition(byzantineCount >= 0, "byzantineCount must be non-negative")
        precondition(selectionCount.map { $0 >= 1 } ?? true, "selectionCount must be at least 1")
        self.byzantineCount = byzantineCount
        self.selectionCount = selectionCount
    }

    public var name: String {
        "multi-krum(f=\(byzantineCount)" + (selectionCount.map { ",q=\($0)" } ?? "") + ")"
    }

    /// Finds non-finite rows through the squared norms the distances need anyway (as ``Krum``).
    public func aggregate(_ gradients: GradientMatrix) throws(AggregationError) -> AggregationResult {
        let all = AcceptedRows(assumingFinite: gradients)
        guard let scored = KrumScores(checkingFinitenessOf: all, byzantineCount: byzantineCount) else {
            return try aggregate(AcceptedRows(gradients))
        }
        return try result(all, scored)
    }

    public func aggregate(_ rows: AcceptedRows) throws(AggregationError) -> AggregationResult {
        try result(rows, try KrumScores(rows, byzantineCount: byzantineCount, rule: name))
    }

    private func result(_ rows: AcceptedRows, _ scored: KrumScores) throws(AggregationError) -> AggregationResult {
        let q = selectionCount ?? (rows.count - scored.remainingByzantine)
        guard q <= rows.count else {
            throw AggregationError(
                code: .tooFewRows,
                message: "\(name) averages q = \(q) rows, but only m' = \(rows.count) were accepted")
        }
        let chosen = positionsOfLowest(scored.scores, count: q).sorted()
        let gradient = rows.withRowPointers { pointers in
            let selected = chosen.map { pointers[$0] }
            return selected.withUnsafeBufferPointer { Kernels.meanOfRows($0, columnCount: rows.columnCount) }
        }
        var diagnostics = rows.diagnostics(rule: name, selectedPositions: chosen)
        diagnostics.scores = scored.scores
        return AggregationResult(gradient: gradient, diagnostics: diagnostics)
    }
}
