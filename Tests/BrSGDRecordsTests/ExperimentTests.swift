@testable import BrSGDRecords
import ByzantineAttacks
import Datasets
import Foundation
import RobustAggregation
import Testing

@Suite struct ExperimentResolutionTests {
    @Test func everyDefaultIsWrittenOut() throws {
        let plain = Experiment(workers: 20, byzantine: 5, attack: AttackConfiguration(kind: .gaussian),
                               rule: RuleConfiguration(name: .krum))
        let resolved = try plain.resolved()
        #expect(resolved.attack?.standardDeviation == 200)
        #expect(resolved.rule.byzantineCount == 5, "Krum's f defaults to b")
        let alie = try Experiment(workers: 20, byzantine: 5, attack: AttackConfiguration(kind: .alie),
                                  rule: RuleConfiguration(name: .brsgd)).resolved()
        #expect(alie.attack?.z == (try ALIEAttack.automaticZ(workerCount: 20, byzantineCount: 5)))
        #expect(alie.rule.selectionFraction == 0.5 && alie.rule.byzantineCount == nil, "BrSGD takes no f")
        // A given f is kept; NNM brings f to a rule that does not take it.
        let given = try Experiment(workers: 20, byzantine: 5, attack: AttackConfiguration(kind: .gaussian),
                                   rule: RuleConfiguration(name: .krum, byzantineCount: 3)).resolved()
        #expect(given.rule.byzantineCount == 3)
        let nnm = try Experiment(workers: 20, byzantine: 4, attack: AttackConfiguration(kind: .gaussian),
                                 rule: RuleConfiguration(name: .brsgd, nearestNeighborMixing: true)).resolved()
        #expect(nnm.rule.byzantineCount == 4)
        #expect(try nnm.validated().rule.name == "nnm(f=4)+brsgd(beta=0.5,threshold=auto)")
    }

    @Test func resolvingTwiceChangesNothing() throws {
        let once = try Experiment(workers: 20, byzantine: 9, attack: AttackConfiguration(kind: .ipm),
                                  rule: RuleConfiguration(name: .centeredClipping)).resolved()
        #expect(try once.resolved() == once)
    }
}

@Suite struct ExperimentValidationTests {
    static let base = Experiment(workers: 20, byzantine: 5, attack: AttackConfiguration(kind: .gaussian))

    /// One bad field each: the error names that field (and for rule and attack parameters,
    /// the parameter), so the command line can name its option.
    static let invalid: [(String, @Sendable (inout Experiment) -> Void, Experiment.Field, String?)] = [
        ("no workers", { $0.workers = 0 }, .workers, nil),
        ("too many workers", { $0.workers = 100_000 }, .workers, nil),
        ("b > m", { $0.byzantine = 21 }, .byzantine, nil),
        ("negative b", { $0.byzantine = -1 }, .byzantine, nil),
        ("no attack for b > 0", { $0.attack = nil }, .attack, nil),
        ("attack without b", { $0.byzantine = 0 }, .attack, nil),
        ("no epochs", { $0.epochs = 0 }, .epochs, nil),
        ("batch 0", { $0.batchSize = 0 }, .batchSize, nil),
        ("batch > N", { $0.batchSize = 60_001 }, .batchSize, nil),
        ("η < 0", { $0.learningRate = -1 }, .learningRate, nil),
        ("η NaN", { $0.learningRate = .nan }, .learningRate, nil),
        ("momentum 1", { $0.momentum = 1 }, .momentum, nil),
        ("momentum NaN", { $0.momentum = .nan }, .momentum, nil),
        ("worker momentum 1", { $0.workerMomentum = 1 }, .workerMomentum, nil),
        ("worker momentum NaN", { $0.workerMomentum = .nan }, .workerMomentum, nil),
        ("worker momentum < 0", { $0.workerMomentum = -0.1 }, .workerMomentum, nil),
        ("worker momentum ∞", { $0.workerMomentum = .infinity }, .workerMomentum, nil),
        ("weight decay < 0", { $0.weightDecay = -1 }, .weightDecay, nil),
        ("Dirichlet α 0", { $0.partition = .dirichlet(alpha: 0) }, .dirichletAlpha, nil),
        ("test subset 0", { $0.testSubset = 0 }, .testSubset, nil),
        ("test subset > test set", { $0.testSubset = 10_001 }, .testSubset, nil),
        ("no threads", { $0.threads = 0 }, .threads, nil),
        ("β 2", { $0.rule.selectionFraction = 2 }, .rule, "beta"),
        ("krum takes no β", { $0.rule = RuleConfiguration(name: .krum, byzantineCount: 5, selectionFraction: 0.5) }, .rule, "beta"),
        ("krum at m = 4, f = 2", { $0.workers = 4; $0.byzantine = 2; $0.rule = RuleConfiguration(name: .krum, byzantineCount: 2) }, .rule, nil),
        ("σ < 0", { $0.attack?.standardDeviation = -1 }, .attack, "sigma"),
        ("gaussian takes no scale", { $0.attack?.scale = 3 }, .attack, "scale"),
    ]

