import Testing
@testable import RobustAggregation

@Suite struct RuleConfigurationTests {
    @Test func everyRuleCanBeMade() throws {
        for name in RuleName.allCases {
            let rule = try RuleConfiguration(name: name, byzantineCount: 1).makeRule()
            #expect(rule.name.hasPrefix(name.rawValue))
        }
        let wrapped = try RuleConfiguration(name: .krum, byzantineCount: 2, nearestNeighborMixing: true).makeRule()
        #expect(wrapped.name == "nnm(f=2)+krum(f=2)")
    }

    @Test func brsgdDefaultsAreTheDocumentedOnes() throws {
        #expect(try RuleConfiguration(name: .brsgd).makeRule().name == "brsgd(beta=0.5,threshold=auto)")
        #expect(try RuleConfiguration(name: .brsgd, selectionFraction: 0.3, threshold: 2).makeRule().name
                == "brsgd(beta=0.3,threshold=2.0)")
    }

    @Test(arguments: [
        RuleConfiguration(name: .krum),                                  // f missing
        RuleConfiguration(name: .krum, byzantineCount: -1),
        RuleConfiguration(name: .brsgd, selectionFraction: 0),
        RuleConfiguration(name: .brsgd, selectionFraction: 1.5),
        RuleConfiguration(name: .brsgd, threshold: -1),
        RuleConfiguration(name: .brsgd, threshold: .infinity),
        RuleConfiguration(name: .multiKrum, byzantineCount: 1, selectionCount: 0),
        RuleConfiguration(name: .geometricMedian, smoothing: 0),
        RuleConfiguration(name: .centeredClipping, iterations: 0),
        RuleConfiguration(name: .mean, nearestNeighborMixing: true),     // nnm needs f
    ])
    func invalidParametersAreReported(configuration: RuleConfiguration) {
        #expect(throws: AggregationError.self) { try configuration.makeRule() }
    }
}
