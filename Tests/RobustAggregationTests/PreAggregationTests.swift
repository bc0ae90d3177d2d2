import Foundation
import Testing
import SeededRandom
@testable import RobustAggregation

/// A test rule that returns the rows it was handed, concatenated (m'·d values), so a test
/// can see exactly what a pre-aggregation passed on.
struct Flatten: AggregationRule {
    var name: String { "flatten" }
    func aggregate(_ rows: AcceptedRows) throws(AggregationError) -> AggregationResult {
        AggregationResult(gradient: rows.rowIndices.flatMap { rows.matrix.row($0) },
                          diagnostics: rows.diagnostics(rule: name, selectedPositions: Array(0 ..< rows.count)))
    }
}

/// A test rule that records the round it saw as its one-value gradient.
struct RoundProbe: AggregationRule {
    var name: String { "round" }
    func aggregate(_ rows: AcceptedRows) throws(AggregationError) -> AggregationResult {
        AggregationResult(gradient: [Float(rows.round)],
                          diagnostics: rows.diagnostics(rule: name, selectedPositions: []))
    }
}

@Suite struct StaticClippingTests {
    @Test func rowsAboveTheThresholdAreScaledToIt() throws {
        // ‖(3, 4)‖ = 5 > 1 → (0.6, 0.8); ‖(0.3, 0.4)‖ = 0.5 ≤ 1 → unchanged.
        let g = GradientMatrix(rows: [[3, 4], [0.3, 0.4]])
        let result = try StaticClipping(threshold: 1, wrapping: Flatten()).aggregate(g)
        #expect(result.gradient == [0.6, 0.8, 0.3, 0.4])
        #expect(result.diagnostics.rule == "clipping(c=1.0)+flatten")
    }

    @Test func hugeFiniteRowsAreClippedNotZeroed() throws {
        // Entries of 1e20: the squared norm overflows Float, not the Double kernel.
        let g = GradientMatrix(rows: [[1e20, 1e20], [0, 1]])
        let out = try StaticClipping(threshold: 2, wrapping: Flatten()).aggregate(g).gradient
        #expect(abs(out[0] - Float(2 / 2.0.squareRoot())) < 1e-6 && out[0] == out[1])
    }

    @Test(arguments: TestInputs.many(perShape: 2))
    func matchesTheReference(input: TestInput) throws {
        let g = input.matrix
        guard !Reference.rows(g).accepted.isEmpty else { return }
        for c in [0.5, 3.0] {
            let result = try StaticClipping(threshold: c, wrapping: Flatten()).aggregate(g)
            let expected = Reference.staticClipped(g, c: c).storage
            #expect(maxRelativeError(result.gradient, expected.map(Double.init)) < 1e-5, "c=\(c)")
            #expect(result.diagnostics.rejectedRows == Reference.rows(g).rejected)
        }
    }
}

@Suite struct AdaptiveRobustClippingTests {
    @Test func clippedCountIsTheFormulaInExactArithmetic() {
        #expect(AdaptiveRobustClipping.clippedCount(byzantineCount: 3, rowCount: 9) == 4)   // ByzFL's floats: 3
        #expect(AdaptiveRobustClipping.clippedCount(byzantineCount: 9, rowCount: 20) == 9)  // ⌊198/20⌋
        #expect(AdaptiveRobustClipping.clippedCount(byzantineCount: 5, rowCount: 20) == 7)  // ⌊150/20⌋
        #expect(AdaptiveRobustClipping.clippedCount(byzantineCount: 0, rowCount: 20) == 0)
        #expect(AdaptiveRobustClipping.clippedCount(byzantineCount: 25, rowCount: 20) == 0)
    }

