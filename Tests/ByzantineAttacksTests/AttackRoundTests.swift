import ByzantineAttacks
import RobustAggregation
import SeededRandom
import Testing

/// `Attack.craftRound`: the round's Byzantine rows, each the attack's own craft for that worker.
@Suite struct AttackRoundTests {
    /// Each row of `craftRound` against crafting worker by worker, as the master used to.
    func expectSameAsOneByOne(_ attack: any Attack, matrix: GradientMatrix, attackers: [Int]) {
        let d = matrix.columnCount
        var rows = [Float](repeating: .nan, count: attackers.count * d)
        rows.withUnsafeMutableBufferPointer { out in
            attack.craftRound(into: out, attackers: attackers, gradients: matrix, round: 3, defender: nil) { worker in
                SeededGenerator(seed: 11, stream: UInt64(worker))
            }
        }
        let honest = HonestGradients(matrix: matrix, byzantineRows: attackers)
        for (k, worker) in attackers.enumerated() {
            var generator = SeededGenerator(seed: 11, stream: UInt64(worker))
            let own = (0 ..< d).map { matrix[worker, $0] }
            let expected = own.withUnsafeBufferPointer { own in
                attack.craft(dimension: d, context: AttackContext(
                    round: 3, workerIndex: worker, workerCount: matrix.rowCount, byzantineCount: attackers.count,
                    ownGradient: attack.knowledge.craftsFromOwnGradient ? own : nil,
                    honestGradients: attack.isOmniscient ? honest : nil), generator: &generator)
            }
            #expect(Array(rows[k * d ..< (k + 1) * d]) == expected, "\(attack.name), worker \(worker)")
        }
    }

    @Test func everyRowIsThatWorkersCraft() throws {
        let matrix = Support.randomMatrix(m: 7, d: 13, seed: 5)
        for kind in [AttackKind.gaussian, .signFlip, .labelFlip, .alie, .minMax, .mimic] {
            expectSameAsOneByOne(try AttackConfiguration(kind: kind).makeAttack(), matrix: matrix, attackers: [0, 2, 4])
        }
    }
}
