import TestSupport
import Testing
import ByzantineAttacks
import SeededRandom

@Suite struct GaussianAttackTests {
    static func draw(_ attack: GaussianAttack, seed: UInt64, stream: UInt64, d: Int) -> [Float] {
        var rng = SeededGenerator(seed: seed, stream: stream)
        let context = AttackContext(round: 0, workerIndex: 0, workerCount: 5, byzantineCount: 1)
        return attack.craft(dimension: d, context: context, generator: &rng)
    }

    @Test func sameSeedGivesTheSameBytes() {
        let a = Self.draw(GaussianAttack(), seed: 42, stream: 3, d: 1_000)
        let b = Self.draw(GaussianAttack(), seed: 42, stream: 3, d: 1_000)
        #expect(bitwiseDifference(a, b) == nil)
        #expect(a != Self.draw(GaussianAttack(), seed: 42, stream: 4, d: 1_000))
        #expect(a != Self.draw(GaussianAttack(), seed: 43, stream: 3, d: 1_000))
    }

    @Test func drawsTheGeneratorsNormalsScaledBySigma() {
        // Coordinate c is σ × the c-th ziggurat normal of the generator.
        var rng = SeededGenerator(seed: 7)
        let expected = (0 ..< 50).map { _ in Float(rng.nextZigguratNormal()) * 200 }
        #expect(Self.draw(GaussianAttack(), seed: 7, stream: 0, d: 0).isEmpty)
        var again = SeededGenerator(seed: 7)
        let context = AttackContext(round: 0, workerIndex: 0, workerCount: 1, byzantineCount: 1)
        #expect(GaussianAttack().craft(dimension: 50, context: context, generator: &again) == expected)
    }

    @Test(arguments: [200.0, 1.0, 0.01])
    func sampleMomentsMatchSigma(sigma: Double) {
        // n = 100 000: the standard error of the sample std is σ/√(2n) ≈ 0.0022σ and of
        // the mean σ/√n ≈ 0.0032σ; allow five of them, over several seeds.
        let n = 100_000
        for seed in UInt64(0) ..< 5 {
            let x = Self.draw(GaussianAttack(standardDeviation: sigma), seed: seed, stream: 0, d: n).map(Double.init)
            let mean = x.reduce(0, +) / Double(n)
            let std = (x.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n - 1)).squareRoot()
            #expect(abs(mean) < 5 * sigma / Double(n).squareRoot(), "seed \(seed): mean \(mean)")
            #expect(abs(std - sigma) < 5 * sigma / (2 * Double(n)).squareRoot(), "seed \(seed): std \(std)")
        }
    }

    @Test func zeroSigmaSendsZeros() {
        #expect(Self.draw(GaussianAttack(standardDeviation: 0), seed: 1, stream: 0, d: 8) == [Float](repeating: 0, count: 8))
    }
}
