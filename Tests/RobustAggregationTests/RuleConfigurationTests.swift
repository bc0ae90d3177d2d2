import Foundation
import Testing
@testable import RobustAggregation

@Suite struct RuleConfigurationTests {
    @Test func everyRuleCanBeMade() throws {
        for name in RuleName.allCases {
            let rule = try RuleConfiguration(name: name, byzantineCount: name.takesByzantineCount ? 1 : nil).makeRule()
            #expect(rule.name.hasPrefix(name.rawValue))
        }
        let wrapped = try RuleConfiguration(name: .krum, byzantineCount: 2, nearestNeighborMixing: true).makeRule()
        #expect(wrapped.name == "nnm(f=2)+krum(f=2)")
    }

    @Test func wrappingPreAggregationsIsMakeRulesStackAroundAnyRule() throws {
        let configuration = RuleConfiguration(name: .median, byzantineCount: 2, nearestNeighborMixing: true,
                                              bucketSize: 2, clippingThreshold: 5, adaptiveRobustClipping: true)
        let made = try configuration.makeRule(seed: 7)
        let wrapped = try configuration.wrappingPreAggregations(around: CoordinateWiseMedian(), seed: 7)
        #expect(wrapped.name == made.name)
        let input = TestInputs.random(m: 12, d: 30, seed: 3)
        #expect(try wrapped.aggregate(input.matrix, round: 4) == made.aggregate(input.matrix, round: 4))
        // The configuration's own rule is ignored; NNM and ARC still need f.
        #expect(try RuleConfiguration(name: .krum).wrappingPreAggregations(around: Mean()).name == "mean")
        #expect(throws: AggregationError.self) {
            try RuleConfiguration(name: .mean, adaptiveRobustClipping: true).wrappingPreAggregations(around: Mean())
        }
        #expect(throws: AggregationError.self) {
            try RuleConfiguration(name: .mean, bucketSize: 0).wrappingPreAggregations(around: Mean())
        }
    }

    @Test func brsgdDefaultsAreTheDocumentedOnes() throws {
        #expect(try RuleConfiguration(name: .brsgd).makeRule().name == "brsgd(beta=0.5,threshold=auto)")
        #expect(try RuleConfiguration(name: .brsgd, selectionFraction: 0.3, threshold: 2).makeRule().name
                == "brsgd(beta=0.3,threshold=2.0)")
    }

    @Test(arguments: [
        RuleConfiguration(name: .krum),                                  // f missing
        RuleConfiguration(name: .krum, byzantineCount: -1),
        RuleConfiguration(name: .bulyan, byzantineCount: Int.max / 2),   // 4f + 3 would overflow
        RuleConfiguration(name: .trimmedMean, byzantineCount: Int.max),  // 2f would overflow
        RuleConfiguration(name: .brsgd, selectionFraction: 0),
        RuleConfiguration(name: .brsgd, selectionFraction: 1.5),
        RuleConfiguration(name: .brsgd, threshold: -1),
        RuleConfiguration(name: .brsgd, threshold: .infinity),
        RuleConfiguration(name: .multiKrum, byzantineCount: 1, selectionCount: 0),
        RuleConfiguration(name: .geometricMedian, smoothing: 0),
        RuleConfiguration(name: .centeredClipping, iterations: 0),
        RuleConfiguration(name: .mean, nearestNeighborMixing: true),     // nnm needs f
        RuleConfiguration(name: .krum, byzantineCount: 1, threshold: 3),  // krum takes no threshold
        RuleConfiguration(name: .brsgd, byzantineCount: 1),               // brsgd takes no f
        RuleConfiguration(name: .mean, radius: 1),
    ])
    func invalidParametersAreReported(configuration: RuleConfiguration) {
        #expect(throws: AggregationError.self) { try configuration.makeRule() }
    }

    @Test func inapplicableParametersNameTheParameter() {
        let error = #expect(throws: AggregationError.self) {
            try RuleConfiguration(name: .krum, byzantineCount: 1, selectionFraction: 0.5).makeRule()
        }
        #expect(error?.code == .inapplicableParameter)
        #expect(error?.parameter == .beta)
        #expect(error?.message == "krum does not take beta; it takes assumed_byzantine")
        #expect(RuleConfiguration.Parameter.assumedByzantine.option == "--assumed-byzantine")
        // NNM brings f to a rule that does not take it itself.
        #expect(throws: Never.self) { try RuleConfiguration(name: .brsgd, byzantineCount: 2, nearestNeighborMixing: true).makeRule() }
    }

    @Test func resolvedWritesOutTheFixedDefaults() throws {
        let brsgd = RuleConfiguration(name: .brsgd).resolved()
        #expect(brsgd.selectionFraction == 0.5 && brsgd.threshold == nil)
        let gm = RuleConfiguration(name: .geometricMedian).resolved()
        #expect(gm.smoothing == 1e-6 && gm.iterations == 100)
        let cc = RuleConfiguration(name: .centeredClipping).resolved()
        #expect(cc.radius == 10 && cc.iterations == 3)
        for name in RuleName.allCases {
            let plain = RuleConfiguration(name: name, byzantineCount: name.takesByzantineCount ? 1 : nil)
            #expect(try plain.makeRule().name == plain.resolved().makeRule().name)
        }
    }

    @Test func jsonUsesTheCommandLineNames() throws {
        let json = #"{"name": "brsgd", "beta": 0.3, "threshold": "auto", "nnm": true, "assumed_byzantine": 4}"#
        let decoded = try JSONDecoder().decode(RuleConfiguration.self, from: Data(json.utf8))
        #expect(decoded == RuleConfiguration(name: .brsgd, byzantineCount: 4, selectionFraction: 0.3,
                                             nearestNeighborMixing: true))
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let text = String(decoding: try encoder.encode(RuleConfiguration(name: .brsgd).resolved()), as: UTF8.self)
        #expect(text == #"{"arc":false,"beta":0.5,"name":"brsgd","nnm":false,"threshold":"auto"}"#)
        let fixed = try JSONDecoder().decode(RuleConfiguration.self, from: Data(#"{"name":"brsgd","threshold":2}"#.utf8))
        #expect(fixed.threshold == 2)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(RuleConfiguration.self, from: Data(#"{"name":"brsgd","threshold":"sometimes"}"#.utf8))
        }
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(RuleConfiguration.self, from: Data(#"{"name":"krumm"}"#.utf8))
        }
    }
}

@Suite struct ClippingCenterConfigurationTests {
    @Test func centeredClippingTakesItsCentreAndOnlyItKeepsHistory() throws {
        let json = Data(#"{"name": "centered-clipping", "center": "previous", "clipping_radius": 1, "iterations": 1}"#.utf8)
        let configuration = try JSONDecoder().decode(RuleConfiguration.self, from: json)
        #expect(configuration.center == .previous)
        let rule = try configuration.makeRule()
        #expect(rule.usesPreviousAggregate)
        #expect(rule.name == "centered-clipping(tau=1.0,iterations=1,center=previous)")
        let wrapped = try RuleConfiguration(name: .centeredClipping, byzantineCount: 1, nearestNeighborMixing: true,
                                            clippingThreshold: 5, center: .previous).makeRule()
        #expect(wrapped.usesPreviousAggregate, "pre-aggregations pass the history through")
        #expect(try !RuleConfiguration(name: .centeredClipping).makeRule().usesPreviousAggregate)
        #expect(String(decoding: try JSONEncoder().encode(configuration), as: UTF8.self).contains(#""center":"previous""#))
        #expect(throws: AggregationError.self) { try RuleConfiguration(name: .median, center: .zero).makeRule() }
    }
}
