import Foundation
import Testing
import SeededRandom
@testable import RobustAggregation

@Suite struct CollusionCollapseTests {
    /// 11 honest rows N(μ, 1) and 9 identical rows −2μ (Fall of Empires), d = 500.
    static func fallOfEmpires(seed: UInt64, noise: Float = 0) -> (GradientMatrix, mu: [Float]) {
        var rng = SeededGenerator(seed: seed)
        let d = 500
        let mu = (0 ..< d).map { _ in Float(rng.nextNormal()) * 0.3 }
        var g = GradientMatrix(rowCount: 20, columnCount: d)
        for i in 0 ..< 20 {
            for c in 0 ..< d {
                g[i, c] = i < 9 ? -2 * mu[c] + noise * Float(rng.nextNormal()) : mu[c] + Float(rng.nextNormal())
            }
        }
        return (g, mu)
    }

    static func dot(_ a: [Float], _ b: [Float]) -> Double { zip(a, b).map { Double($0) * Double($1) }.reduce(0, +) }

    /// The nine identical rows count as one: the mean of the collapsed rows is the mean of
    /// the 11 honest rows and the shared vector, twelve rows, and it points along μ, where
    /// the plain mean points against it.
    @Test func identicalRowsCountAsOne() throws {
        let (g, mu) = Self.fallOfEmpires(seed: 1)
        let collapsed = try CollusionCollapse(wrapping: Mean()).aggregate(g)
        let byHand = try Mean().aggregate(GradientMatrix(rows: [g.row(0)] + (9 ..< 20).map { g.row($0) }))
        #expect(zip(collapsed.gradient, byHand.gradient).allSatisfy { abs($0 - $1) <= 1e-6 * max(1, abs($1)) })
        #expect(Self.dot(collapsed.gradient, mu) > 0)
        #expect(Self.dot(try Mean().aggregate(g).gradient, mu) < 0)
        #expect(collapsed.diagnostics.acceptedRows == Array(0 ..< 20))
        #expect(collapsed.diagnostics.rule == "collapse+mean")
    }

    /// Each merged row lowers f': trimmed mean with f = 9 over the twelve rows left trims
    /// f' = 9 − 8 = 1 from each side, as trimmed mean with f = 1 over them does.
    @Test func mergedRowsLowerTheByzantineBudget() throws {
        let (g, _) = Self.fallOfEmpires(seed: 2)
        let collapsed = try CollusionCollapse(wrapping: TrimmedMean(byzantineCount: 9)).aggregate(g)
        let byHand = try TrimmedMean(byzantineCount: 1).aggregate(GradientMatrix(rows: (8 ..< 20).map { g.row($0) }))
        #expect(collapsed.gradient.map(\.bitPattern) == byHand.gradient.map(\.bitPattern))
    }

    /// Honest rows (independent draws) are never merged: the wrapped rule's bytes.
    @Test(arguments: [3, 4, 5] as [UInt64])
    func distinctRowsAreLeftAlone(seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        var g = GradientMatrix(rowCount: 20, columnCount: 300)
        for i in 0 ..< 20 { for c in 0 ..< 300 { g[i, c] = Float(rng.nextNormal()) } }
        let wrapped = try CollusionCollapse(wrapping: TrimmedMean(byzantineCount: 4)).aggregate(g)
        let alone = try TrimmedMean(byzantineCount: 4).aggregate(g)
        #expect(wrapped.gradient.map(\.bitPattern) == alone.gradient.map(\.bitPattern))
    }

    /// Near-identical rows (noise 10⁻³ of the honest spread) merge; rows that are all one
    /// vector (honest workers with one full gradient) do not.
    @Test func nearTwinsMergeButAMatrixOfTwinsIsLeftAlone() throws {
        let (g, mu) = Self.fallOfEmpires(seed: 6, noise: 1e-3)
        #expect(Self.dot(try CollusionCollapse(wrapping: Mean()).aggregate(g).gradient, mu) > 0)
        let same = GradientMatrix(rows: Array(repeating: [1, 2, 3], count: 6) + [[50, 50, 50]])
        let result = try CollusionCollapse(wrapping: Mean()).aggregate(same)
        #expect(result.gradient == (try Mean().aggregate(same)).gradient)
    }

    /// Twins of huge norm (finite, summing past Float's range) are kept as one of them, never
    /// as an overflowing sum: the result stays finite.
    @Test func hugeTwinsStayFinite() throws {
        var rows: [[Float]] = (0 ..< 11).map { i in (0 ..< 8).map { Float(($0 * 7 + i * 13) % 11) - 5 } }
        rows += Array(repeating: Array(repeating: Float.greatestFiniteMagnitude / 2, count: 8), count: 9)
        let result = try CollusionCollapse(wrapping: NearestNeighborMixing(byzantineCount: 9, wrapping: TrimmedMean(byzantineCount: 9)))
            .aggregate(GradientMatrix(rows: rows))
        #expect(result.gradient.allSatisfy { $0.isFinite })
    }

    @Test func theConfigurationStacksItFirstAndWritesItOnlyWhenOn() throws {
        let rule = try RuleConfiguration(name: .trimmedMean, byzantineCount: 2, nearestNeighborMixing: true,
                                         clippingThreshold: 2, collusionCollapse: true).makeRule()
        #expect(rule.name == "collapse+clipping(c=2.0)+nnm(f=2)+trimmed-mean(f=2)")
        let encoder = JSONEncoder()
        let off = String(decoding: try encoder.encode(RuleConfiguration(name: .median)), as: UTF8.self)
        #expect(!off.contains("collapse"))
        let on = try encoder.encode(RuleConfiguration(name: .median, collusionCollapse: true))
        #expect(try JSONDecoder().decode(RuleConfiguration.self, from: on).collusionCollapse)
    }
}
