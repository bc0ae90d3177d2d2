import RobustAggregation
import SeededRandom

extension Attack {
    /// Crafts the vectors of one round's Byzantine workers, row k of `output` (|attackers| × d)
    /// for worker `attackers[k]`: what the simulation's master does every round, and what
    /// `brsgd bench attacks` times.
    ///
    /// Attacks that need the worker's own gradient (``AttackKnowledge/craftsFromOwnGradient``)
    /// read the worker's row of `gradients`; omniscient ones view its honest rows (every row
    /// not in `attackers`) and are given no own gradient. An attack whose vector is the same
    /// for every Byzantine worker (``isIdenticalAcrossWorkers``) is crafted once and copied:
    /// the line-searched ones cost many aggregations each. Attacks that put the defender in
    /// the loop (``needsDefender``) are given `defender`, pre-aggregations included.
    ///
    /// ```swift
    /// attack.craftRound(into: scratch, attackers: [0, 1, 2], gradients: matrix, round: t,
    ///                   defender: rule) { worker in RandomStreams.attack(seed, worker: worker, round: t) }
    /// ```
    ///
    /// - Parameter generator: the generator of each worker's craft, made fresh for each.
    /// - Precondition: `output` holds at least |attackers| × d values and lies outside
    ///   `gradients`; every attacker is a row of `gradients`; `defender` is given when
    ///   ``needsDefender`` is true.
    /// - Complexity: that of ``craft(into:context:generator:)``, once or |attackers| times.
    public func craftRound(
        into output: UnsafeMutableBufferPointer<Float>,
        attackers: [Int], gradients: GradientMatrix, round: Int,
        defender: (any AggregationRule)?,
        generator: (_ worker: Int) -> SeededGenerator
    ) {
        guard !attackers.isEmpty else { return }
        let d = gradients.columnCount
        precondition(output.count >= attackers.count * d,
                     "output holds \(output.count) values, \(attackers.count) rows of \(d) need more")
        let honest = knowledge >= .honestGradients
            ? HonestGradients(matrix: gradients, byzantineRows: attackers) : nil
        gradients.withUnsafeStorage { all in
            for (k, worker) in attackers.enumerated() {
                let row = UnsafeMutableBufferPointer(rebasing: output[k * d ..< (k + 1) * d])
                if k > 0 && isIdenticalAcrossWorkers {
                    _ = row.update(fromContentsOf: UnsafeBufferPointer(rebasing: output[0 ..< d]))
                    continue
                }
                let own = knowledge.craftsFromOwnGradient
                    ? UnsafeBufferPointer(rebasing: all[worker * d ..< (worker + 1) * d]) : nil
                let context = AttackContext(
                    round: round, workerIndex: worker, workerCount: gradients.rowCount,
                    byzantineCount: attackers.count, ownGradient: own, honestGradients: honest,
                    defender: needsDefender ? defender : nil)
                var workerGenerator = generator(worker)
                craft(into: row, context: context, generator: &workerGenerator)
            }
        }
    }
}
