import Testing
import Foundation
import ByzantineAttacks

@Suite struct ConfigurationTests {
    @Test func knowledgeLevels() throws {
        let expected: [AttackKind: AttackKnowledge] = [
            .gaussian: .none, .nan: .none, .inf: .none,
            .gradientScale: .ownGradient, .signFlip: .ownGradient, .labelFlip: .ownGradient,
            .modelNegation: .honestGradients, .alie: .honestGradients, .ipm: .honestGradients,
            .mimic: .honestGradients, .foe: .honestGradients, .minMax: .honestGradients,
            .minSum: .honestGradients, .alieOpt: .honestGradients, .ipmOpt: .honestGradients,
        ]
        #expect(Set(expected.keys) == Set(AttackKind.allCases))
        for kind in AttackKind.allCases {
            let attack = try AttackConfiguration(kind: kind).makeAttack()
            #expect(kind.knowledge == expected[kind], "\(kind)")
            #expect(attack.knowledge == kind.knowledge, "\(kind)")
            #expect(attack.isOmniscient == kind.isOmniscient, "\(kind)")
            #expect(kind.isOmniscient == (expected[kind] == .honestGradients))
            #expect((attack.labelTransform(classCount: 10) != nil) == (kind == .labelFlip), "\(kind)")
            #expect(attack.needsDefender == kind.needsDefender, "\(kind)")
            #expect(kind.needsDefender == [.alieOpt, .ipmOpt].contains(kind), "\(kind)")
            // Only the attacks that draw noise or read the worker's own gradient differ by worker.
            let perWorker: Set<AttackKind> = [.gaussian, .gradientScale, .labelFlip, .signFlip, .nan, .inf]
            #expect(attack.isIdenticalAcrossWorkers == !perWorker.contains(kind), "\(kind)")
        }
        #expect(AttackKnowledge.none < .ownGradient && AttackKnowledge.ownGradient < .honestGradients)
    }

