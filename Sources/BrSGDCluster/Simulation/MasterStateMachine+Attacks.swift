import ByzantineAttacks
import RobustAggregation

extension MasterStateMachine {
    /// The Byzantine workers' vectors for the open round, written into their rows: the attack
    /// crafts them into `scratch` (|attackers| × d, grown if needed) by
    /// `Attack.craftRound(into:attackers:gradients:round:defender:generator:)`, each worker with
    /// the generator ``RandomStreams/attack(_:worker:round:)``; attacks that need the worker's
    /// own gradient read its row (computed beforehand), omniscient ones view the honest rows
    /// (and are given no own gradient: their workers compute none).
    /// Crafting into scratch first keeps the matrix unshared when the rows are written, so
    /// nothing is copied. Attacks that put the defender in the loop (alie-opt, ipm-opt) are
    /// given the master's own rule, pre-aggregations included.
    /// - Precondition: collecting; the attackers' own gradients are in their rows when the
    ///   attack's knowledge is `.ownGradient`.
    mutating func writeByzantineRows(_ attackers: [Int], attack: any Attack, seed: UInt64, scratch: inout [Float]) {
        guard !attackers.isEmpty else { return }
        let d = parameterCount, round = self.round, rule = self.rule
        if scratch.count < attackers.count * d {
            scratch = [Float](repeating: 0, count: attackers.count * d)
        }
        do {  // the snapshot ends here, so that writeRows finds the matrix unshared
            let snapshot = gradientMatrix
            scratch.withUnsafeMutableBufferPointer { out in
                attack.craftRound(into: out, attackers: attackers, gradients: snapshot, round: round,
                                  defender: rule) { worker in
                    RandomStreams.attack(seed, worker: worker, round: round)
                }
            }
        }
        writeRows(of: attackers) { storage in
            scratch.withUnsafeBufferPointer { source in
                for (k, worker) in attackers.enumerated() {
                    _ = UnsafeMutableBufferPointer(rebasing: storage[worker * d ..< (worker + 1) * d])
                        .update(fromContentsOf: source[k * d ..< (k + 1) * d])
                }
            }
        }
    }
}
