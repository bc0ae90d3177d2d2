import Testing
import ByzantineAttacks
import RobustAggregation
import SeededRandom

/// Our foe, alie-opt and ipm-opt against ByzFL 0.0.11's own output on the same rows
/// (`ByzFLFixtures.swift`, written by `Scripts/compare_attacks_byzfl.py`).
@Suite struct ByzFLCrossCheckTests {
    static func defender(_ name: String) -> any AggregationRule {
        let f = ByzFLFixtures.byzantineCount
        switch name {
        case "mean": return Mean()
        case "median": return CoordinateWiseMedian()
        case "trimmed-mean": return TrimmedMean(byzantineCount: f)
        case "nnm+trimmed-mean": return NearestNeighborMixing(byzantineCount: f, wrapping: TrimmedMean(byzantineCount: f))
        default: preconditionFailure("no defender \(name)")
        }
    }

    /// The case's matrix, honest rows first and the Byzantine rows (zeros) last, as ByzFL
    /// concatenates them, and the context of the first Byzantine worker.
    static func context(_ fixture: ByzFLCase) -> AttackContext {
        let h = ByzFLFixtures.honestCount, b = ByzFLFixtures.byzantineCount, d = ByzFLFixtures.dimension
        let g = GradientMatrix(rowCount: h + b, columnCount: d,
                               storage: fixture.honest + [Float](repeating: 0, count: b * d))
        var context = Support.context(g, byzantineRows: Array(h ..< h + b))
        context.defender = defender(fixture.defender)
        return context
    }

    static func close(_ a: [Float], _ b: [Float], relative: Float) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= relative * max(1, abs($1)) }
    }

    @Test(arguments: 0 ..< ByzFLFixtures.cases.count)
    func sameVectorsAsByzFL(index: Int) {
        let fixture = ByzFLFixtures.cases[index]
        let context = Self.context(fixture)
        let label = "seed \(fixture.seed), \(fixture.defender)"
        #expect(Self.close(Support.craft(FallOfEmpiresAttack(), context: context), fixture.foe, relative: 1e-6), "\(label)")

        let alie = OptimalALIEAttack().optimalFactor(context: context)
        #expect(abs(alie.z - fixture.alieFactor) <= 1e-5 * max(1, fixture.alieFactor), "\(label): z* = \(alie.z)")
        #expect(Self.close(Support.craft(OptimalALIEAttack(), context: context), fixture.alieOpt, relative: 1e-5), "\(label)")

        let ipm = OptimalIPMAttack().optimalFactor(context: context)
        #expect(abs(ipm.epsilon - fixture.ipmFactor) <= 1e-5 * max(1, fixture.ipmFactor), "\(label): ε* = \(ipm.epsilon)")
        #expect(Self.close(Support.craft(OptimalIPMAttack(), context: context), fixture.ipmOpt, relative: 1e-5), "\(label)")
    }
}
