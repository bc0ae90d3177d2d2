import RobustAggregation

/// The defender in the attacker's loop: the round's m × d matrix with the honest rows as
/// they are and one candidate vector copied into every other (Byzantine) row, aggregated by
/// the master's own rule, and the damage ‖rule(G) − μ‖₂ measured against the honest mean.
///
/// The matrix is copied once from the round's (the first write unshares it) and reused for
/// every candidate: each evaluation writes b rows and calls the rule, nothing more.
struct DefenderLoop {
    private var trial: GradientMatrix
    private let byzantineRows: [Int]
    private let defender: any AggregationRule

    /// The Byzantine rows are the rows of `honest.matrix` that are not honest.
    /// - Precondition: `honest.matrix.rowCount == workerCount`.
    init(honest: HonestGradients, workerCount: Int, defender: any AggregationRule, attack: String) {
        precondition(honest.matrix.rowCount == workerCount,
                     "\(attack): the honest gradients' matrix has \(honest.matrix.rowCount) rows, workerCount is \(workerCount)")
        let isHonest = Set(honest.rowIndices)
        self.trial = honest.matrix
        self.byzantineRows = (0 ..< workerCount).filter { !isHonest.contains($0) }
        self.defender = defender
    }

    /// ‖rule(G) − mean‖₂ with `candidate` in every Byzantine row, in `Double`; −∞ when the
    /// rule throws (the candidate is then never chosen) or the distance is NaN.
    /// - Precondition: `candidate.count == mean.count == d`.
    /// - Complexity: O(b·d) to write the rows, the rule's cost, O(d) for the distance.
    mutating func damage(of candidate: UnsafeBufferPointer<Float>, mean: UnsafeBufferPointer<Float>) -> Double {
        let d = trial.columnCount
        precondition(candidate.count == d && mean.count == d, "candidate and mean must have \(d) values")
        let rows = byzantineRows
        trial.withUnsafeMutableStorage { storage in
            for row in rows {
                _ = UnsafeMutableBufferPointer(rebasing: storage[row * d ..< (row + 1) * d])
                    .update(fromContentsOf: candidate)
            }
        }
        let aggregate: [Float]
        do {
            aggregate = try defender.aggregate(trial).gradient
        } catch {
            return -.infinity
        }
        precondition(aggregate.count == d, "the defender returned \(aggregate.count) values, expected \(d)")
        var sum = 0.0
        for c in 0 ..< d {
            let difference = Double(aggregate[c]) - Double(mean[c])
            sum += difference * difference
        }
        let distance = sum.squareRoot()
        return distance.isNaN ? -.infinity : distance
    }
}
