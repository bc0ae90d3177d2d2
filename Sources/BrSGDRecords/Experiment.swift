import ByzantineAttacks
import Datasets
import RobustAggregation

/// One training run, typed: what is trained on what, by how many workers of which how many
/// are Byzantine and what they do, with which rule, optimizer, seed and sizes.
///
/// The command line builds one value from its flags (or from a file, `train --config`),
/// fills in every default (``resolved()``), validates it once (``validated()``), and from
/// then on every layer takes this same value: the simulation, the networked master, the
/// workers (told it without its attack), and the ``RunRecord``, which stores it whole, so
/// a record can be replayed (`brsgd train --config run.json` gives the same model bytes).
///
/// ```swift
/// var experiment = Experiment(model: .lenet, dataset: .fashionMNIST, workers: 20, byzantine: 5,
///                             attack: AttackConfiguration(kind: .gaussian),
///                             rule: RuleConfiguration(name: .krum))
/// experiment = try experiment.resolved()        // σ = 200, Krum's f = 5 written out
/// let checked = try experiment.validated()      // ranges, cross-field rules; the rule and attack built once
/// experiment.id                                 // "lenet-fmnist-m20-b5-gaussian-sigma200-krum-assumed_byzantine5-seed1-…"
/// ```
///
/// JSON (snake_case keys, named like the command line's long options; see
/// `docs/experiment-example.json` in the repository):
/// `{"model": "lenet", "dataset": "fashion-mnist", "workers": 20, "byzantine": 5,
///   "attack": {"name": "gaussian", "sigma": 200}, "rule": {"name": "brsgd", "beta": 0.5,
///   "threshold": "auto", "nnm": false}, "partition": "iid", "epochs": 5, "batch_size": 64,
///   "lr": 0.03, "momentum": 0, "worker_momentum": 0, "weight_decay": 0, "normalize": true, "seed": 1}`.
/// Absent fields take the defaults of ``init(model:dataset:…)``, except `normalize`, which
/// reads as false when absent (records written before it existed ran on raw pixels);
/// unknown fields are errors.
///
/// **A bare vector** (`brsgd master --parameters init.npy`): with ``model`` =
/// ``ModelName/parameters`` the experiment describes a master that holds d parameters
/// whose model only the workers know. It then has ``parameterCount`` (d) and ``rounds``
/// (T), both required, and no dataset, partition, epochs, batch size, test subset or attack
/// (the workers decide what they train on and what they send; `byzantine` only names the
/// workers 0..<b whose selections the record counts). Its JSON is
/// `{"model": "parameters", "parameter_count": 44534, "rounds": 300, "workers": 4,
///   "byzantine": 1, "attack": null, "rule": {…}, "lr": 0.05, "momentum": 0,
///   "weight_decay": 0, "seed": 1, "threads": 1}`; a built-in model's JSON never holds
/// `parameter_count`, and holds `rounds` (instead of `epochs`), `gamma` and `evaluate_every`
/// only when they are used, so records written before these fields read as they did and
/// keep their ``id``.
public struct Experiment: Sendable, Hashable {
    /// The model trained (``ModelName/parameters``: a vector the workers define).
    public var model: ModelName
    /// d of a bare vector (``ModelName/parameters``); nil for a built-in model, whose d is
    /// its ``ModelName/parameterCount``.
    public var parameterCount: Int?
    /// T, the rounds the run makes. Required for a bare vector. For a built-in model, nil
    /// (the default) runs ``epochs`` whole epochs; a value runs exactly that many rounds
    /// instead (ByzFL counts steps, not epochs), closing an epoch every
    /// ``roundsPerEpoch(trainingCount:)`` rounds and a last, shorter one at the end.
    public var rounds: Int?
    /// The dataset trained on and evaluated on (meaningless, and not written, for a bare vector).
    public var dataset: DatasetName
    /// The directory the dataset's files were read from (filled in when the data is
    /// found; informational: it does not change the experiment's identity).
    public var dataDirectory: String?
    /// How the training set is split over the workers.
    public var partition: PartitionScheme
    /// m, the number of workers.
    public var workers: Int
    /// b, the number of Byzantine workers (workers 0..<b).
    public var byzantine: Int
    /// What the Byzantine workers do; nil exactly when `byzantine == 0`.
    public var attack: AttackConfiguration?
    /// The master's aggregation rule, its parameters and its pre-aggregation.
    public var rule: RuleConfiguration
    /// The step size η.
    public var learningRate: Double
    /// The master's heavy-ball momentum (0: plain SGD, as in the paper).
    public var momentum: Double
    /// β of worker momentum, in [0, 1): each honest worker sends m_t = β·m_{t−1} + (1 − β)·g_t
    /// (m_{−1} = 0) instead of its gradient g_t (Karimireddy, He & Jaggi, ICML 2021).
    /// 0 (the default) sends the gradient itself, bit for bit as before the field existed.
    /// Workers that compute their own gradient keep their own momentum; see ``WorkerMomentum``
    /// in BrSGDCluster for what Byzantine workers do with it.
    public var workerMomentum: Double
    /// Standardise the input: every pixel x becomes (x − μ) / σ with the training split's
    /// mean and standard deviation (``Datasets/DatasetName/trainingStandardization``), in
    /// training and test alike, as torchvision's `Normalize`. True by default; false trains
    /// on raw [0, 1] pixels, as every run did before the field existed (records without it
    /// read as false).
    public var normalize: Bool
    /// L2 weight decay (0 in the paper).
    public var weightDecay: Double
    /// Passes over the training data.
    public var epochs: Int
    /// Examples per worker per round.
    public var batchSize: Int
    /// The seed of every random draw: the same seed gives the same bytes.
    public var seed: UInt64
    /// Evaluate on a seeded subset of this many test examples; nil: the whole test set.
    public var testSubset: Int?
    /// Evaluate the model on the test set before the first round and after every this many
    /// rounds (and after the last), besides the end of every epoch, as ByzFL does every
    /// `evaluation_delta` = 50 steps; the run record keeps these points
    /// (``RunRecord/evaluations``) and ``RunRecord/peakTestAccuracy`` is the best of all.
    /// nil (the default): once per epoch only.
    public var evaluateEvery: Int?
    /// Threads computing gradients (they do not change the bytes, nor the identity).
    public var threads: Int

