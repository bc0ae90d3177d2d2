import ArgumentParser
import BrSGDCluster
import BrSGDRecords
import ByzantineAttacks
import Datasets
import Foundation
import RobustAggregation

/// `--model` takes the built-in models only: the `parameters` model is `brsgd master --parameters`.
extension ModelName: ExpressibleByArgument {
    public init?(argument: String) {
        guard let model = ModelName(rawValue: argument), model.isBuiltIn else { return nil }
        self = model
    }

    public static var allValueStrings: [String] { builtIn.map(\.rawValue) }
}
extension DatasetName: ExpressibleByArgument {}

/// `train`'s experiment: every attack.
typealias TrainingOptions = ExperimentOptions<EveryAttack>
/// `master`'s and `cluster`'s experiment: the attacks a networked worker runs alone.
typealias NetworkExperimentOptions = ExperimentOptions<AttacksOfOneWorker>

/// How the training set is split, as `--partition` spells it.
enum PartitionName: String, ExpressibleByArgument, CaseIterable {
    case iid, dirichlet, gamma
}

/// What to train and how: the options `train` (``TrainingOptions``), `master` and `cluster`
/// (``NetworkExperimentOptions``) share, their attacks in `Scope`. They build one
/// ``Experiment``: from `--config` (an experiment file or a run record) or the defaults,
/// with every option given here replacing its field; then every default is resolved and
/// the whole is validated once, before any data is loaded.
struct ExperimentOptions<Scope: AttackScope>: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Start from this experiment: a JSON experiment file or a run record (replays it); the options given beside it replace its fields.",
        discussion: "The schema, with every field, is in docs/experiment-example.json. A run record replayed gives the same model bytes as the run that wrote it."))
    var config: String?

    @Option(name: .long, help: ArgumentHelp(
        "The model: \(ModelName.builtIn.map(\.rawValue).joined(separator: ", ")) (default lenet).",
        discussion: ModelName.builtIn.map { "\($0.rawValue): \($0.summary)" }.joined(separator: "\n")))
    var model: ModelName?

    @Option(name: .long, help: "The dataset: \(DatasetName.allCases.map(\.rawValue).joined(separator: " or ")) (default fashion-mnist).")
    var dataset: DatasetName?

    @Option(name: .long, help: DataDirectoryHelp.help)
    var dataDir: String?

    @Option(name: .long, parsing: .unconditional, help: "m, the number of workers (default 1).")
    var workers: Int?

    @Option(name: .long, parsing: .unconditional, help: "b, how many workers are Byzantine (workers 0..<b; default 0).")
    var byzantine: Int?

    @Option(name: .long, parsing: .unconditional, help: "α, the fraction of Byzantine workers: b = round(α·m), instead of --byzantine.")
    var byzantineFraction: Double?

    @OptionGroup(title: "Attack") var attackOptions: AttackOptions<Scope>

    @OptionGroup(title: "Aggregation rule") var ruleOptions: RuleOptions

    @Option(name: .long, help: "How the training set is split over the workers: iid (default), dirichlet (with --dirichlet-alpha) or gamma (ByzFL's gamma similarity, with --gamma).")
    var partition: PartitionName?

    @Option(name: .long, parsing: .unconditional, help: "The concentration α of --partition dirichlet, > 0 (smaller: more skewed; e.g. 0.5).")
    var dirichletAlpha: Double?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp(
        "γ of --partition gamma, in [0, 1]: the fraction of the data split IID (1: IID; 0: sorted by label, one or two labels per worker).",
        discussion: "ByzFL's gamma similarity: the other 1 − γ is sorted by label and cut into contiguous shards. As in ByzFL, the data goes to the honest workers only."))
    var gamma: Double?

    @Option(name: .long, parsing: .unconditional, help: "Epochs: each one, the workers together see the training set once (default 5).")
    var epochs: Int?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp(
        "Run exactly this many rounds instead of whole epochs (ByzFL counts steps: --rounds 800).",
        discussion: "An epoch still closes, and is evaluated, every ⌈N / (m·B)⌉ rounds; the last one may be shorter. Not with --epochs. With master --parameters: T, the rounds of the bare vector."))
    var rounds: Int?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp(
        "Also evaluate on the test set before the first round and after every this many rounds (ByzFL: 50); the record keeps the points and the peak accuracy.",
        discussion: "Default: at the end of each epoch only."))
    var evaluateEvery: Int?

    @Option(name: .long, parsing: .unconditional, help: "Examples per worker per round (default 64).")
    var batchSize: Int?

    @Option(name: .customLong("lr"), parsing: .unconditional, help: "The learning rate η, > 0 (default 0.03).")
    var learningRate: Double?

    @Option(name: .long, parsing: .unconditional, help: "The master's SGD momentum, in [0, 1) (the paper: 0).")
    var momentum: Double?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp(
        "Worker momentum β, in [0, 1): each honest worker sends m_t = β·m_(t−1) + (1 − β)·g_t instead of its gradient (default 0: the gradient itself).",
        discussion: "Karimireddy, He & Jaggi (ICML 2021) pair β = 0.9 with robust rules. Omniscient attackers see the honest momenta; a Byzantine worker that starts from its own gradient (gradient-scale, sign-flip, label-flip) starts from its own momentum instead."))
    var workerMomentum: Double?

    @Flag(inversion: .prefixedNo, help: ArgumentHelp(
        "Standardise the input with the training set's pixel mean and standard deviation, as torchvision's Normalize (the default); --no-normalize trains on raw [0, 1] pixels.",
        discussion: "FashionMNIST: (x − 0.2860) / 0.3530; MNIST: (x − 0.1307) / 0.3081, in training and test alike."))
    var normalize: Bool?

    @Option(name: .long, parsing: .unconditional, help: "L2 weight decay, ≥ 0 (the paper: 0).")
    var weightDecay: Double?

    @Option(name: .long, parsing: .unconditional, help: "The seed: the same seed gives the same bytes (default 1).")
    var seed: UInt64?

    @Option(name: .long, parsing: .unconditional, help: "Evaluate on a seeded subset of this many test examples (default: all).")
    var testSubset: Int?

    @Option(name: .long, parsing: .unconditional, help: "Threads computing gradients (default: every core); the bytes do not depend on it.")
    var threads: Int?

    /// The experiment: base, options, defaults resolved, validated — its rule and attack built.
    /// - Throws: ``UsageError`` or ``ExperimentError`` naming the option (exit 64).
    func checkedExperiment() throws -> Experiment.Checked {
        var experiment: Experiment
        if let config {
            experiment = try Experiment.read(from: URL(fileURLWithPath: config))
            guard experiment.model.isBuiltIn else {
                throw UsageError("--config \(config): a run of the \(experiment.model.rawValue) model (a vector its workers define), which only brsgd master --parameters serves")
            }
            experiment.dataDirectory = nil
        } else {
            experiment = Experiment(threads: ProcessInfo.processInfo.activeProcessorCount)
        }
        if let model { experiment.model = model }
        if let dataset { experiment.dataset = dataset }
        if let workers { experiment.workers = workers }
        if let b = try byzantineCount(workers: experiment.workers) { experiment.byzantine = b }
        let countsChanged = workers != nil || byzantine != nil || byzantineFraction != nil
        experiment.attack = try attackOptions.apply(to: experiment.attack)
        // A flag that changes m or b re-derives what was derived from them, unless given too.
        if countsChanged, var attack = experiment.attack {
            if attack.kind == .alie && attackOptions.z == nil { attack.z = nil }
            if attack.kind == .mimic && attackOptions.target == nil { attack.target = nil }
            experiment.attack = attack
        }
        if countsChanged && ruleOptions.assumedByzantine == nil { experiment.rule.byzantineCount = nil }
        experiment.rule = try ruleOptions.apply(to: experiment.rule)
        experiment.partition = try partitionScheme(replacing: experiment.partition)
        if epochs != nil && rounds != nil {
            throw UsageError("--epochs, --rounds: give the run's length one way, not both")
        }
        if let epochs {
            experiment.epochs = epochs
            experiment.rounds = nil
        }
        if let rounds { experiment.rounds = rounds }
        if let evaluateEvery { experiment.evaluateEvery = evaluateEvery }
        if let batchSize { experiment.batchSize = batchSize }
        if let learningRate { experiment.learningRate = learningRate }
        if let momentum { experiment.momentum = momentum }
        if let workerMomentum { experiment.workerMomentum = workerMomentum }
        if let normalize { experiment.normalize = normalize }
        if let weightDecay { experiment.weightDecay = weightDecay }
        if let seed { experiment.seed = seed }
        if let testSubset { experiment.testSubset = testSubset }
        if let threads { experiment.threads = threads }
        return try experiment.resolved().validated()
    }

    /// The partition of `--partition` with its parameter (`--dirichlet-alpha`, `--gamma`), or
    /// `current` (the --config's) with a parameter given alone replacing its own.
    /// - Throws: ``UsageError`` for a parameter of another partition, or a partition without its parameter.
    func partitionScheme(replacing current: PartitionScheme) throws -> PartitionScheme {
        let name = partition ?? PartitionName(rawValue: current.name) ?? .iid
        if dirichletAlpha != nil && name != .dirichlet {
            throw UsageError("--dirichlet-alpha: applies to --partition dirichlet only")
        }
        if gamma != nil && name != .gamma {
            throw UsageError("--gamma: applies to --partition gamma only")
        }
        switch name {
        case .iid:
            return .iid
        case .dirichlet:
            guard let alpha = dirichletAlpha ?? current.dirichletAlpha else {
                throw UsageError("--partition dirichlet: needs --dirichlet-alpha (for example 0.5)")
            }
            return .dirichlet(alpha: alpha)
        case .gamma:
            guard let gamma = gamma ?? current.gamma else {
                throw UsageError("--partition gamma: needs --gamma, in [0, 1] (for example 0.33)")
            }
            return .gammaSimilarity(gamma: gamma)
        }
    }

    /// b from `--byzantine` or `--byzantine-fraction` (round(α·m)); nil when neither is given.
    /// - Throws: ``UsageError`` for both at once or a fraction outside [0, 1].
    func byzantineCount(workers: Int) throws -> Int? {
        if byzantine != nil && byzantineFraction != nil {
            throw UsageError("--byzantine, --byzantine-fraction: give one, not both")
        }
        if let byzantineFraction {
            guard byzantineFraction.isFinite && (0 ... 1).contains(byzantineFraction) else {
                throw UsageError("--byzantine-fraction: is \(byzantineFraction); it must lie in [0, 1]")
            }
            return Int((byzantineFraction * Double(workers)).rounded())
        }
        return byzantine
    }

    var locator: DatasetLocator { DatasetLocator(dataDirectory: dataDir) }
}