    @Test(arguments: 0 ..< invalid.count)
    func aBadFieldIsNamed(index: Int) {
        let (label, change, field, parameter) = Self.invalid[index]
        var experiment = Self.base
        change(&experiment)
        let error = #expect(throws: ExperimentError.self, "\(label)") { try experiment.validated() }
        #expect(error?.field == field, "\(label): \(error?.description ?? "")")
        #expect((error?.ruleParameter?.rawValue ?? error?.attackParameter?.rawValue) == parameter, "\(label)")
    }

    @Test func theMessageNamesTheOptionTheValueAndTheRange() throws {
        var experiment = Self.base
        experiment.batchSize = 0
        let error = try #require(throws: ExperimentError.self) { try experiment.validated() }
        #expect(error.commandLineDescription == "--batch-size: is 0; it must lie in 1...60000 (the training examples)")
        #expect(error.description == "batch_size: is 0; it must lie in 1...60000 (the training examples)")
        var rule = Self.base
        rule.rule.selectionFraction = 1.5
        let ruleError = try #require(throws: ExperimentError.self) { try rule.validated() }
        #expect(ruleError.commandLineDescription == "--beta: brsgd's β must lie in (0, 1], got 1.5")
    }

    @Test func aMatrixTooLargeForTheMachineIsRefused() {
        #expect(throws: ExperimentError.self) {
            try Experiment.checkMemory(rows: 10_000, columns: 10_000_000_000, field: .workers)
        }
        #expect(throws: Never.self) { try Experiment.checkMemory(rows: 20, columns: 61_706, field: .workers) }
    }

    @Test func aValidExperimentBuildsItsRuleAndAttackOnce() throws {
        let checked = try Self.base.resolved().validated()
        #expect(checked.rule.name == "brsgd(beta=0.5,threshold=auto)")
        #expect(checked.attack?.name == "gaussian(sigma=200)")
    }
}

@Suite struct ExperimentFileTests {
    @Test func jsonRoundTripsEveryField() throws {
        let experiment = try Experiment(
            model: .mlp, dataset: .mnist, dataDirectory: "/data", partition: .dirichlet(alpha: 0.5), workers: 20,
            byzantine: 9, attack: AttackConfiguration(kind: .alie, z: -1.5),
            rule: RuleConfiguration(name: .trimmedMean, nearestNeighborMixing: true), learningRate: 0.1,
            momentum: 0.9, weightDecay: 1e-4, epochs: 3, batchSize: 16, seed: .max, testSubset: 500, threads: 3).resolved()
        let decoded = try JSONDecoder().decode(Experiment.self, from: experiment.jsonData())
        #expect(decoded == experiment)
        let text = String(decoding: try experiment.jsonData(), as: UTF8.self)
        for key in ["\"dirichlet_alpha\"", "\"batch_size\"", "\"lr\"", "\"assumed_byzantine\"", "\"test_subset\""] {
            #expect(text.contains(key), "\(key)")
        }
        #expect(!text.contains("selectionFraction") && !text.contains("byzantineCount"))
    }