    /// ByzFL's documented example: f = 1, m = 3 → k = ⌊2·2/3⌋ = 1; τ = ‖(4,5,6)‖ = √77;
    /// (7,8,9)·√77/√194 = (4.41004009, 5.04004582, 5.67005155).
    @Test func reproducesByzFLsExample() throws {
        let g = GradientMatrix(rows: [[1, 2, 3], [4, 5, 6], [7, 8, 9]])
        let out = try AdaptiveRobustClipping(byzantineCount: 1, wrapping: Flatten()).aggregate(g).gradient
        let expected: [Double] = [1, 2, 3, 4, 5, 6, 4.41004009, 5.04004582, 5.67005155]
        #expect(maxRelativeError(out, expected) < 1e-6)
    }

    @Test func rejectedRowsReduceF() throws {
        // f = 2 with one NaN row: f' = 1 of m' = 3 → k = 1, as in ByzFL's example.
        let g = GradientMatrix(rows: [[1, 2, 3], [.nan, 0, 0], [4, 5, 6], [7, 8, 9]])
        let result = try AdaptiveRobustClipping(byzantineCount: 2, wrapping: Flatten()).aggregate(g)
        #expect(result.diagnostics.rejectedRows == [1])
        #expect(result.diagnostics.acceptedRows == [0, 2, 3])
        #expect(maxRelativeError(result.gradient, [1, 2, 3, 4, 5, 6, 4.41004009, 5.04004582, 5.67005155]) < 1e-6)
    }

    @Test(arguments: TestInputs.many(perShape: 2))
    func matchesTheReference(input: TestInput) throws {
        let g = input.matrix
        guard !Reference.rows(g).accepted.isEmpty else { return }
        for f in 0 ... 4 {
            let result = try AdaptiveRobustClipping(byzantineCount: f, wrapping: Flatten()).aggregate(g)
            let expected = Reference.adaptiveRobustClipped(g, f: f).storage
            #expect(maxRelativeError(result.gradient, expected.map(Double.init)) < 1e-5, "f=\(f)")
        }
    }
}