    @Test func paperAttacksAreTheFour() {
        #expect(AttackKind.paperAttacks == [.gaussian, .modelNegation, .gradientScale, .labelFlip])
        #expect(AttackKind.allCases.map(\.rawValue) == [
            "gaussian", "model-negation", "gradient-scale", "label-flip", "sign-flip",
            "alie", "ipm", "mimic", "nan", "inf", "foe", "min-max", "min-sum", "alie-opt", "ipm-opt",
        ])
        #expect(AttackKind.allCases.allSatisfy { !$0.summary.isEmpty && !$0.summary.contains("\n") })
    }

    @Test func defaultsAndNames() throws {
        let names = try AttackKind.allCases.map { try AttackConfiguration(kind: $0).makeAttack().name }
        #expect(names == [
            "gaussian(sigma=200)", "model-negation(scale=1e10)", "gradient-scale(scale=1e10)",
            "label-flip", "sign-flip(scale=1)", "alie(z=auto)", "ipm(epsilon=0.1)",
            "mimic(target=first-honest)", "nan", "inf", "foe(factor=3)",
            "min-max(perturbation=inverse-std,initial_gamma=10)", "min-sum(perturbation=inverse-std,initial_gamma=10)",
            "alie-opt(evaluations=20,search_start=0,search_step=10,search_ratio=0.8)",
            "ipm-opt(evaluations=20,search_start=0,search_step=10,search_ratio=0.8)",
        ])
        #expect(try AttackConfiguration(kind: .gaussian, standardDeviation: 2.5).makeAttack().name == "gaussian(sigma=2.5)")
        #expect(try AttackConfiguration(kind: .alie, z: 1.5).makeAttack().name == "alie(z=1.5)")
        #expect(try AttackConfiguration(kind: .gradientScale, scale: 2.5e7).makeAttack().name == "gradient-scale(scale=2.5e7)")
        #expect(try AttackConfiguration(kind: .mimic, target: 3).makeAttack().name == "mimic(target=3)")
        #expect(try AttackConfiguration(kind: .ipm, epsilon: 100).makeAttack().name == "ipm(epsilon=100)")
        #expect(try AttackConfiguration(kind: .mimic, mimicMode: .maxVariance).makeAttack().name == "mimic(target=max-variance)")
        #expect(try AttackConfiguration(kind: .foe, factor: -0.5).makeAttack().name == "foe(factor=-0.5)")
        #expect(try AttackConfiguration(kind: .minSum, perturbation: .inverseSign, initialGamma: 50).makeAttack().name
                == "min-sum(perturbation=inverse-sign,initial_gamma=50)")
        #expect(try AttackConfiguration(kind: .ipmOpt, evaluations: 5, searchStart: 1, searchStep: -2, searchRatio: 0.75)
                .makeAttack().name == "ipm-opt(evaluations=5,search_start=1,search_step=-2,search_ratio=0.75)")
    }

    @Test func parametersReachTheAttack() throws {
        #expect(try #require(AttackConfiguration(kind: .gaussian, standardDeviation: 3).makeAttack() as? GaussianAttack).standardDeviation == 3)
        #expect(try #require(AttackConfiguration(kind: .modelNegation, scale: 5).makeAttack() as? ModelNegationAttack).scale == 5)
        #expect(try #require(AttackConfiguration(kind: .signFlip, scale: 2).makeAttack() as? SignFlipAttack).scale == 2)
        #expect(try #require(AttackConfiguration(kind: .alie, z: -0.5).makeAttack() as? ALIEAttack).z == -0.5)
        #expect(try #require(AttackConfiguration(kind: .ipm, epsilon: 0.5).makeAttack() as? IPMAttack).epsilon == 0.5)
        #expect(try #require(AttackConfiguration(kind: .mimic, target: 2).makeAttack() as? MimicAttack).target == 2)
        #expect(try #require(AttackConfiguration(kind: .inf).makeAttack() as? NonFiniteAttack).value == .positiveInfinity)
        let mimic = try #require(AttackConfiguration(kind: .mimic, mimicMode: .maxVariance).makeAttack() as? MimicAttack)
        #expect(mimic.mode == .maxVariance && mimic.target == nil)
        #expect(try #require(AttackConfiguration(kind: .mimic, target: 1, mimicMode: .fixed).makeAttack() as? MimicAttack).target == 1)
        #expect(try #require(AttackConfiguration(kind: .foe, factor: 4).makeAttack() as? FallOfEmpiresAttack).factor == 4)
        let minMax = try #require(AttackConfiguration(kind: .minMax, perturbation: .inverseUnitVector, initialGamma: 3)
            .makeAttack() as? MinMaxAttack)
        #expect(minMax.perturbation == .inverseUnitVector && minMax.initialGamma == 3)
        let minSum = try #require(AttackConfiguration(kind: .minSum, perturbation: .inverseSign).makeAttack() as? MinSumAttack)
        #expect(minSum.perturbation == .inverseSign && minSum.initialGamma == 10)
        let search = FactorLineSearch(evaluations: 7, start: 0.5, step: 2, ratio: 0.6)
        #expect(try #require(AttackConfiguration(kind: .alieOpt, evaluations: 7, searchStart: 0.5, searchStep: 2, searchRatio: 0.6)
                .makeAttack() as? OptimalALIEAttack).search == search)
        #expect(try #require(AttackConfiguration(kind: .ipmOpt, evaluations: 7, searchStart: 0.5, searchStep: 2, searchRatio: 0.6)
                .makeAttack() as? OptimalIPMAttack).search == search)
        #expect(try #require(AttackConfiguration(kind: .ipmOpt).makeAttack() as? OptimalIPMAttack).search == FactorLineSearch())
    }

    static let roundTripCases: [AttackConfiguration] = [
        AttackConfiguration(kind: .gaussian), AttackConfiguration(kind: .gaussian, standardDeviation: 50),
        AttackConfiguration(kind: .modelNegation, scale: 1e10), AttackConfiguration(kind: .gradientScale),
        AttackConfiguration(kind: .labelFlip), AttackConfiguration(kind: .signFlip, scale: 2),
        AttackConfiguration(kind: .alie), AttackConfiguration(kind: .alie, z: 1.25),
        AttackConfiguration(kind: .ipm, epsilon: 0.25), AttackConfiguration(kind: .mimic, target: 4),
        AttackConfiguration(kind: .nan), AttackConfiguration(kind: .inf),
        AttackConfiguration(kind: .mimic, mimicMode: .maxVariance), AttackConfiguration(kind: .foe, factor: 2.5),
        AttackConfiguration(kind: .minMax, perturbation: .inverseUnitVector, initialGamma: 20),
        AttackConfiguration(kind: .minSum, perturbation: .inverseStandardDeviation),
        AttackConfiguration(kind: .alieOpt, evaluations: 30, searchStart: 0.5, searchStep: 5, searchRatio: 0.9),
        AttackConfiguration(kind: .ipmOpt),
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

    @Test func newParametersUseTheCommandLineNamesInJSON() throws {
        let json = #"""
        {"name": "alie-opt", "evaluations": 12, "search_start": 1, "search_step": 4, "search_ratio": 0.7}
        """#
        let configuration = try JSONDecoder().decode(AttackConfiguration.self, from: Data(json.utf8))
        #expect(configuration == AttackConfiguration(
            kind: .alieOpt, evaluations: 12, searchStart: 1, searchStep: 4, searchRatio: 0.7))
        let minMax = try JSONDecoder().decode(
            AttackConfiguration.self,
            from: Data(#"{"name": "min-max", "perturbation": "inverse-unit-vector", "initial_gamma": 5}"#.utf8))
        #expect(minMax == AttackConfiguration(kind: .minMax, perturbation: .inverseUnitVector, initialGamma: 5))
        let mimic = try JSONDecoder().decode(
            AttackConfiguration.self, from: Data(#"{"name": "mimic", "mimic_mode": "max-variance"}"#.utf8))
        #expect(mimic.mimicMode == .maxVariance)
        let foe = try JSONDecoder().decode(AttackConfiguration.self, from: Data(#"{"name": "foe", "factor": 3}"#.utf8))
        #expect(foe.factor == 3)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(AttackConfiguration.self, from: Data(#"{"name": "min-max", "perturbation": "unit"}"#.utf8))
        }
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(AttackConfiguration.self, from: Data(#"{"name": "mimic", "mimic_mode": "variance"}"#.utf8))
        }
        // Every parameter's raw value is its JSON key, and its option the same with dashes.
        let keys = Set(AttackConfiguration.Parameter.allCases.map(\.rawValue))
        #expect(keys.isSuperset(of: ["mimic_mode", "factor", "perturbation", "initial_gamma", "evaluations",
                                     "search_start", "search_step", "search_ratio"]))
        #expect(AttackConfiguration.Parameter.initialGamma.option == "--initial-gamma")
        #expect(AttackConfiguration.Parameter.mimicMode.option == "--mimic-mode")
        let everything = AttackConfiguration(
            kind: .gaussian, standardDeviation: 1, scale: 1, z: 1, epsilon: 1, target: 1, mimicMode: .fixed,
            factor: 1, perturbation: .inverseSign, initialGamma: 1, evaluations: 1, searchStart: 1, searchStep: 1,
            searchRatio: 0.6)
        let object = try #require(
            JSONSerialization.jsonObject(with: JSONEncoder().encode(everything)) as? [String: Any])
        #expect(Set(object.keys) == keys.union(["name"]))
        #expect(Set(everything.givenParameters) == Set(AttackConfiguration.Parameter.allCases))
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
        (AttackConfiguration(kind: .foe, factor: .nan), .invalidParameter, ["foe", "factor", "finite"]),
        (AttackConfiguration(kind: .foe, epsilon: 2), .inapplicableParameter, ["foe", "epsilon", "factor"]),
        (AttackConfiguration(kind: .ipm, factor: 2), .inapplicableParameter, ["ipm", "factor", "epsilon"]),
        (AttackConfiguration(kind: .minMax, initialGamma: 0), .invalidParameter, ["min-max", "initial_gamma", "> 0"]),
        (AttackConfiguration(kind: .minSum, initialGamma: .infinity), .invalidParameter, ["min-sum", "initial_gamma", "finite"]),
        (AttackConfiguration(kind: .minMax, evaluations: 5), .inapplicableParameter, ["min-max", "evaluations", "perturbation"]),
        (AttackConfiguration(kind: .alie, perturbation: .inverseSign), .inapplicableParameter, ["alie", "perturbation", "z"]),
        (AttackConfiguration(kind: .alieOpt, evaluations: 0), .invalidParameter, ["alie-opt", "evaluations", "≥ 1"]),
        (AttackConfiguration(kind: .ipmOpt, evaluations: -3), .invalidParameter, ["ipm-opt", "evaluations", "-3"]),
        (AttackConfiguration(kind: .alieOpt, searchStart: .nan), .invalidParameter, ["alie-opt", "search_start", "finite"]),
        (AttackConfiguration(kind: .ipmOpt, searchStep: 0), .invalidParameter, ["ipm-opt", "search_step", "≠ 0"]),
        (AttackConfiguration(kind: .alieOpt, searchStep: .infinity), .invalidParameter, ["alie-opt", "search_step", "finite"]),
        (AttackConfiguration(kind: .ipmOpt, searchRatio: 0.5), .invalidParameter, ["ipm-opt", "search_ratio", "(0.5, 1)"]),
        (AttackConfiguration(kind: .alieOpt, searchRatio: 1), .invalidParameter, ["alie-opt", "search_ratio", "(0.5, 1)"]),
        (AttackConfiguration(kind: .alieOpt, z: 1), .inapplicableParameter, ["alie-opt", "z", "evaluations"]),
        (AttackConfiguration(kind: .ipmOpt, epsilon: 1), .inapplicableParameter, ["ipm-opt", "epsilon", "search_ratio"]),
        (AttackConfiguration(kind: .mimic, target: 3, mimicMode: .maxVariance), .inapplicableParameter,
         ["mimic", "target", "max-variance"]),
        (AttackConfiguration(kind: .gaussian, mimicMode: .fixed), .inapplicableParameter, ["gaussian", "mimic_mode"]),
    ]

    @Test(arguments: 0 ..< invalid.count)
    func invalidParametersThrowNamingTheParameter(index: Int) {
        let (configuration, code, fragments) = Self.invalid[index]
        let error = #expect(throws: AttackError.self) { try configuration.makeAttack() }
        #expect(error?.code == code)
        #expect(error?.parameter != nil, "the error names the parameter for the command line")
        #expect(error.flatMap { $0.parameter.map { fragments.contains($0.rawValue) } } == true,
                "the error names the parameter the message is about")
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
        let mimic = try AttackConfiguration(kind: .mimic).resolved(workerCount: 20, byzantineCount: 5)
        #expect(mimic.mimicMode == .fixed && mimic.target == 5)
        let maxVariance = try AttackConfiguration(kind: .mimic, mimicMode: .maxVariance).resolved(workerCount: 20, byzantineCount: 5)
        #expect(maxVariance == AttackConfiguration(kind: .mimic, mimicMode: .maxVariance))
        #expect(try AttackConfiguration(kind: .foe).resolved(workerCount: 20, byzantineCount: 5).factor == 3)
        for kind in [AttackKind.minMax, .minSum] {
            #expect(try AttackConfiguration(kind: kind).resolved(workerCount: 20, byzantineCount: 5)
                    == AttackConfiguration(kind: kind, perturbation: .inverseStandardDeviation, initialGamma: 10))
        }
        for kind in [AttackKind.alieOpt, .ipmOpt] {
            #expect(try AttackConfiguration(kind: kind).resolved(workerCount: 20, byzantineCount: 9)
                    == AttackConfiguration(kind: kind, evaluations: 20, searchStart: 0, searchStep: 10, searchRatio: 0.8))
        }
        let z = try #require(try AttackConfiguration(kind: .alie).resolved(workerCount: 20, byzantineCount: 5).z)
        #expect(z == (try ALIEAttack.automaticZ(workerCount: 20, byzantineCount: 5)))
        // A given value is kept; a resolved configuration builds the same attack.
        #expect(try AttackConfiguration(kind: .gaussian, standardDeviation: 3).resolved(workerCount: 4, byzantineCount: 1)
                .standardDeviation == 3)
        for kind in AttackKind.allCases {
            let plain = AttackConfiguration(kind: kind)
            let resolved = try plain.resolved(workerCount: 20, byzantineCount: 5)
            #expect(try resolved.makeAttack().name.hasPrefix(kind.rawValue), "\(kind)")
            // Every parameter the kind takes is written out (mimic's target only in fixed mode).
            #expect(Set(resolved.givenParameters) == Set(kind.parameters), "\(kind)")
            // Resolving twice changes nothing, and the resolved configuration names the same attack.
            #expect(try resolved.resolved(workerCount: 20, byzantineCount: 5) == resolved, "\(kind)")
            if kind != .mimic && kind != .alie {
                #expect(try resolved.makeAttack().name == plain.makeAttack().name, "\(kind)")
            }
        }
        #expect(throws: AttackError.self) { try AttackConfiguration(kind: .alie).resolved(workerCount: 20, byzantineCount: 11) }
    }
}
