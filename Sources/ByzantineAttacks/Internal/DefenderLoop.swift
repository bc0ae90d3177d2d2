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

extension DefenderLoop {
    /// The vector an optimal attack line-searches the factor of.
    enum Candidate {
        /// μ − factor·σ, σ the coordinate-wise sample standard deviation (ALIE's vector).
        case meanMinusDeviation
        /// −factor·μ (IPM's vector).
        case negatedMean
    }

    /// The shared body of alie-opt and ipm-opt: μ (and σ for ALIE) computed once, then
    /// ``FactorLineSearch`` over the factor of `candidate`, each evaluation the defender's
    /// damage; writes the best candidate into `output` and returns its factor and damage.
    /// - Complexity: O(h·d) for μ (and σ), one m × d copy of the matrix, then per evaluation
    ///   O(b·d) plus one run of the rule; O(2d) scratch.
    static func bestCandidate(
        _ candidate: Candidate, into output: UnsafeMutableBufferPointer<Float>, honest: HonestGradients,
        context: AttackContext, search: FactorLineSearch, attack: String
    ) -> (factor: Double, value: Double) {
        let defender = context.requireDefender(attack: attack)
        let d = output.count
        var loop = DefenderLoop(honest: honest, workerCount: context.workerCount, defender: defender, attack: attack)
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * max(d, 1)) { scratch in
            let mean = UnsafeMutableBufferPointer(rebasing: scratch[0 ..< d])
            let deviation = UnsafeMutableBufferPointer(rebasing: scratch[d ..< 2 * d])
            honest.columnMean(into: mean)
            if candidate == .meanMinusDeviation {
                honest.columnStandardDeviation(into: deviation, mean: UnsafeBufferPointer(mean), estimator: .sample)
            }
            func write(_ factor: Double) {
                switch candidate {
                case .meanMinusDeviation:
                    let z = Float(factor)
                    for c in 0 ..< d { output[c] = mean[c] - z * deviation[c] }
                case .negatedMean:
                    let scale = -Float(factor)
                    for c in 0 ..< d { output[c] = scale * mean[c] }
                }
            }
            let best = search.maximize { factor in
                write(factor)
                return loop.damage(of: UnsafeBufferPointer(output), mean: UnsafeBufferPointer(mean))
            }
            write(best.factor)
            return best
        }
    }
}