@Suite struct BucketingTests {
    /// The same permutations computed by a few lines of Python from the formulas on
    /// `Bucketing.permutation` (arbitrary-precision integers masked to 64 bits): the
    /// permutation is the same in any language, on any machine.
    @Test func permutationIsTheDocumentedOne() {
        #expect(Bucketing.permutation(count: 10, seed: 42, round: 3) == [4, 0, 6, 1, 9, 7, 8, 3, 2, 5])
        #expect(Bucketing.permutation(count: 20, seed: 0, round: 0)
                == [5, 1, 14, 10, 13, 18, 19, 7, 2, 4, 8, 3, 11, 15, 9, 6, 0, 17, 12, 16])
        #expect(Bucketing.permutation(count: 6, seed: 7, round: -1) == [3, 2, 1, 4, 5, 0])
        for n in [0, 1, 2, 7, 20] {
            for round in 0 ..< 5 {
                let p = Bucketing.permutation(count: n, seed: 9, round: round)
                #expect(p == Reference.permutation(count: n, seed: 9, round: round))
                #expect(p.sorted() == Array(0 ..< n))
            }
        }
        #expect(Bucketing.permutation(count: 20, seed: 1, round: 1) != Bucketing.permutation(count: 20, seed: 1, round: 2))
        #expect(Bucketing.permutation(count: 20, seed: 1, round: 1) != Bucketing.permutation(count: 20, seed: 2, round: 1))
    }

    @Test(arguments: TestInputs.many(perShape: 2))
    func bucketMeansMatchTheReference(input: TestInput) throws {
        let g = input.matrix
        guard !Reference.rows(g).accepted.isEmpty else { return }
        for s in [1, 2, 3, 50] {
            let rule = Bucketing(bucketSize: s, seed: input.seed, wrapping: Flatten())
            let result = try rule.aggregate(g, round: 5)
            let (means, members) = Reference.bucketed(g, s: s, seed: input.seed, round: 5)
            #expect(result.gradient == means.storage, "s=\(s)")
            #expect(result.diagnostics.selectedRows == members.flatMap { $0 }.sorted())
            #expect(result.diagnostics.acceptedRows == Reference.rows(g).accepted)
        }
    }

    @Test func workersInheritTheirBucketsDiagnostics() throws {
        // Krum with f = 0 over 3 bucket means picks one bucket; its workers are the selection.
        var rng = SeededGenerator(seed: 3)
        var g = GradientMatrix(rowCount: 6, columnCount: 4)
        for i in 0 ..< 6 { for c in 0 ..< 4 { g[i, c] = Float(rng.nextNormal()) } }
        let rule = Bucketing(bucketSize: 2, seed: 11, wrapping: Krum(byzantineCount: 0))
        let result = try rule.aggregate(g, round: 2)
        let buckets = rule.buckets(count: 6, round: 2)
        let scores = try #require(result.diagnostics.scores)
        #expect(scores.count == 6)
        for bucket in buckets { #expect(Set(bucket.map { scores[$0] }).count == 1) }
        #expect(buckets.contains { $0 == result.diagnostics.selectedRows })
        #expect(result.diagnostics.rule == "bucketing(s=2)+krum(f=0)")
    }

    @Test func brsgdSetsNameWorkers() throws {
        let g = TestInputs.honestAndByzantine(m: 10, byzantine: 2, d: 30, seed: 4) { rng, truth in
            truth.map { _ in Float(rng.nextNormal() * 50) }
        }
        let result = try Bucketing(bucketSize: 2, seed: 1, wrapping: BrSGD()).aggregate(g, round: 1)
        let brsgd = try #require(result.diagnostics.brsgd)
        #expect(brsgd.scores.count == 10 && brsgd.distances.count == 10)
        #expect(Set(result.diagnostics.selectedRows).isSubset(of: Set(brsgd.constraint1)))
        #expect(brsgd.constraint1.count % 2 == 0)  // whole buckets of two
    }

    @Test func theRoundSeedsThePermutationAndTheDefaultIsRoundZero() throws {
        var rng = SeededGenerator(seed: 5)
        var g = GradientMatrix(rowCount: 20, columnCount: 8)
        for i in 0 ..< 20 { for c in 0 ..< 8 { g[i, c] = Float(rng.nextNormal()) } }
        let rule = Bucketing(bucketSize: 3, seed: 77, wrapping: CoordinateWiseMedian())
        #expect(rule.isRandomized)
        #expect(try rule.aggregate(g) == rule.aggregate(g, round: 0))
        #expect(try rule.aggregate(g, round: 4) == rule.aggregate(g, round: 4))
        #expect(try rule.aggregate(g, round: 4).gradient != rule.aggregate(g, round: 5).gradient)
        // Deterministic rules ignore the round; wrappers pass it on.
        #expect(try CoordinateWiseMedian().aggregate(g, round: 9) == CoordinateWiseMedian().aggregate(g))
        #expect(!StaticClipping(threshold: 1, wrapping: Mean()).isRandomized)
        let probe = AdaptiveRobustClipping(byzantineCount: 1, wrapping: StaticClipping(threshold: 1, wrapping: RoundProbe()))
        #expect(try probe.aggregate(AcceptedRows(g, round: 12)).gradient == [12])
    }

    @Test func theWrappedRuleKeepsItsF() throws {
        // Trimmed mean with f = 2 over ⌈6/2⌉ = 3 buckets needs 3 > 4: refused, not silently changed.
        let g = GradientMatrix(rowCount: 6, columnCount: 2)
        let error = #expect(throws: AggregationError.self) {
            try Bucketing(bucketSize: 2, wrapping: TrimmedMean(byzantineCount: 2)).aggregate(g)
        }
        #expect(error?.code == .tooFewRows)
    }
}