    @Test func aHandWrittenFileNeedsOnlyWhatDiffersFromTheDefaults() throws {
        let json = #"{"workers": 4, "byzantine": 1, "attack": {"name": "sign-flip"}, "rule": {"name": "median"}}"#
        let experiment = try JSONDecoder().decode(Experiment.self, from: Data(json.utf8))
        #expect(experiment.workers == 4 && experiment.model == .lenet && experiment.epochs == 5 && experiment.seed == 1)
        #expect(try experiment.resolved().attack?.scale == 1)
    }

    @Test(arguments: [
        #"{"workerz": 4}"#,                                           // a typo is not ignored
        #"{"partition": "dirichlet"}"#,                               // needs its α
        #"{"partition": "iid", "dirichlet_alpha": 0.5}"#,            // α without dirichlet
        #"{"partition": "stratified"}"#,
        #"{"model": "resnet"}"#,
        #"{"rule": {"name": "brsgd", "threshold": "sometimes"}}"#,
        #"{"attack": {"name": "gauss"}}"#,
    ])
    func badFilesAreRefused(json: String) {
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Experiment.self, from: Data(json.utf8)) }
    }

    @Test func readTakesAnExperimentFileOrARunRecordAndNamesAFileItCannotRead() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("brsgd-exp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let experiment = try ExperimentValidationTests.base.resolved()
        let file = directory.appendingPathComponent("experiment.json")
        try experiment.jsonData().write(to: file)
        #expect(try Experiment.read(from: file) == experiment)
        let record = RunRecord(config: experiment, epochs: [], totalSeconds: 1, aggregationTiming: TimingSummary(milliseconds: []),
                               byzantineSelection: ByzantineSelection(rounds: 0, workers: []), startedAt: "", finishedAt: "",
                               brsgdVersion: "test")
        let recordFile = directory.appendingPathComponent("run.json")
        try record.write(to: recordFile)
        #expect(try Experiment.read(from: recordFile) == experiment)
        let missing = #expect(throws: ExperimentError.self) { try Experiment.read(from: directory.appendingPathComponent("none.json")) }
        #expect(missing?.description == "cannot read \(directory.path)/none.json: no such file or directory")
        try Data("{\"workers\": \"many\"}".utf8).write(to: file)
        let bad = #expect(throws: ExperimentError.self) { try Experiment.read(from: file) }
        #expect(bad?.description.contains("workers") == true)
        #expect(bad?.description.contains("NSCocoa") == false)
    }

    @Test func recordsWrittenBeforeTheTypedExperimentStillRead() throws {
        let legacy = #"""
            {"attack": "gaussian", "attack_parameters": {"sigma": 200}, "batch_size": 8, "byzantine_count": 5,
             "dataset": "fashion-mnist", "epochs": 10, "learning_rate": 0.03, "model": "lenet", "momentum": 0,
             "partition": "iid", "rule": "krum", "rule_parameters": {}, "seed": 1, "weight_decay": 0, "workers": 20}
            """#
        let experiment = try JSONDecoder().decode(Experiment.self, from: Data(legacy.utf8))
        #expect(experiment.attack == AttackConfiguration(kind: .gaussian, standardDeviation: 200))
        #expect(experiment.rule == RuleConfiguration(name: .krum, byzantineCount: 5))
        #expect(experiment.byzantine == 5 && experiment.batchSize == 8)
    }
}

@Suite struct NormalizeAndWorkerMomentumFieldTests {
    @Test func theDefaultsStandardiseAndSendGradients() throws {
        let experiment = Experiment()
        #expect(experiment.normalize && experiment.workerMomentum == 0)
        #expect(experiment.inputStandardization == Standardization(mean: 0.2860, standardDeviation: 0.3530))
        var raw = experiment
        raw.normalize = false
        #expect(raw.inputStandardization == nil)
    }

    @Test(arguments: [0.0, 0.5, 0.9, 0.999])
    func bothFieldsSurviveAJSONRoundTrip(beta: Double) throws {
        for normalize in [true, false] {
            let experiment = Experiment(workers: 20, byzantine: 5, attack: AttackConfiguration(kind: .signFlip),
                                        workerMomentum: beta, normalize: normalize)
            let data = try experiment.jsonData()
            let text = String(decoding: data, as: UTF8.self)
            #expect(text.contains("\"worker_momentum\" : \(beta == 0 ? "0" : "\(beta)")"), "\(text)")
            #expect(text.contains("\"normalize\" : \(normalize)"))
            let back = try JSONDecoder().decode(Experiment.self, from: data)
            #expect(back == experiment)
            #expect(back.id == experiment.id)
            _ = try back.resolved().validated()
        }
    }

    @Test func aFileWithoutTheFieldsReadsAsWhatRunsBeforeThemRan() throws {
        // Records written before `normalize` existed trained on raw pixels, with no worker momentum.
        let experiment = try JSONDecoder().decode(Experiment.self, from: Data(#"{"workers": 4}"#.utf8))
        #expect(!experiment.normalize && experiment.workerMomentum == 0)
        let legacy = #"""
            {"attack": "none", "attack_parameters": {}, "batch_size": 8, "byzantine_count": 0,
             "dataset": "fashion-mnist", "epochs": 10, "learning_rate": 0.03, "model": "lenet", "momentum": 0,
             "partition": "iid", "rule": "mean", "rule_parameters": {}, "seed": 1, "weight_decay": 0, "workers": 20}
            """#
        #expect(try JSONDecoder().decode(Experiment.self, from: Data(legacy.utf8)).normalize == false)
    }

    @Test func olderRunsKeepTheirIdsAndTheNewFieldsTellRunsApart() throws {
        // The ids of runs without the fields (raw pixels, no worker momentum) are what they were.
        let old = try JSONDecoder().decode(Experiment.self, from: Data(#"{"workers": 4, "seed": 3}"#.utf8))
        var raw = Experiment(workers: 4, seed: 3)
        raw.normalize = false
        #expect(raw.id == old.id)
        #expect(!old.canonicalText.contains("normalize") && !old.canonicalText.contains("worker_momentum"))
        var standardised = raw
        standardised.normalize = true
        #expect(standardised.id != raw.id)
        var momentum = standardised
        momentum.workerMomentum = 0.9
        #expect(momentum.id != standardised.id)
        #expect(momentum.id.contains("-wmom0.9-"), "\(momentum.id)")
    }

    @Test func theErrorNamesTheOption() throws {
        var experiment = Experiment()
        experiment.workerMomentum = 1
        let error = try #require(throws: ExperimentError.self) { try experiment.validated() }
        #expect(error.commandLineDescription.hasPrefix("--worker-momentum: is 1.0; it must lie in [0, 1)"))
        #expect(error.description.hasPrefix("worker_momentum: is 1.0"))
    }
}

@Suite struct ExampleFileTests {
    /// docs/experiment-example.json, the schema's example in the repository, stays valid.
    @Test func theRepositorysExampleFileIsAValidExperiment() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let experiment = try Experiment.read(from: root.appendingPathComponent("docs/experiment-example.json"))
        let checked = try experiment.resolved().validated()
        #expect(checked.experiment.partition == .dirichlet(alpha: 0.5))
        #expect(checked.attack?.name == "alie(z=1)")
    }
}

@Suite struct ExperimentDifferenceTests {
    @Test func differencesNameEveryFieldOfTheIdThatDiffers() {
        let base = Experiment(model: .logistic, dataset: .fashionMNIST, workers: 4, learningRate: 0.1, epochs: 1, batchSize: 8)
        var other = base
        other.epochs = 3
        other.testSubset = 500
        other.threads = 8          // not part of the id
        other.dataDirectory = "/x" // nor this
        #expect(base.differences(from: base).isEmpty)
        #expect(base.differences(from: other).map(\.description) == ["epochs: 1 here, 3 there", "test_subset: null here, 500 there"])
        #expect(base.differences(from: other).isEmpty == (base.id == other.id))
    }
}
