import Testing
import Foundation
import ByzantineAttacks

@Suite struct ConfigurationTests {
    @Test func knowledgeLevels() throws {
        let expected: [AttackKind: AttackKnowledge] = [
            .gaussian: .none, .nan: .none, .inf: .none,
            .gradientScale: .ownGradient, .signFlip: .ownGradient, .labelFlip: .ownGradient,
            .modelNegation: .honestGradients, .alie: .honestGradients, .ipm: .honestGradients,
            .mimic: .honestGradients,
        ]
        #expect(Set(expected.keys) == Set(AttackKind.allCases))
        for kind in AttackKind.allCases {
            let attack = try AttackConfiguration(kind: kind).makeAttack()
            #expect(kind.knowledge == expected[kind], "\(kind)")
            #expect(attack.knowledge == kind.knowledge, "\(kind)")
            #expect(attack.isOmniscient == kind.isOmniscient, "\(kind)")
            #expect(kind.isOmniscient == (expected[kind] == .honestGradients))
            #expect((attack.labelTransform(classCount: 10) != nil) == (kind == .labelFlip), "\(kind)")
        }
        #expect(AttackKnowledge.none < .ownGradient && AttackKnowledge.ownGradient < .honestGradients)
    }

    @Test func paperAttacksAreTheFour() {
        #expect(AttackKind.paperAttacks == [.gaussian, .modelNegation, .gradientScale, .labelFlip])
        #expect(AttackKind.allCases.map(\.rawValue) == [
            "gaussian", "model-negation", "gradient-scale", "label-flip", "sign-flip",
            "alie", "ipm", "mimic", "nan", "inf",
        ])
        #expect(AttackKind.allCases.allSatisfy { !$0.summary.isEmpty && !$0.summary.contains("\n") })
    }

    @Test func defaultsAndNames() throws {
        let names = try AttackKind.allCases.map { try AttackConfiguration(kind: $0).makeAttack().name }
        #expect(names == [
            "gaussian(sigma=200)", "model-negation(scale=1e10)", "gradient-scale(scale=1e10)",
            "label-flip", "sign-flip(scale=1)", "alie(z=auto)", "ipm(epsilon=0.1)",
            "mimic(target=first-honest)", "nan", "inf",
        ])
        #expect(try AttackConfiguration(kind: .gaussian, standardDeviation: 2.5).makeAttack().name == "gaussian(sigma=2.5)")
        #expect(try AttackConfiguration(kind: .alie, z: 1.5).makeAttack().name == "alie(z=1.5)")
        #expect(try AttackConfiguration(kind: .gradientScale, scale: 2.5e7).makeAttack().name == "gradient-scale(scale=2.5e7)")
        #expect(try AttackConfiguration(kind: .mimic, target: 3).makeAttack().name == "mimic(target=3)")
        #expect(try AttackConfiguration(kind: .ipm, epsilon: 100).makeAttack().name == "ipm(epsilon=100)")
    }

    @Test func parametersReachTheAttack() throws {
        #expect(try #require(AttackConfiguration(kind: .gaussian, standardDeviation: 3).makeAttack() as? GaussianAttack).standardDeviation == 3)
        #expect(try #require(AttackConfiguration(kind: .modelNegation, scale: 5).makeAttack() as? ModelNegationAttack).scale == 5)
        #expect(try #require(AttackConfiguration(kind: .signFlip, scale: 2).makeAttack() as? SignFlipAttack).scale == 2)
        #expect(try #require(AttackConfiguration(kind: .alie, z: -0.5).makeAttack() as? ALIEAttack).z == -0.5)
        #expect(try #require(AttackConfiguration(kind: .ipm, epsilon: 0.5).makeAttack() as? IPMAttack).epsilon == 0.5)
        #expect(try #require(AttackConfiguration(kind: .mimic, target: 2).makeAttack() as? MimicAttack).target == 2)
        #expect(try #require(AttackConfiguration(kind: .inf).makeAttack() as? NonFiniteAttack).value == .positiveInfinity)
    }

    static let roundTripCases: [AttackConfiguration] = [
        AttackConfiguration(kind: .gaussian), AttackConfiguration(kind: .gaussian, standardDeviation: 50),
        AttackConfiguration(kind: .modelNegation, scale: 1e10), AttackConfiguration(kind: .gradientScale),
        AttackConfiguration(kind: .labelFlip), AttackConfiguration(kind: .signFlip, scale: 2),
        AttackConfiguration(kind: .alie), AttackConfiguration(kind: .alie, z: 1.25),
        AttackConfiguration(kind: .ipm, epsilon: 0.25), AttackConfiguration(kind: .mimic, target: 4),
        AttackConfiguration(kind: .nan), AttackConfiguration(kind: .inf),
    ]

    @Test(arguments: roundTripCases)
    func jsonRoundTrip(configuration: AttackConfiguration) throws {
        let data = try JSONEncoder().encode(configuration)
        #expect(try JSONDecoder().decode(AttackConfiguration.self, from: data) == configuration)
    }

    @Test func decodesHandWrittenJSON() throws {
        let json = #"{"name": "model-negation", "scale": 1e10}"#
        let configuration = try JSONDecoder().decode(AttackConfiguration.self, from: Data(json.utf8))
        #expect(configuration == AttackConfiguration(kind: .modelNegation, scale: 1e10))
        #expect(try configuration.makeAttack().name == "model-negation(scale=1e10)")
        let bad = #"{"name": "model-inversion"}"#
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(AttackConfiguration.self, from: Data(bad.utf8))
        }
        // Absent parameters are not written.
        let encoded = String(decoding: try JSONEncoder().encode(AttackConfiguration(kind: .labelFlip)), as: UTF8.self)
        #expect(encoded == #"{"name":"label-flip"}"#)
    }

    static let invalid: [(AttackConfiguration, AttackError.Code, [String])] = [
        (AttackConfiguration(kind: .gaussian, standardDeviation: -1), .invalidParameter, ["gaussian", "sigma", "-1", "≥ 0"]),
        (AttackConfiguration(kind: .gaussian, standardDeviation: .infinity), .invalidParameter, ["sigma", "finite"]),
        (AttackConfiguration(kind: .modelNegation, scale: 0), .invalidParameter, ["model-negation", "scale", "> 0"]),
        (AttackConfiguration(kind: .gradientScale, scale: .nan), .invalidParameter, ["gradient-scale", "scale", "nan"]),
        (AttackConfiguration(kind: .signFlip, scale: -1), .invalidParameter, ["sign-flip", "scale", "> 0"]),
        (AttackConfiguration(kind: .alie, z: .infinity), .invalidParameter, ["alie", "z", "finite"]),
        (AttackConfiguration(kind: .ipm, epsilon: 0), .invalidParameter, ["ipm", "epsilon", "> 0"]),
        (AttackConfiguration(kind: .mimic, target: -2), .invalidParameter, ["mimic", "target", "-2"]),
        (AttackConfiguration(kind: .gaussian, scale: 3), .inapplicableParameter, ["gaussian", "scale", "sigma"]),
        (AttackConfiguration(kind: .labelFlip, epsilon: 1), .inapplicableParameter, ["label-flip", "epsilon", "no parameters"]),
        (AttackConfiguration(kind: .nan, z: 1), .inapplicableParameter, ["nan", "z"]),
    ]

    @Test(arguments: 0 ..< invalid.count)
    func invalidParametersThrowNamingTheParameter(index: Int) {
        let (configuration, code, fragments) = Self.invalid[index]
        let error = #expect(throws: AttackError.self) { try configuration.makeAttack() }
        #expect(error?.code == code)
        #expect(error?.parameter != nil, "the error names the parameter for the command line")
        for fragment in fragments {
            #expect(error?.message.contains(fragment) == true, "\(error?.message ?? "") lacks \(fragment)")
        }
    }

    @Test func validateChecksWorkerAndByzantineCounts() throws {
        // ALIE's automatic z needs 1 ≤ s = ⌊m/2 + 1⌋ − f ≤ m − 1.
        try ALIEAttack().validate(workerCount: 20, byzantineCount: 10)      // s = 1
        let tooMany = #expect(throws: AttackError.self) { try ALIEAttack().validate(workerCount: 20, byzantineCount: 11) }
        #expect(tooMany?.code == .invalidSetting)
        #expect(tooMany?.message.contains("s = floor(m/2 + 1) - f = 0") == true)
        #expect(throws: AttackError.self) { try ALIEAttack().validate(workerCount: 1, byzantineCount: 0) }
        try ALIEAttack(z: 1).validate(workerCount: 20, byzantineCount: 11)  // z given: nothing to derive
        // Mimic's target must be a worker.
        try MimicAttack(target: 19).validate(workerCount: 20, byzantineCount: 5)
        let outside = #expect(throws: AttackError.self) { try MimicAttack(target: 20).validate(workerCount: 20, byzantineCount: 5) }
        #expect(outside?.message.contains("0..<20") == true)
        // Counts out of range, for any attack.
        #expect(throws: AttackError.self) { try GaussianAttack().validate(workerCount: 0, byzantineCount: 0) }
        #expect(throws: AttackError.self) { try GaussianAttack().validate(workerCount: 5, byzantineCount: 6) }
        try GaussianAttack().validate(workerCount: 5, byzantineCount: 5)
    }

    @Test func resolvedWritesOutEveryDefault() throws {
        #expect(try AttackConfiguration(kind: .gaussian).resolved(workerCount: 20, byzantineCount: 5).standardDeviation == 200)
        #expect(try AttackConfiguration(kind: .modelNegation).resolved(workerCount: 20, byzantineCount: 5).scale == 1e10)
        #expect(try AttackConfiguration(kind: .signFlip).resolved(workerCount: 20, byzantineCount: 5).scale == 1)
        #expect(try AttackConfiguration(kind: .ipm).resolved(workerCount: 20, byzantineCount: 5).epsilon == 0.1)
        #expect(try AttackConfiguration(kind: .mimic).resolved(workerCount: 20, byzantineCount: 5).target == 5)
        let z = try #require(try AttackConfiguration(kind: .alie).resolved(workerCount: 20, byzantineCount: 5).z)
        #expect(z == (try ALIEAttack.automaticZ(workerCount: 20, byzantineCount: 5)))
        // A given value is kept; a resolved configuration builds the same attack.
        #expect(try AttackConfiguration(kind: .gaussian, standardDeviation: 3).resolved(workerCount: 4, byzantineCount: 1)
                .standardDeviation == 3)
        for kind in AttackKind.allCases {
            let plain = AttackConfiguration(kind: kind)
            #expect(try plain.resolved(workerCount: 20, byzantineCount: 5).makeAttack().name.hasPrefix(kind.rawValue))
        }
        #expect(throws: AttackError.self) { try AttackConfiguration(kind: .alie).resolved(workerCount: 20, byzantineCount: 11) }
    }
}