@Suite struct PreAggregationConfigurationTests {
    @Test func preAggregationsStackInTheDocumentedOrder() throws {
        let configuration = RuleConfiguration(name: .median, byzantineCount: 1, nearestNeighborMixing: true,
                                              bucketSize: 2, clippingThreshold: 2, adaptiveRobustClipping: true)
        #expect(try configuration.makeRule().name == "clipping(c=2.0)+arc(f=1)+bucketing(s=2)+nnm(f=1)+median")
        #expect(try RuleConfiguration(name: .krum, byzantineCount: 1, bucketSize: 2).makeRule().name
                == "bucketing(s=2)+krum(f=1)")
        // The seed reaches bucketing.
        var rng = SeededGenerator(seed: 8)
        var g = GradientMatrix(rowCount: 12, columnCount: 5)
        for i in 0 ..< 12 { for c in 0 ..< 5 { g[i, c] = Float(rng.nextNormal()) } }
        let bucketed = RuleConfiguration(name: .median, bucketSize: 3)
        #expect(try bucketed.makeRule(seed: 4).aggregate(g, round: 1)
                == Bucketing(bucketSize: 3, seed: 4, wrapping: CoordinateWiseMedian()).aggregate(g, round: 1))
    }

    @Test(arguments: [
        (RuleConfiguration(name: .mean, bucketSize: 0), RuleConfiguration.Parameter.bucketing),
        (RuleConfiguration(name: .mean, clippingThreshold: 0), .clipping),
        (RuleConfiguration(name: .mean, clippingThreshold: -1), .clipping),
        (RuleConfiguration(name: .mean, clippingThreshold: .infinity), .clipping),
        (RuleConfiguration(name: .mean, adaptiveRobustClipping: true), .assumedByzantine),
        (RuleConfiguration(name: .brsgdRobust, selectionFraction: 0), .beta),
        (RuleConfiguration(name: .brsgdRobust, threshold: -1), .threshold),
        (RuleConfiguration(name: .brsgdRobust, byzantineCount: 2), .assumedByzantine),
    ])
    func invalidPreAggregationParametersNameTheParameter(configuration: RuleConfiguration,
                                                         parameter: RuleConfiguration.Parameter) {
        let error = #expect(throws: AggregationError.self) { try configuration.makeRule() }
        #expect(error?.parameter == parameter)
    }

    @Test func arcBringsFToARuleThatDoesNotTakeIt() throws {
        let rule = try RuleConfiguration(name: .brsgdRobust, byzantineCount: 3, adaptiveRobustClipping: true).makeRule()
        #expect(rule.name == "arc(f=3)+brsgd-robust(beta=0.5,threshold=auto)")
        let error = #expect(throws: AggregationError.self) {
            try RuleConfiguration(name: .mean, adaptiveRobustClipping: true).makeRule()
        }
        #expect(error?.message == "arc needs the number of Byzantine workers f")
    }

    @Test func jsonUsesTheCommandLineNames() throws {
        let json = #"{"name": "median", "clipping": 5, "arc": true, "bucketing": 2, "assumed_byzantine": 4}"#
        let decoded = try JSONDecoder().decode(RuleConfiguration.self, from: Data(json.utf8))
        #expect(decoded == RuleConfiguration(name: .median, byzantineCount: 4, bucketSize: 2, clippingThreshold: 5,
                                             adaptiveRobustClipping: true))
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(String(decoding: try encoder.encode(decoded), as: UTF8.self)
                == #"{"arc":true,"assumed_byzantine":4,"bucketing":2,"clipping":5,"name":"median","nnm":false}"#)
        let robust = String(decoding: try encoder.encode(RuleConfiguration(name: .brsgdRobust).resolved()), as: UTF8.self)
        #expect(robust == #"{"arc":false,"beta":0.5,"name":"brsgd-robust","nnm":false,"threshold":"auto"}"#)
        #expect(RuleConfiguration.Parameter.bucketing.option == "--bucketing")
        #expect(RuleConfiguration.Parameter.preAggregations == [.collapse, .clipping, .arc, .bucketing, .nnm])
    }
}
