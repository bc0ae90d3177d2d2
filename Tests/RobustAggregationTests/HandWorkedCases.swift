import Testing
@testable import RobustAggregation

/// Small cases worked out by hand (the arithmetic is in the comments).
@Suite struct HandWorkedCases {
    @Test func meanOfTwoRows() throws {
        let g = GradientMatrix(rows: [[1, 2], [3, 6]])
        #expect(try Mean().aggregate(g).gradient == [2, 4])
    }

    @Test func medianOfEvenCountIsMeanOfMiddleTwo() throws {
        // Column sorted: 1, 2, 3, 10 → (2 + 3) / 2.
        let g = GradientMatrix(rows: [[1], [3], [2], [10]])
        #expect(try CoordinateWiseMedian().aggregate(g).gradient == [2.5])
    }

    @Test func medianOfOddCount() throws {
        let g = GradientMatrix(rows: [[5, -1], [1, 7], [3, 0]])
        #expect(try CoordinateWiseMedian().aggregate(g).gradient == [3, 0])
    }

    @Test func trimmedMeanDropsExtremes() throws {
        // f = 1: drop −50 and 100, mean of 1, 2, 3.
        let g = GradientMatrix(rows: [[1], [2], [3], [100], [-50]])
        #expect(try TrimmedMean(byzantineCount: 1).aggregate(g).gradient == [2])
    }

    @Test func krumPicksTheRowClosestToItsNeighbours() throws {
        // m = 5, f = 1 → 2 neighbours. Scores: row0 1+4=5, row1 1+1=2, row2 1+4=5,
        // row3 1+64=65, row4 1+81=82 → row 1.
        let g = GradientMatrix(rows: [[0], [1], [2], [10], [11]])
        let result = try Krum(byzantineCount: 1).aggregate(g)
        #expect(result.gradient == [1])
        #expect(result.diagnostics.selectedRows == [1])
        #expect(result.diagnostics.scores == [5, 2, 5, 65, 82])
    }

    @Test func krumTieGoesToLowestIndex() throws {
        // [0],[1],[0],[1] with f = 0 → 2 neighbours: every row has one duplicate (0) and
        // one row at distance 1 among its nearest two, so every score is 1 → row 0.
        let g = GradientMatrix(rows: [[0], [1], [0], [1]])
        let result = try Krum(byzantineCount: 0).aggregate(g)
        #expect(result.diagnostics.scores == [1, 1, 1, 1])
        #expect(result.diagnostics.selectedRows == [0])
    }

    @Test func multiKrumAveragesTheBestRows() throws {
        // Same scores as the Krum case; q = 2 → rows 1 and 0 (tie with 2, lower index) → mean 0.5.
        let g = GradientMatrix(rows: [[0], [1], [2], [10], [11]])
        let result = try MultiKrum(byzantineCount: 1, selectionCount: 2).aggregate(g)
        #expect(result.gradient == [0.5])
        #expect(result.diagnostics.selectedRows == [0, 1])
    }

    /// G = [[1,1],[2,2],[3,3],[100,−100]], β = ½, T = auto.
    /// Column 0: mean 26.5, only row 3 is ≥ → count 1 < 2 → negated: row 3 scores −1.
    /// Column 1: mean −23.5, rows 0,1,2 are ≥ → count 3 ≥ 2: they score +1.
    /// s = [1, 1, 1, −1]. med = [2.5, 1.5]; dist = [2, 1, 2, 199]; T = median = 2; C1 = {0,1,2}.
    /// k = 2; C2 = {0, 1} (tie at 1, lowest index). C1 ∩ C2 = {0, 1} → [1.5, 1.5].
    @Test func brsgdFollowsAlgorithm2() throws {
        let g = GradientMatrix(rows: [[1, 1], [2, 2], [3, 3], [100, -100]])
        let result = try BrSGD(selectionFraction: 0.5).aggregate(g)
        let diag = try #require(result.diagnostics.brsgd)
        #expect(diag.scores == [1, 1, 1, -1])
        #expect(diag.distances == [2, 1, 2, 199])
        #expect(diag.threshold == 2)
        #expect(diag.constraint1 == [0, 1, 2])
        #expect(diag.constraint2 == [0, 1])
        #expect(result.diagnostics.selectedRows == [0, 1])
        #expect(result.gradient == [1.5, 1.5])
        #expect(diag.returnedMedian == false)
    }

    @Test func brsgdFallsBackToMedianWhenNothingIsSelected() throws {
        // med = 1.5, every distance > 0 = 2T → C1 empty → the median.
        let g = GradientMatrix(rows: [[0], [1], [2], [3]])
        let result = try BrSGD(selectionFraction: 0.5, threshold: .fixed(0)).aggregate(g)
        #expect(result.gradient == [1.5])
        #expect(result.diagnostics.selectedRows.isEmpty)
        #expect(result.diagnostics.brsgd?.returnedMedian == true)
    }

    @Test(arguments: [(0.3, 20, 6), (0.5, 5, 3), (0.5, 20, 10), (0.1, 10, 1), (0.01, 10, 1), (1.0, 7, 7),
                      (0.7, 10, 7), (0.25, 20, 5), (0.33, 3, 1), (0.34, 3, 2)])
    func brsgdSelectionCount(beta: Double, m: Int, expected: Int) {
        #expect(BrSGD.selectionCount(fraction: beta, rowCount: m) == expected)
    }

