import ArgumentParser
import BrSGDCluster
import BrSGDExperiments
import ByzantineAttacks
import Datasets
import Foundation
import RobustAggregation

/// What to train and how: the options `train` (and the networked commands) share.
struct ExperimentOptions: ParsableArguments {
    @Option(name: .long, help: "The model: lenet (LeNet-5, 61,706 parameters), mlp (784-200-10), logistic.")
    var model = "lenet"

    @Option(name: .long, help: "The dataset: fashion-mnist or mnist.")
    var dataset = "fashion-mnist"

    @Option(name: .long, help: ArgumentHelp(
        "Where the dataset's IDX files are.",
        discussion: "Searched in order: this directory, $\(DatasetLocator.environmentVariable), /usr/share/datasets/<dataset> (apt-get install dataset-fashion-mnist), ~/.cache/brsgd/<dataset>."))
    var dataDir: String?

    @Option(name: .long, help: "m, the number of workers.")
    var workers = 1

    @Option(name: .long, help: "b, how many workers are Byzantine (workers 0..<b).")
    var byzantine: Int?

    @Option(name: .long, help: "α: the fraction of Byzantine workers (b = round(α·m)); instead of --byzantine.")
    var byzantineFraction: Double?

    @Option(name: .long, help: ArgumentHelp(
        "What the Byzantine workers do: none, \(AttackKind.allCases.map(\.rawValue).joined(separator: ", ")).",
        discussion: AttackKind.allCases.map { "\($0.rawValue): \($0.summary)" }.joined(separator: "\n")))
    var attack = "none"

    @Option(name: .long, help: "σ of the gaussian attack (default 200).")
    var sigma: Double?

    @Option(name: .long, help: "The factor of model-negation and gradient-scale (default 1e10) and sign-flip (default 1).")
    var scale: Double?

    @Option(name: .long, help: "z of the alie attack (default: from m and f).")
    var z: Double?

    @Option(name: .long, help: "ε of the ipm attack (default 0.1).")
    var epsilon: Double?

    @OptionGroup(title: "Aggregation rule") var ruleOptions: RuleOptions

    @Option(name: .long, help: "f the rule assumes (trimmed-mean, krum, multi-krum, bulyan, --nnm); default b.")
    var assumedByzantine: Int?

    @Option(name: .long, help: "How the training set is split over the workers: iid or dirichlet.")
    var partition = "iid"

    @Option(name: .long, help: "The Dirichlet concentration α for --partition dirichlet (smaller: more skewed).")
    var alpha: Double?

    @Option(name: .long, help: "Epochs (one epoch: the workers together see the training set once).")
    var epochs = 5

    @Option(name: .long, help: "Examples per worker per round.")
    var batchSize = 64

    @Option(name: .customLong("lr"), help: "The learning rate η.")
    var learningRate = 0.03

    @Option(name: .long, help: "SGD momentum (the paper: 0).")
    var momentum = 0.0

    @Option(name: .long, help: "L2 weight decay (the paper: 0).")
    var weightDecay = 0.0

    @Option(name: .long, help: "The seed: the same seed gives the same bytes.")
    var seed: UInt64 = 1

    @Option(name: .long, help: "Evaluate on a seeded subset of this many test examples (default: all).")
    var testSubset: Int?

    @Option(name: .long, help: "Threads computing gradients (default: every core).")
    var threads = ProcessInfo.processInfo.activeProcessorCount

    var byzantineCount: Int {
        if let byzantine { return byzantine }
        if let byzantineFraction { return Int((byzantineFraction * Double(workers)).rounded()) }
        return 0
    }

    func validate() throws {
        guard workers >= 1 else { throw ValidationError("--workers must be ≥ 1") }
        if byzantine != nil && byzantineFraction != nil {
            throw ValidationError("give --byzantine or --byzantine-fraction, not both")
        }
        if let byzantineFraction, !(0 ... 1).contains(byzantineFraction) {
            throw ValidationError("--byzantine-fraction must lie in [0, 1], got \(byzantineFraction)")
        }
        guard (0 ... workers).contains(byzantineCount) else {
            throw ValidationError("--byzantine must lie in 0...\(workers), got \(byzantineCount)")
        }
        if byzantineCount > 0 && attack == "none" {
            throw ValidationError("\(byzantineCount) Byzantine workers need an --attack (\(AttackKind.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        if attack != "none" && AttackKind(rawValue: attack) == nil {
            throw ValidationError("unknown --attack '\(attack)'; known: none, \(AttackKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard epochs >= 1 else { throw ValidationError("--epochs must be ≥ 1") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be ≥ 1") }
        guard learningRate > 0 && learningRate.isFinite else { throw ValidationError("--lr must be > 0") }
        guard threads >= 1 else { throw ValidationError("--threads must be ≥ 1") }
        if let testSubset, testSubset < 1 { throw ValidationError("--test-subset must be ≥ 1") }
        if partition == "dirichlet" && alpha == nil {
            throw ValidationError("--partition dirichlet needs --alpha (for example 0.5)")
        }
        if partition != "iid" && partition != "dirichlet" {
            throw ValidationError("--partition must be iid or dirichlet, got '\(partition)'")
        }
        // Build everything once, so that a bad parameter fails before any data is loaded.
        let config = try experimentConfig()
        _ = try ruleOptions.makeRule(byzantineCount: config.ruleParameters["f"].map { Int($0) } ?? byzantineCount)
        do {
            _ = try ExperimentRunner.model(config.model)
            _ = try ExperimentRunner.rule(for: config)
            _ = try ExperimentRunner.attack(for: config)
        } catch let error as ExperimentError {
            throw ValidationError(error.message)
        }
    }

    /// The experiment as plain values (what the run record stores).
    func experimentConfig() throws -> ExperimentConfig {
        var ruleParameters: [String: Double] = ["beta": ruleOptions.beta]
        if let t = try ruleOptions.parsedThreshold() { ruleParameters["threshold"] = t }
        if let f = assumedByzantine { ruleParameters["f"] = Double(f) }
        if let q = ruleOptions.multiKrumCount { ruleParameters["q"] = Double(q) }
        if ruleOptions.rule == .geometricMedian { ruleParameters["nu"] = ruleOptions.smoothing }
        if let n = ruleOptions.iterations { ruleParameters["iterations"] = Double(n) }
        if ruleOptions.rule == .centeredClipping { ruleParameters["tau"] = ruleOptions.clippingRadius }
        if ruleOptions.nnm { ruleParameters["nnm"] = 1 }
        if ruleOptions.rule != .brsgd { ruleParameters.removeValue(forKey: "beta") }
        var attackParameters: [String: Double] = [:]
        if let sigma { attackParameters["sigma"] = sigma }
        if let scale { attackParameters["scale"] = scale }
        if let z { attackParameters["z"] = z }
        if let epsilon { attackParameters["epsilon"] = epsilon }
        return ExperimentConfig(
            dataset: dataset, model: model, workers: workers, byzantineCount: byzantineCount,
            attack: byzantineCount == 0 ? "none" : attack, attackParameters: attackParameters,
            rule: ruleOptions.rule.rawValue, ruleParameters: ruleParameters, partition: partition,
            dirichletAlpha: partition == "dirichlet" ? alpha : nil, epochs: epochs, batchSize: batchSize,
            learningRate: learningRate, momentum: momentum, weightDecay: weightDecay, seed: seed,
            testSubsetSize: testSubset)
    }

    var locator: DatasetLocator { DatasetLocator(dataDirectory: dataDir) }
}
