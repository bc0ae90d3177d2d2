import Testing
import SeededRandom
@testable import RobustAggregation

@Suite struct HistoryBrSGDTests {
    /// G = [[1,1],[2,2],[3,3],[100,−100]], β = ½: S = C1 ∩ C2 = {0, 1} (as brsgd-robust's
    /// hand-worked case). With p = [1, 1]: r = [0, √2, 2√2, √20002], τ = (0 + √2)/2 = √½,
    /// w = [1, ½, ¼, 0.00499975]; v = p + ¼ Σ w_i (g_i − p) = [1.3737438, 1.1237563].
    @Test func handWorkedCaseCentredOnTheLastAggregate() throws {
        let g = GradientMatrix(rows: [[1, 1], [2, 2], [3, 3], [100, -100]])
        let result = try HistoryBrSGD().aggregate(g, round: 3, previousAggregate: [1, 1])
        #expect(result.diagnostics.selectedRows == [0, 1])
        #expect(maxRelativeError(result.gradient, [1.3737438129640238, 1.1237563120266019]) < 1e-6)
        let weights = try #require(result.diagnostics.scores)
        #expect(maxRelativeError(weights.map(Float.init), [1, 0.5, 0.25, 0.0049997500187484376]) < 1e-6)
    }

    /// Before the first aggregate the centre is zero: r = [√2, 2√2, 3√2, 100√2],
    /// τ = 1.5√2, w = [1, ¾, ½, 0.015]; v = ¼ Σ w_i g_i = [1.375, 0.625].
    @Test func theFirstRoundIsCentredOnZero() throws {
        let g = GradientMatrix(rows: [[1, 1], [2, 2], [3, 3], [100, -100]])
        let first = try HistoryBrSGD().aggregate(g)
        #expect(maxRelativeError(first.gradient, [1.375, 0.625]) < 1e-6)
        let given = try HistoryBrSGD().aggregate(g, round: 0, previousAggregate: nil)
        #expect(bitwiseEqual(first.gradient, given.gradient))
    }

    /// Each row moves the result by at most τ/m' from the last aggregate, whatever it sends:
    /// with one row at 10⁶ in every coordinate, the result stays within τ of p, and that row's
    /// share is exactly τ/m' (w_0·‖g_0 − p‖ = τ).
    @Test func noRowMovesTheResultByMoreThanItsShare() throws {
        var rng = SeededGenerator(seed: 5)
        let m = 12, d = 300
        var g = GradientMatrix(rowCount: m, columnCount: d)
        for i in 0 ..< m { for c in 0 ..< d { g[i, c] = Float(rng.nextNormal()) } }
        for c in 0 ..< d { g[0, c] = 1e6 }
        let previous = (0 ..< d).map { _ in Float(rng.nextNormal()) }
        let result = try HistoryBrSGD().aggregate(g, round: 1, previousAggregate: previous)
        func distance(_ a: [Float], _ b: [Float]) -> Double {
            zip(a, b).map { Double($0) - Double($1) }.map { $0 * $0 }.reduce(0, +).squareRoot()
        }
        let distances = (0 ..< m).map { distance(g.row($0), previous) }
        let selected = result.diagnostics.selectedRows
        #expect(!selected.contains(0))
        let sorted = selected.map { distances[$0] }.sorted()
        let tau = sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        let weights = try #require(result.diagnostics.scores)
        #expect(abs(weights[0] * distances[0] - tau) <= 1e-9 * tau)
        #expect(distance(result.gradient, previous) <= tau * (1 + 1e-5))
    }

    @Test func theConfigurationMakesItAndItKeepsHistory() throws {
        let rule = try RuleConfiguration(name: .brsgdHistory, collusionCollapse: true).makeRule()
        #expect(rule.usesPreviousAggregate)
        #expect(rule.name == "collapse+brsgd-history(beta=0.5,threshold=auto)")
    }

    private func bitwiseEqual(_ a: [Float], _ b: [Float]) -> Bool { a.map(\.bitPattern) == b.map(\.bitPattern) }
}
