import Testing
import ByzantineAttacks
import RobustAggregation
import SeededRandom

/// Programmer errors trap, naming the attack: a context without what the attack needs, a
/// mimic target that is Byzantine, ALIE's automatic z where it is infinite.
@Suite struct PreconditionTests {
    @Test func ownGradientAttackWithoutOwnGradientTraps() async {
        await #expect(processExitsWith: .failure) {
            var rng = SeededGenerator(seed: 0)
            let context = AttackContext(round: 0, workerIndex: 0, workerCount: 3, byzantineCount: 1)
            _ = GradientScaleAttack().craft(dimension: 4, context: context, generator: &rng)
        }
    }

    @Test func omniscientAttackWithoutHonestGradientsTraps() async {
        await #expect(processExitsWith: .failure) {
            var rng = SeededGenerator(seed: 0)
            let context = AttackContext(round: 0, workerIndex: 0, workerCount: 3, byzantineCount: 1)
            _ = ModelNegationAttack().craft(dimension: 4, context: context, generator: &rng)
        }
    }

    @Test func mimicOfAByzantineWorkerTraps() async {
        await #expect(processExitsWith: .failure) {
            var rng = SeededGenerator(seed: 0)
            let g = GradientMatrix(rows: [[1], [2], [3]])
            let context = AttackContext(
                round: 0, workerIndex: 0, workerCount: 3, byzantineCount: 1,
                honestGradients: HonestGradients(matrix: g, byzantineRows: [0]))
            _ = MimicAttack(target: 0).craft(dimension: 1, context: context, generator: &rng)
        }
    }

    @Test func alieAutomaticZWithTooManyByzantineTraps() async {
        await #expect(processExitsWith: .failure) {
            var rng = SeededGenerator(seed: 0)
            let g = GradientMatrix(rows: [[1], [2], [3], [4]])
            let context = AttackContext(
                round: 0, workerIndex: 0, workerCount: 4, byzantineCount: 3,
                honestGradients: HonestGradients(matrix: g, byzantineRows: [0, 1, 2]))
            _ = ALIEAttack().craft(dimension: 1, context: context, generator: &rng)
        }
    }

    @Test func wrongLengthOwnGradientTraps() async {
        await #expect(processExitsWith: .failure) {
            var rng = SeededGenerator(seed: 0)
            let own: [Float] = [1, 2]
            own.withUnsafeBufferPointer { own in
                let context = AttackContext(
                    round: 0, workerIndex: 0, workerCount: 3, byzantineCount: 1, ownGradient: own)
                _ = SignFlipAttack().craft(dimension: 3, context: context, generator: &rng)
            }
        }
    }

    @Test func defenderAttackWithoutDefenderTraps() async {
        await #expect(processExitsWith: .failure) {
            var rng = SeededGenerator(seed: 0)
            let g = GradientMatrix(rows: [[1], [2], [3]])
            let context = AttackContext(
                round: 0, workerIndex: 0, workerCount: 3, byzantineCount: 1,
                honestGradients: HonestGradients(matrix: g, byzantineRows: [0]))
            _ = OptimalIPMAttack().craft(dimension: 1, context: context, generator: &rng)
        }
    }

    @Test func defenderAttackWithAMatrixOfTheWrongHeightTraps() async {
        await #expect(processExitsWith: .failure) {
            var rng = SeededGenerator(seed: 0)
            let g = GradientMatrix(rows: [[1], [2], [3]])
            let context = AttackContext(
                round: 0, workerIndex: 0, workerCount: 4, byzantineCount: 1,
                honestGradients: HonestGradients(matrix: g, byzantineRows: [0]), defender: Mean())
            _ = OptimalALIEAttack().craft(dimension: 1, context: context, generator: &rng)
        }
    }

    @Test func mimicTargetOutsideFixedModeTraps() async {
        await #expect(processExitsWith: .failure) {
            _ = MimicAttack(target: 1, mode: .maxVariance)
        }
    }
}
