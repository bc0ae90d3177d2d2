import Testing
@testable import RobustAggregation

@Suite struct RulePipelineTests {
    @Test(arguments: ["median", "collapse+brsgd-robust", "clipping=2+nnm+trimmed-mean", "arc+nnm+trimmed-mean",
                      "collapse+clipping=0.5+arc+bucketing=2+nnm+krum"])
    func aPipelineReadsBackAsWritten(text: String) throws {
        #expect(try RuleConfiguration(pipeline: text).pipeline == text)
    }

    @Test func stagesRunInTheirFixedOrderWhateverOrderTheyAreWrittenIn() throws {
        let configuration = try RuleConfiguration(pipeline: "nnm+clipping=2+trimmed-mean")
        #expect(configuration.nearestNeighborMixing && configuration.clippingThreshold == 2)
        #expect(configuration.pipeline == "clipping=2+nnm+trimmed-mean")
    }

    @Test(arguments: [
        ("nnm+bogus", "the last word must be a rule"),
        ("clipping+median", "clipping needs a value: clipping=c"),
        ("clipping=-1+median", "clipping=c needs a number c > 0, got '-1'"),
        ("bucketing=0+median", "bucketing=s needs a whole number s ≥ 1, got '0'"),
        ("nnm+nnm+median", "nnm is given twice"),
        ("median+nnm", "the last word must be a rule"),
        ("arc=3+median", "'arc=3' is not a stage"),
    ])
    func aWrongPipelineIsRefusedWithTheWord(text: String, expected: String) {
        #expect {
            try RuleConfiguration(pipeline: text)
        } throws: { error in
            guard let error = error as? AggregationError else { return false }
            return error.message.contains(expected) && error.message.hasPrefix("'\(text)'")
        }
    }

    @Test func boundsAreThoseOfTheRulesPapers() {
        #expect(RuleConfiguration(name: .krum).assumptionViolation(workers: 20, byzantine: 8) == nil)
        #expect(RuleConfiguration(name: .krum).assumptionViolation(workers: 20, byzantine: 9)?.contains("f ≤ 8") == true)
        #expect(RuleConfiguration(name: .bulyan).assumptionViolation(workers: 20, byzantine: 4) == nil)
        #expect(RuleConfiguration(name: .bulyan).assumptionViolation(workers: 20, byzantine: 5) != nil)
        #expect(RuleConfiguration(name: .median).assumptionViolation(workers: 20, byzantine: 9) == nil)
        #expect(RuleConfiguration(name: .median).assumptionViolation(workers: 20, byzantine: 10) != nil)
        #expect(RuleConfiguration(name: .mean).assumptionViolation(workers: 20, byzantine: 19) == nil)
    }
}