    @Test func nonFiniteRowsAreRejectedNotPropagated() throws {
        let g = GradientMatrix(rows: [[1, 2], [.nan, 0], [3, 4], [0, .infinity], [-.infinity, 1]])
        let rules: [any AggregationRule] = [
            Mean(), CoordinateWiseMedian(), TrimmedMean(byzantineCount: 0), BrSGD(),
            GeometricMedian(), CenteredClipping(),
        ]
        for rule in rules {
            let result = try rule.aggregate(g)
            #expect(result.diagnostics.rejectedRows == [1, 3, 4], "\(rule.name)")
            #expect(result.diagnostics.acceptedRows == [0, 2], "\(rule.name)")
            #expect(result.gradient.allSatisfy { $0.isFinite }, "\(rule.name)")
        }
        #expect(try Mean().aggregate(g).gradient == [2, 3])
    }

    @Test func allRowsNonFiniteIsAnError() {
        let g = GradientMatrix(rows: [[.nan], [.infinity]])
        #expect(throws: AggregationError.self) { try Mean().aggregate(g) }
        do {
            _ = try BrSGD().aggregate(g)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .noAcceptedRows)
            #expect(error.message.contains("all 2 rows"))
        }
    }

    @Test func emptyMatrixIsAnError() {
        #expect(throws: AggregationError.self) { try CoordinateWiseMedian().aggregate(GradientMatrix(rows: [])) }
    }

    @Test func byzantineBudgetShrinksWithRejectedRows() throws {
        // m = 6, two NaN rows, f = 2 → f' = 0, m' = 4 → Krum needs 4 − 0 − 2 = 2 ≥ 1: fine.
        let g = GradientMatrix(rows: [[0], [.nan], [1], [.nan], [2], [3]])
        let result = try Krum(byzantineCount: 2).aggregate(g)
        #expect(result.diagnostics.rejectedRows == [1, 3])
        // Scores with 2 neighbours: row0 1+4=5, row2 1+1=2, row4 1+1=2, row5 1+4=5 → row 2.
        #expect(result.diagnostics.selectedRows == [2])
    }

    @Test func parametersOutOfRangeForTheDataThrow() {
        let g = GradientMatrix(rows: [[0], [1], [2], [3]])
        func code(_ rule: any AggregationRule) -> AggregationError.Code? {
            do { _ = try rule.aggregate(g); return nil } catch { return error.code }
        }
        #expect(code(Krum(byzantineCount: 1)) == nil)                 // 4 − 1 − 2 = 1: fine
        #expect(code(Krum(byzantineCount: 2)) == .tooFewRows)         // 4 − 2 − 2 = 0
        #expect(code(TrimmedMean(byzantineCount: 2)) == .tooFewRows)  // 4 ≤ 2·2
        #expect(code(Bulyan(byzantineCount: 1)) == .tooFewRows)       // 4 < 7
        #expect(code(MultiKrum(byzantineCount: 0, selectionCount: 5)) == .tooFewRows)
        #expect(code(NearestNeighborMixing(byzantineCount: 4, wrapping: Mean())) == .tooFewRows)
    }

    @Test func singleRowIsReturnedByEveryRuleThatAcceptsIt() throws {
        let g = GradientMatrix(rows: [[1.5, -2, 1e10]])
        let rules: [any AggregationRule] = [Mean(), CoordinateWiseMedian(), TrimmedMean(byzantineCount: 0),
                                            BrSGD(), GeometricMedian(), CenteredClipping()]
        for rule in rules {
            #expect(try rule.aggregate(g).gradient == [1.5, -2, 1e10], "\(rule.name)")
        }
    }

    @Test func geometricMedianOfCollinearPointsIsTheMiddle() throws {
        // Points 0, 1, 10 on a line: the geometric median is the middle point 1.
        let g = GradientMatrix(rows: [[0, 0], [1, 1], [10, 10]])
        let result = try GeometricMedian(maximumIterations: 1000, tolerance: 1e-12).aggregate(g)
        #expect(abs(result.gradient[0] - 1) < 1e-3)
        #expect(abs(result.gradient[1] - 1) < 1e-3)
    }

    @Test func centeredClippingLimitsAnOutliersPull() throws {
        // Start at the median 0; the outlier at 1000 is clipped to distance τ = 1, so one
        // iteration moves v by 1/3 (its clipped pull) + 0 + 0.
        let g = GradientMatrix(rows: [[0], [0], [1000]])
        let result = try CenteredClipping(radius: 1, iterations: 1).aggregate(g)
        #expect(abs(result.gradient[0] - 1.0 / 3.0) < 1e-6)
    }
}

/// Mean and BrSGD find non-finite rows in their first pass (a non-finite column sum) and
/// only then scan; a huge but finite column whose sum overflows takes the same slow path
/// and must still give the scanned result, with no row rejected.
@Suite struct OptimisticFinitenessTests {
    @Test func overflowingSumsTakeTheScannedPathAndAgreeWithIt() throws {
        let g = GradientMatrix(rows: [[3e38, 1], [3e38, 2], [1, 3], [2e38, 4]])
        for rule in [Mean(), BrSGD()] as [any AggregationRule] {
            let fast = try rule.aggregate(g), scanned = try rule.aggregate(AcceptedRows(g))
            #expect(fast == scanned, "\(rule.name)")
            #expect(fast.diagnostics.rejectedRows.isEmpty, "\(rule.name)")
        }
    }

    @Test func aNaNAnywhereIsRejectedByTheFastRules() throws {
        var g = GradientMatrix(rows: (0 ..< 6).map { i in (0 ..< 3000).map { Float(($0 * 7 + i * 13) % 11) } })
        g[4, 2999] = .nan   // in the last column block
        for rule in [Mean(), BrSGD()] as [any AggregationRule] {
            let fast = try rule.aggregate(g), scanned = try rule.aggregate(AcceptedRows(g))
            #expect(fast == scanned, "\(rule.name)")
            #expect(fast.diagnostics.rejectedRows == [4], "\(rule.name)")
        }
    }
}
