/// Krum: the accepted row closest to its neighbours.
///
/// score_i = Σ of the squared L2 distances from row i to its m' − f' − 2 nearest other
/// rows; the result is the row with the lowest score (ties: the lowest index).
/// Blanchard, El Mhamdi, Guerraoui & Stainer, "Machine Learning with Adversaries:
/// Byzantine Tolerant Gradient Descent", NeurIPS 2017. The "Krum" column of the BrSGD
/// paper's Table 1.
///
/// - Precondition of the data: m' − f' − 2 ≥ 1, else ``AggregationError/Code/tooFewRows``.
/// - Complexity: O(m'² d) for the distances, computed once through the Gram matrix
///   (see `PairwiseDistances`: one read of the matrix, each column block through a contiguous
///   copy, so a power-of-two d costs no more than another), plus O(m'² log m') for the scores.
///   Non-finite rows are found through the Gram diagonal: no separate pass over memory.
public struct Krum: AggregationRule {
    /// f, the number of Byzantine workers tolerated.
    public let byzantineCount: Int

    /// - Precondition: `byzantineCount >= 0`.
    public init(byzantineCount: Int) {
        precondition(byzantineCount >= 0, "byzantineCount must be non-negative")
        self.byzantineCount = byzantineCount
    }

    public var name: String { "krum(f=\(byzantineCount))" }

    /// Finds non-finite rows through the squared norms the distances need anyway, instead
    /// of a separate scan (see ``PairwiseDistances``).
    public func aggregate(_ gradients: GradientMatrix) throws(AggregationError) -> AggregationResult {
        let all = AcceptedRows(assumingFinite: gradients)
        guard let scored = KrumScores(checkingFinitenessOf: all, byzantineCount: byzantineCount) else {
            return try aggregate(AcceptedRows(gradients))
        }
        return result(all, scored)
    }

    public func aggregate(_ rows: AcceptedRows) throws(AggregationError) -> AggregationResult {
        result(rows, try KrumScores(rows, byzantineCount: byzantineCount, rule: name))
    }

    private func result(_ rows: AcceptedRows, _ scored: KrumScores) -> AggregationResult {
        let winner = positionsOfLowest(scored.scores, count: 1)[0]
        var diagnostics = rows.diagnostics(rule: name, selectedPositions: [winner])
        diagnostics.scores = scored.scores
        return AggregationResult(gradient: rows.matrix.row(rows.rowIndices[winner]), diagnostics: diagnostics)
    }
}

/// Krum scores of every accepted row, shared by Krum, Multi-Krum and Bulyan.
struct KrumScores {
    let distances: PairwiseDistances
    let scores: [Double]
    let remainingByzantine: Int

    init(_ rows: AcceptedRows, byzantineCount f: Int, rule: String) throws(AggregationError) {
        try rows.requireAny(rule: rule)
        let fPrime = remainingByzantineCount(f, rows)
        let neighbours = rows.count - fPrime - 2
        guard neighbours >= 1 else {
            throw AggregationError(
                code: .tooFewRows,
                message: "\(rule) needs m' − f' − 2 ≥ 1, but m' = \(rows.count) accepted rows and f' = \(fPrime) give \(neighbours)")
        }
        let distances = rows.withRowPointers { PairwiseDistances($0, columnCount: rows.columnCount) }
        self.init(distances, neighbours: neighbours, remainingByzantine: fPrime)
    }

    /// The scores of all of `rows`' rows, which are all the rows of their matrix and not yet
    /// checked; nil when a row is not finite, or there are too few rows, or none: the caller
    /// then scans the rows and calls ``init(_:byzantineCount:rule:)``, which also reports
    /// the error.
    init?(checkingFinitenessOf rows: AcceptedRows, byzantineCount f: Int) {
        let neighbours = rows.count - f - 2
        guard neighbours >= 1, let distances = PairwiseDistances.checkingFiniteness(of: rows) else { return nil }
        self.init(distances, neighbours: neighbours, remainingByzantine: f)
    }

    private init(_ distances: PairwiseDistances, neighbours: Int, remainingByzantine: Int) {
        let members = Array(0 ..< distances.count)
        self.distances = distances
        self.scores = members.map { distances.krumScore(of: $0, among: members, neighbours: neighbours) }
        self.remainingByzantine = remainingByzantine
    }
}
