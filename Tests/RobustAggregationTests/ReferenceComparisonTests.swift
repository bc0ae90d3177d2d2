import Testing
@testable import RobustAggregation

/// Every rule against its naive reference on many seeded inputs (NaN/±Inf rows,
/// duplicates, ties, 1e10-scaled rows, m = 1, d = 1, odd and even m, block boundaries).
@Suite struct ReferenceComparisonTests {
    static let inputs = TestInputs.many()

    @Test(arguments: inputs)
    func meanMatchesReferenceExactly(input: TestInput) throws {
        let g = input.matrix
        let ref = Reference.mean(g)
        guard !ref.selected.isEmpty else { return }
        let result = try Mean().aggregate(g)
        #expect(result.gradient == ref.gradient)
        #expect(result.diagnostics.rejectedRows == ref.rejected)
    }

    @Test(arguments: inputs)
    func medianMatchesReferenceExactly(input: TestInput) throws {
        let g = input.matrix
        let ref = Reference.coordinateMedian(g)
        guard !ref.selected.isEmpty else { return }
        #expect(try CoordinateWiseMedian().aggregate(g).gradient == ref.gradient)
    }

    @Test(arguments: inputs)
    func trimmedMeanMatchesReferenceExactly(input: TestInput) throws {
        let g = input.matrix
        for f in 0 ... 3 {
            let (a, r) = Reference.rows(g)
            let fp = max(0, f - r.count)
            guard a.count > 2 * fp else {
                #expect(throws: AggregationError.self) { try TrimmedMean(byzantineCount: f).aggregate(g) }
                continue
            }
            #expect(try TrimmedMean(byzantineCount: f).aggregate(g).gradient
                    == Reference.trimmedMean(g, f: f).gradient, "f=\(f)")
        }
    }

    @Test(arguments: inputs)
    func krumMatchesReference(input: TestInput) throws {
        let g = input.matrix
        for f in 0 ... 2 {
            let (a, r) = Reference.rows(g)
            guard a.count - max(0, f - r.count) - 2 >= 1 else {
                #expect(throws: AggregationError.self) { try Krum(byzantineCount: f).aggregate(g) }
                continue
            }
            let ref = Reference.krum(g, f: f)
            let result = try Krum(byzantineCount: f).aggregate(g)
            let scores = try #require(result.diagnostics.scores)
            for (x, y) in zip(scores, ref.scores) {
                #expect(abs(x - y) <= 1e-4 * max(1, abs(y)), "score \(x) vs \(y), f=\(f)")
            }
            // The winner agrees unless two reference scores are within rounding of each other.
            let sortedRef = ref.scores.sorted()
            let nearTie = sortedRef.count > 1 && abs(sortedRef[1] - sortedRef[0]) <= 1e-4 * max(1, sortedRef[0])
                && sortedRef[1] != sortedRef[0]
            if !nearTie {
                #expect(result.diagnostics.selectedRows == ref.selected, "f=\(f)")
                #expect(result.gradient == ref.gradient)
            }
        }
    }

    @Test(arguments: inputs)
    func multiKrumMatchesReference(input: TestInput) throws {
        let g = input.matrix
        let (a, r) = Reference.rows(g)
        guard a.count - max(0, 1 - r.count) - 2 >= 1 else { return }
        let ref = Reference.multiKrum(g, f: 1)
        let result = try MultiKrum(byzantineCount: 1).aggregate(g)
        let sorted = ref.scores.sorted()
        let q = ref.selected.count
        // Compare when the q-th and (q+1)-th scores are not a near tie.
        if q < sorted.count, abs(sorted[q] - sorted[q - 1]) <= 1e-4 * max(1, sorted[q]), sorted[q] != sorted[q - 1] {
            return
        }
        #expect(result.diagnostics.selectedRows == ref.selected)
        #expect(result.gradient == ref.gradient)
    }

    @Test(arguments: inputs)
    func brsgdMatchesReference(input: TestInput) throws {
        let g = input.matrix
        guard !Reference.rows(g).accepted.isEmpty else { return }
        for beta in [0.5, 0.3, 1.0] {
            let ref = Reference.brsgd(g, beta: beta)
            let result = try BrSGD(selectionFraction: beta).aggregate(g)
            let diag = try #require(result.diagnostics.brsgd)
            #expect(diag.scores == ref.intScores, "beta=\(beta)")
            #expect(diag.constraint2 == ref.c2, "beta=\(beta)")
            for (x, y) in zip(diag.distances, ref.distances) {
                #expect(abs(x - y) <= 1e-5 * max(1, abs(y)), "distance \(x) vs \(y)")
            }
            // C1 agrees except for rows whose distance is within rounding of 2T.
            let borderline = zip(Reference.rows(g).accepted, ref.distances).contains { _, dist in
                abs(dist - 2 * ref.threshold) <= 1e-5 * max(1, 2 * ref.threshold)
            }
            if !borderline {
                #expect(diag.constraint1 == ref.c1, "beta=\(beta)")
                #expect(result.diagnostics.selectedRows == ref.selected, "beta=\(beta)")
                #expect(result.gradient == ref.gradient, "beta=\(beta)")
            }
        }
    }

    @Test(arguments: inputs.filter { $0.matrix.columnCount <= 300 })
    func geometricMedianMatchesReference(input: TestInput) throws {
        let g = input.matrix
        guard !Reference.rows(g).accepted.isEmpty, !input.features.contains(where: { $0.hasPrefix("huge") }) else {
            return
        }
        let result = try GeometricMedian().aggregate(g)
        let ref = Reference.geometricMedian(g)
        #expect(maxRelativeError(result.gradient, ref) < 1e-3)
    }

    @Test(arguments: inputs.filter { $0.matrix.columnCount <= 300 })
    func centeredClippingMatchesReference(input: TestInput) throws {
        let g = input.matrix
        let (a, _) = Reference.rows(g)
        guard !a.isEmpty else { return }
        let start = Reference.medianVector(g, a).map(Double.init)
        let result = try CenteredClipping(radius: 2, iterations: 3).aggregate(g)
        let ref = Reference.centeredClipping(g, tau: 2, iterations: 3, start: start)
        #expect(maxRelativeError(result.gradient, ref) < 1e-4)
    }

    @Test(arguments: inputs)
    func bulyanMatchesReference(input: TestInput) throws {
        let g = input.matrix
        let (a, r) = Reference.rows(g)
        for f in 0 ... 2 {
            let fp = max(0, f - r.count)
            guard a.count >= 4 * fp + 3, !input.features.contains(where: { $0.hasPrefix("ties") }) else { continue }
            let ref = Reference.bulyan(g, f: f)
            let result = try Bulyan(byzantineCount: f).aggregate(g)
            #expect(result.diagnostics.selectedRows == ref.selected, "f=\(f)")
            #expect(result.gradient == ref.gradient, "f=\(f)")
        }
    }

    @Test(arguments: inputs.filter { !$0.features.contains("ties") })
    func nearestNeighborMixingFeedsTheWrappedRuleTheMixedRows(input: TestInput) throws {
        let g = input.matrix
        let (a, r) = Reference.rows(g)
        guard a.count >= 2 else { return }
        let mixed = Reference.nearestNeighborMixed(g, f: 1)
        let result = try NearestNeighborMixing(byzantineCount: 1, wrapping: CoordinateWiseMedian()).aggregate(g)
        #expect(result.gradient == Reference.coordinateMedian(mixed).gradient)
        #expect(result.diagnostics.rejectedRows == r)
        #expect(result.diagnostics.acceptedRows == a)
        #expect(result.diagnostics.rule == "nnm(f=1)+median")
    }
}
