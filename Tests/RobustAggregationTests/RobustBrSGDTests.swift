import Testing
import SeededRandom
@testable import RobustAggregation

@Suite struct RobustBrSGDTests {
    /// G = [[1,1],[2,2],[3,3],[100,−100]], β = ½. Steps 1–4 as BrSGD's hand-worked case:
    /// s = [1, 1, 1, −1], dist = [2, 1, 2, 199], T = 2, C1 = {0, 1, 2}.
    /// 5. s̃ = (1 + 1)/2 = 1, |s − s̃| = [0, 0, 0, 2], k = 2 → C2 = {0, 1} (ties: lowest index).
    /// 6. v₀ = [1.5, 1.5]. 7. r = [√½, √½, 1.5√2, √20004.5 ≈ 141.437], τ = (√½ + 1.5√2)/2 = √2,
    /// w = [1, 1, ⅔, 0.0099989]; v = v₀ + ¼ Σ w_i (g_i − v₀) = [1.9962223, 1.4962785].
    @Test func handWorkedCase() throws {
        let g = GradientMatrix(rows: [[1, 1], [2, 2], [3, 3], [100, -100]])
        let result = try RobustBrSGD(selectionFraction: 0.5).aggregate(g)
        let diag = try #require(result.diagnostics.brsgd)
        #expect(diag.scores == [1, 1, 1, -1])
        #expect(diag.constraint1 == [0, 1, 2])
        #expect(diag.constraint2 == [0, 1])
        #expect(result.diagnostics.selectedRows == [0, 1])
        #expect(maxRelativeError(result.gradient, [1.996222301549026, 1.496278542058618]) < 1e-6)
        let weights = try #require(result.diagnostics.scores)
        #expect(maxRelativeError(weights.map(Float.init), [1, 1, 2.0 / 3, 0.009998875189808161]) < 1e-6)
        #expect(result.diagnostics.rule == "brsgd-robust(beta=0.5,threshold=auto)")
    }

    /// Typical, not highest: scores [5, 0, 1, 2, 9] → s̃ = 2, |s − s̃| = [3, 2, 1, 0, 7];
    /// the k = 3 closest are rows 3, 2, 1 (BrSGD would keep 4, 0, 3).
    @Test func typicalScoresAreTheClosestToTheMedian() {
        #expect(RobustBrSGD.typicalScores([5, 0, 1, 2, 9], count: 3) == [1, 2, 3])
        // Even count: [5, 0, 1, 2, 9, 7] → s̃ = (2 + 5)/2 = 3.5; 2·|s − s̃| = [3, 7, 5, 3, 11, 7] → rows 0, 3.
        #expect(RobustBrSGD.typicalScores([5, 0, 1, 2, 9, 7], count: 2) == [0, 3])
        #expect(RobustBrSGD.typicalScores([4, 4, 4], count: 2) == [0, 1])
    }

