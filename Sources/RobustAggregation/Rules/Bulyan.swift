/// Bulyan: select θ = m' − 2f' rows by Krum, one at a time, then average coordinate-wise
/// the θ − 2f' middle values of the selected rows.
///
/// Each selection step scores the rows not yet selected with Krum over that remaining set
/// (with max(1, n − f' − 2) neighbours for n remaining rows) and moves the best (lowest
/// score; ties: lowest index) into the selection. El Mhamdi, Guerraoui & Rouault, "The
/// Hidden Vulnerability of Distributed Learning in Byzantium", ICML 2018.
/// Where we depart: the paper averages, per coordinate, the β = θ − 2f' values closest to
/// the median; like most implementations (ByzFL among them) we average the β middle
/// values — a trimmed mean dropping f' from each side — which is the same set unless the
/// values are skewed around the median.
///
/// - Precondition of the data: m' ≥ 4f' + 3, else ``AggregationError/Code/tooFewRows``.
/// - Complexity: O(m'² d) for the distances (once, with no separate pass for non-finite
///   rows), O(m'³ log m') for the selections, O(θ log² θ · d) for the trimmed mean (a sorting
///   network written out for θ ≤ 32, see `SortingNetworks`).
public struct Bulyan: AggregationRule {
    /// f, the number of Byzantine workers tolerated.
    public let byzantineCount: Int

    /// - Precondition: `byzantineCount >= 0`.
    public init(byzantineCount: Int) {
        precondition(byzantineCount >= 0, "byzantineCount must be non-negative")
        self.byzantineCount = byzantineCount
    }

    public var name: String { "bulyan(f=\(byzantineCount))" }

    /// Finds non-finite rows through the squared norms the distances need anyway (as ``Krum``).
    public func aggregate(_ gradients: GradientMatrix) throws(AggregationError) -> AggregationResult {
        let all = AcceptedRows(assumingFinite: gradients)
        guard all.count >= 4 * byzantineCount + 3, let distances = PairwiseDistances.checkingFiniteness(of: all) else {
            return try aggregate(AcceptedRows(gradients))
        }
        return result(all, distances, f: byzantineCount)
    }

    public func aggregate(_ rows: AcceptedRows) throws(AggregationError) -> AggregationResult {
        try rows.requireAny(rule: name)
        let f = remainingByzantineCount(byzantineCount, rows)
        let m = rows.count
        guard m >= 4 * f + 3 else {
            throw AggregationError(
                code: .tooFewRows,
                message: "\(name) needs m' ≥ 4f' + 3 = \(4 * f + 3), but only m' = \(m) rows were accepted")
        }
        let distances = rows.withRowPointers { PairwiseDistances($0, columnCount: rows.columnCount) }
        return result(rows, distances, f: f)
    }

    /// The selections and the trimmed mean, given the distances between `rows` and f'.
    private func result(_ rows: AcceptedRows, _ distances: PairwiseDistances, f: Int) -> AggregationResult {
        let m = rows.count
        var remaining = Array(0 ..< m)
        var selected: [Int] = []
        var firstScores: [Double] = []
        while selected.count < m - 2 * f {
            let neighbours = max(1, remaining.count - f - 2)
            let scores = remaining.map { distances.krumScore(of: $0, among: remaining, neighbours: neighbours) }
            if firstScores.isEmpty { firstScores = scores }
            let best = positionsOfLowest(scores, count: 1)[0]
            selected.append(remaining.remove(at: best))
        }
        selected.sort()
        let gradient = rows.withRowPointers { pointers in
            let chosen = selected.map { pointers[$0] }
            return chosen.withUnsafeBufferPointer {
                ColumnOrderStatistics.computeAll(.trimmedMean(trim: f), rows: $0, columnCount: rows.columnCount)
            }
        }
        var diagnostics = rows.diagnostics(rule: name, selectedPositions: selected)
        diagnostics.scores = firstScores
        return AggregationResult(gradient: gradient, diagnostics: diagnostics)
    }
}