    /// An experiment; every argument but the model and dataset has the command line's default.
    public init(
        model: ModelName = .lenet, dataset: DatasetName = .fashionMNIST, dataDirectory: String? = nil,
        partition: PartitionScheme = .iid, workers: Int = 1, byzantine: Int = 0,
        attack: AttackConfiguration? = nil, rule: RuleConfiguration = RuleConfiguration(name: .brsgd),
        learningRate: Double = 0.03, momentum: Double = 0, weightDecay: Double = 0,
        epochs: Int = 5, batchSize: Int = 64, seed: UInt64 = 1, testSubset: Int? = nil, threads: Int = 1,
        workerMomentum: Double = 0, normalize: Bool = true,
        parameterCount: Int? = nil, rounds: Int? = nil, evaluateEvery: Int? = nil
    ) {
        self.model = model
        self.parameterCount = parameterCount
        self.rounds = rounds
        self.dataset = dataset
        self.dataDirectory = dataDirectory
        self.partition = partition
        self.workers = workers
        self.byzantine = byzantine
        self.attack = attack
        self.rule = rule
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
        self.epochs = epochs
        self.batchSize = batchSize
        self.seed = seed
        self.testSubset = testSubset
        self.threads = threads
        self.workerMomentum = workerMomentum
        self.normalize = normalize
        self.evaluateEvery = evaluateEvery
    }

    /// The transform every process of the run applies to the input (training and test
    /// features), nil when ``normalize`` is false.
    public var inputStandardization: Standardization? {
        normalize ? dataset.trainingStandardization : nil
    }

    /// A bare vector of `parameterCount` parameters (``ModelName/parameters``) trained for
    /// `rounds` rounds by m workers that define the model; b names the workers 0..<b whose
    /// selections are counted (no attack: the workers decide what they send).
    ///
    /// ```swift
    /// let experiment = Experiment.bareVector(parameterCount: 44_534, rounds: 300, workers: 4, byzantine: 1,
    ///                                        rule: RuleConfiguration(name: .krum), learningRate: 0.05)
    /// ```
    public static func bareVector(
        parameterCount: Int, rounds: Int, workers: Int, byzantine: Int = 0,
        rule: RuleConfiguration = RuleConfiguration(name: .brsgd), learningRate: Double = 0.03,
        momentum: Double = 0, weightDecay: Double = 0, seed: UInt64 = 1
    ) -> Experiment {
        Experiment(model: .parameters, workers: workers, byzantine: byzantine, rule: rule, learningRate: learningRate,
                   momentum: momentum, weightDecay: weightDecay, seed: seed, threads: 1,
                   parameterCount: parameterCount, rounds: rounds)
    }

    /// True for a bare vector (``ModelName/parameters``): no model, no dataset, no
    /// evaluation on the master.
    public var isBareVector: Bool { model == .parameters }

    /// d, the parameters of the model: ``parameterCount`` for a bare vector (0 while it is
    /// missing, which ``validated()`` refuses), the built-in model's count otherwise.
    public var dimension: Int { model.parameterCount ?? parameterCount ?? 0 }

    /// The fraction α = b / m of Byzantine workers.
    public var byzantineFraction: Double { Double(byzantine) / Double(max(1, workers)) }

    /// The attack's name, `none` without Byzantine workers (for tables and file names).
    public var attackName: String { byzantine == 0 ? "none" : attack?.kind.rawValue ?? "none" }

    /// The rule's name, for example `brsgd` (for tables and file names).
    public var ruleName: String { rule.name.rawValue }