    @Test func identicalRowsAtTheHonestCentreAreNotSelected() throws {
        // 11 honest rows around a common gradient, 9 identical Byzantine rows at the honest
        // mean minus one standard deviation (ALIE, z = 1): BrSGD selects them, brsgd-robust not.
        var rng = SeededGenerator(seed: 21)
        let d = 400
        let truth = (0 ..< d).map { _ in Float(rng.nextNormal()) * 0.1 }
        var honest: [[Float]] = []
        for _ in 0 ..< 11 { honest.append(truth.map { $0 + Float(rng.nextNormal()) }) }
        let mu = (0 ..< d).map { c in honest.reduce(Float(0)) { $0 + $1[c] } / 11 }
        let sigma = (0 ..< d).map { c in (honest.reduce(Float(0)) { $0 + ($1[c] - mu[c]) * ($1[c] - mu[c]) } / 10).squareRoot() }
        let alie = zip(mu, sigma).map { $0 - $1 }
        let g = GradientMatrix(rows: Array(repeating: alie, count: 9) + honest)
        let byzantine = Set(0 ..< 9)
        #expect(!byzantine.isDisjoint(with: try BrSGD().aggregate(g).diagnostics.selectedRows))
        let result = try RobustBrSGD().aggregate(g)
        #expect(byzantine.isDisjoint(with: result.diagnostics.selectedRows))
        let error = zip(result.gradient, mu).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) }.squareRoot()
        let brsgdError = zip(try BrSGD().aggregate(g).gradient, mu).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) }.squareRoot()
        #expect(error < 0.5 * brsgdError)
    }

    @Test func nonFiniteRowsAreRejectedOnBothPaths() throws {
        let g = GradientMatrix(rows: [[1, 1], [.nan, 2], [2, 2], [3, .infinity], [3, 3], [100, -100]])
        let result = try RobustBrSGD().aggregate(g)
        #expect(result.diagnostics.rejectedRows == [1, 3])
        #expect(result.diagnostics.acceptedRows == [0, 2, 4, 5])
        #expect(result.gradient.allSatisfy { $0.isFinite })
        let clean = GradientMatrix(rows: [[1, 1], [2, 2], [3, 3], [100, -100]])
        #expect(result.gradient == (try RobustBrSGD().aggregate(clean)).gradient)
        #expect(result == (try RobustBrSGD().aggregate(AcceptedRows(g))))
        let allBad = GradientMatrix(rows: [[.nan], [.infinity]])
        let error = #expect(throws: AggregationError.self) { try RobustBrSGD().aggregate(allBad) }
        #expect(error?.code == .noAcceptedRows)
        #expect(error?.message.hasPrefix("brsgd-robust(") == true)
        let empty = GradientMatrix(rowCount: 0, columnCount: 3)
        #expect(throws: AggregationError.self) { try RobustBrSGD().aggregate(empty) }
    }

    @Test(arguments: TestInputs.many())
    func matchesTheReference(input: TestInput) throws {
        let g = input.matrix
        guard !Reference.rows(g).accepted.isEmpty, !input.features.contains(where: { $0.hasPrefix("huge") }) else { return }
        for beta in [0.5, 0.3, 1.0] {
            let ref = Reference.robustBrSGD(g, beta: beta)
            let result = try RobustBrSGD(selectionFraction: beta).aggregate(g)
            let diag = try #require(result.diagnostics.brsgd)
            #expect(diag.scores == ref.intScores)
            // The typical-score set is exact (integer scores); C1 away from rows within rounding of 2T.
            #expect(diag.constraint2 == ref.c2, "beta=\(beta)")
            let borderline = ref.distances.contains { abs($0 - 2 * ref.threshold) <= 1e-5 * max(1, 2 * ref.threshold) }
            if borderline { continue }
            #expect(result.diagnostics.selectedRows == ref.selected, "beta=\(beta)")
            #expect(maxRelativeError(result.gradient, ref.gradient.map(Double.init)) < 1e-4, "beta=\(beta)")
            let weights = try #require(result.diagnostics.scores)
            for (x, y) in zip(weights, ref.scores) { #expect(abs(x - y) <= 1e-4 * max(1, y)) }
        }
    }

    /// With huge (1e10-scaled) rows the reference's Double sums and the kernels' Float sums
    /// part ways in the last digits; the selection still agrees and the result is finite.
    @Test(arguments: TestInputs.many().filter { $0.features.contains { $0.hasPrefix("huge") } })
    func hugeRowsStayFiniteAndAreSelectedAsInTheReference(input: TestInput) throws {
        let g = input.matrix
        let result = try RobustBrSGD().aggregate(g)
        let ref = Reference.robustBrSGD(g, beta: 0.5)
        #expect(result.gradient.allSatisfy { $0.isFinite })
        #expect(result.diagnostics.brsgd?.constraint2 == ref.c2)
    }

    /// Permuting the rows permutes scores, distances and C1 exactly; C2, the selection and the
    /// result too whenever the k-th and (k+1)-th smallest |s_i − s̃| differ (else the
    /// lowest-index tie-break decides, as documented).
    @Test func permutationOfRowsPermutesTheDiagnostics() throws {
        var checked = 0
        for s in 0 ..< 12 {
            var rng = SeededGenerator(seed: 300 + UInt64(s))
            let m = [7, 8, 11, 20][s % 4], d = [3, 40, 8200, 65][s % 4]
            var g = GradientMatrix(rowCount: m, columnCount: d)
            for i in 0 ..< m { for c in 0 ..< d { g[i, c] = Float(rng.nextNormal()) } }
            var order = Array(0 ..< m)
            rng.shuffle(&order)
            let permuted = GradientMatrix(rows: order.map { g.row($0) })
            let a = try RobustBrSGD().aggregate(g), b = try RobustBrSGD().aggregate(permuted)
            let da = try #require(a.diagnostics.brsgd), db = try #require(b.diagnostics.brsgd)
            for k in 0 ..< m {
                #expect(db.scores[k] == da.scores[order[k]])
                #expect(abs(db.distances[k] - da.distances[order[k]]) <= 1e-6 * max(1, da.distances[order[k]]))
            }
            #expect(da.constraint1 == db.constraint1.map { order[$0] }.sorted())
            let sorted = da.scores.sorted()
            let twice = m % 2 == 1 ? 2 * sorted[m / 2] : sorted[m / 2 - 1] + sorted[m / 2]
            let gaps = da.scores.map { abs(2 * $0 - twice) }.sorted()
            let k = BrSGD.selectionCount(fraction: 0.5, rowCount: m)
            if k < m && gaps[k - 1] == gaps[k] { continue }
            checked += 1
            #expect(da.constraint2 == db.constraint2.map { order[$0] }.sorted())
            #expect(a.diagnostics.selectedRows == b.diagnostics.selectedRows.map { order[$0] }.sorted())
            #expect(zip(a.gradient, b.gradient).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($1)) })
        }
        #expect(checked >= 3, "too few tie-free inputs to check the selection")
    }

    @Test func translationAndPowerOfTwoScalingCarryOver() throws {
        var rng = SeededGenerator(seed: 41)
        var g = GradientMatrix(rowCount: 11, columnCount: 50)
        for i in 0 ..< 11 { for c in 0 ..< 50 { g[i, c] = Float(rng.nextNormal()) } }
        let a = try RobustBrSGD().aggregate(g)
        let scaled = try RobustBrSGD().aggregate(GradientMatrix(rowCount: 11, columnCount: 50, storage: g.storage.map { $0 * 4 }))
        #expect(scaled.diagnostics.selectedRows == a.diagnostics.selectedRows)
        #expect(zip(scaled.gradient, a.gradient).allSatisfy { abs($0 - 4 * $1) <= 1e-5 * max(1, abs(4 * $1)) })
        var moved = g
        for i in 0 ..< 11 { for c in 0 ..< 50 { moved[i, c] += Float(c) * 0.5 } }
        let b = try RobustBrSGD().aggregate(moved)
        #expect(zip(b.gradient, a.gradient).enumerated().allSatisfy { c, pair in
            abs(pair.0 - pair.1 - Float(c) * 0.5) <= 1e-4 * max(1, abs(pair.0)) })
    }

    @Test func oneRowIsItsOwnAggregate() throws {
        let result = try RobustBrSGD().aggregate(GradientMatrix(rows: [[3, -1, 2]]))
        #expect(result.gradient == [3, -1, 2])
        #expect(result.diagnostics.selectedRows == [0])
    }
}
