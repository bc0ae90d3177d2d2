import ByzantineAttacks
import RobustAggregation

extension MasterStateMachine {
    /// The Byzantine workers' vectors for the open round, written into their rows: each
    /// worker's attack crafts into `scratch` (|attackers| × d, grown if needed) with the
    /// generator ``RandomStreams/attack(_:worker:round:)``; attacks that need the worker's
    /// own gradient read its row (computed beforehand), omniscient ones view the honest rows
    /// (and are given no own gradient: their workers compute none).
    /// Crafting into scratch first keeps the matrix unshared when the rows are written, so
    /// nothing is copied. Attacks that put the defender in the loop (alie-opt, ipm-opt) are
    /// given the master's own rule, pre-aggregations included.
    /// - Precondition: collecting; the attackers' own gradients are in their rows when the
    ///   attack's knowledge is `.ownGradient`.
    mutating func writeByzantineRows(_ attackers: [Int], attack: any Attack, seed: UInt64, scratch: inout [Float]) {
        guard !attackers.isEmpty else { return }
        let d = parameterCount, round = self.round, workerCount = self.workerCount
        if scratch.count < attackers.count * d {
            scratch = [Float](repeating: 0, count: attackers.count * d)
        }
        do {
            let snapshot = gradientMatrix
            let honest = attack.knowledge >= .honestGradients
                ? HonestGradients(matrix: snapshot, byzantineRows: attackers) : nil
            snapshot.withUnsafeStorage { all in
                scratch.withUnsafeMutableBufferPointer { out in
                    for (k, worker) in attackers.enumerated() {
                        let row = UnsafeMutableBufferPointer(rebasing: out[k * d ..< (k + 1) * d])
                        // An attack whose vector is the same for every Byzantine worker (and
                        // draws nothing) is crafted once: the line-searched ones cost many
                        // aggregations each.
                        if k > 0 && attack.isIdenticalAcrossWorkers {
                            _ = row.update(fromContentsOf: UnsafeBufferPointer(rebasing: out[0 ..< d]))
                            continue
                        }
                        let own = attack.knowledge.craftsFromOwnGradient
                            ? UnsafeBufferPointer(rebasing: all[worker * d ..< (worker + 1) * d]) : nil
                        let context = AttackContext(
                            round: round, workerIndex: worker, workerCount: workerCount,
                            byzantineCount: attackers.count, ownGradient: own, honestGradients: honest,
                            defender: attack.needsDefender ? rule : nil)
                        var generator = RandomStreams.attack(seed, worker: worker, round: round)
                        attack.craft(into: row, context: context, generator: &generator)
                    }
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

extension AttackKnowledge {
    /// Whether a Byzantine worker with this knowledge computes a gradient of its own each
    /// round: only for `.ownGradient` (gradient-scale, sign-flip, label-flip), whose vector is
    /// made from it. An omniscient attack (`.honestGradients`) crafts from the honest rows
    /// alone, so its worker's own gradient would be computed for nothing: b of the round's m
    /// gradients (half of them at α = 50%). An omniscient attack that someday wants its own
    /// gradient finds `AttackContext.ownGradient` nil and traps (`requireOwnGradient`) rather
    /// than reading a stale row.
    /// - Complexity: O(1).
    var craftsFromOwnGradient: Bool { self == .ownGradient }
}