    /// The experiment as a worker is told it: without the attack (a Byzantine worker is
    /// configured on its own command line, as a real attacker would be).
    public var withoutAttack: Experiment {
        var copy = self
        copy.attack = nil
        return copy
    }

    /// Rounds per epoch: enough rounds for m workers of batch B to see the N training
    /// examples once, ⌈N / (m·B)⌉ (at least 1).
    public func roundsPerEpoch(trainingCount: Int) -> Int {
        let perRound = max(1, workers) * max(1, batchSize)
        return max(1, (trainingCount + perRound - 1) / perRound)
    }

    /// Every round of the run: ``rounds`` when given, else ``epochs`` whole epochs.
    public func totalRounds(trainingCount: Int) -> Int {
        rounds ?? epochs * roundsPerEpoch(trainingCount: trainingCount)
    }

    /// The run's length as people say it: `800 rounds` or `3 epochs`.
    public var lengthDescription: String {
        if let rounds { return rounds == 1 ? "1 round" : "\(rounds) rounds" }
        return epochs == 1 ? "1 epoch" : "\(epochs) epochs"
    }
}

/// The models the engine trains, by the name the command line and files use — and
/// ``parameters``, a vector of d parameters that the workers define (a master for any
/// model: the engine neither builds nor evaluates it).
public enum ModelName: String, CaseIterable, Sendable, Codable {
    /// LeNet-5 (conv 6@5×5 pad 2, pool, conv 16@5×5, pool, 120, 84, 10): the paper's model.
    case lenet
    /// A multilayer perceptron 784 → 200 → 10 with ReLU.
    case mlp
    /// Multinomial logistic regression 784 → 10.
    case logistic
    /// ByzFL's MNIST network (conv 20@5×5, pool, conv 50@5×5, pool, 500, 10; no padding):
    /// the model of its benchmark (`cnn_mnist` in LPD-EPFL/byzfl).
    case byzflCNN = "byzfl-cnn"
    /// A flat vector of d parameters that the workers define (`brsgd master --parameters`):
    /// d is the experiment's ``Experiment/parameterCount``.
    case parameters

    /// The models the engine can build and train (every case but ``parameters``).
    public static var builtIn: [ModelName] { allCases.filter(\.isBuiltIn) }

    /// True when the engine builds this model (false for ``parameters``).
    public var isBuiltIn: Bool { self != .parameters }

    /// d, the number of parameters (the engine's models have exactly these; a test checks);
    /// nil for ``parameters``, whose d the experiment holds.
    public var parameterCount: Int? {
        switch self {
        case .lenet: 61_706
        case .mlp: 784 * 200 + 200 + 200 * 10 + 10
        case .logistic: 784 * 10 + 10
        case .byzflCNN: 431_080
        case .parameters: nil
        }
    }

    /// One line for `--help`.
    public var summary: String {
        switch self {
        case .lenet: "LeNet-5, 61,706 parameters (the paper's model)"
        case .mlp: "784-200-10 with ReLU, 159,010 parameters"
        case .logistic: "multinomial logistic regression, 7,850 parameters"
        case .byzflCNN: "ByzFL's MNIST CNN (conv 20, conv 50, 500, 10), 431,080 parameters (reproduce byzfl)"
        case .parameters: "a vector of d parameters that the workers define (brsgd master --parameters)"
        }
    }
}

/// How the training set is split over the workers.
public enum PartitionScheme: Sendable, Hashable {
    /// Shuffled, then cut into m near-equal parts.
    case iid
    /// Per class, proportions over the workers drawn from Dirichlet(α) (Hsu, Qi & Brown,
    /// 2019): small α (0.1) gives each worker few classes, large α approaches IID.
    case dirichlet(alpha: Double)
    /// ByzFL's gamma similarity (``Datasets/Partition/gammaSimilarity(labels:workers:gamma:using:)``):
    /// a fraction γ ∈ [0, 1] of the data split IID, the rest sorted by label and cut into
    /// contiguous shards. γ = 1 is IID, γ = 0 gives each worker one or two labels.
    ///
    /// As in ByzFL's benchmark, the data is split over the *honest* workers b..<m only; each
    /// Byzantine worker that trains on data of its own (label flip, gradient scale) draws
    /// from the whole training set.
    case gammaSimilarity(gamma: Double)

    /// `iid`, `dirichlet` or `gamma`, as the command line's `--partition` spells it.
    public var name: String {
        switch self {
        case .iid: "iid"
        case .dirichlet: "dirichlet"
        case .gammaSimilarity: "gamma"
        }
    }

    /// α of the Dirichlet partition; nil otherwise.
    public var dirichletAlpha: Double? {
        if case .dirichlet(let alpha) = self { return alpha }
        return nil
    }

    /// γ of the gamma-similarity partition; nil otherwise.
    public var gamma: Double? {
        if case .gammaSimilarity(let gamma) = self { return gamma }
        return nil
    }

    /// True when the data goes to the honest workers only (gamma similarity, as ByzFL splits it).
    public var splitsOverHonestWorkersOnly: Bool { gamma != nil }
}
