import Foundation

/// Everything that defines one training run: data, model, workers, attack, rule and optimiser.
///
/// One `ExperimentConfig` value goes in, one ``RunRecord`` comes out (see ARCHITECTURE.md,
/// "Experiments"). The value is written into the record as JSON with snake_case keys, so
/// the field names in files stay stable when Swift names change.
///
/// ```swift
/// let config = ExperimentConfig(
///     dataset: "fashion-mnist", model: "lenet", workers: 20, byzantineCount: 5,
///     attack: "gaussian", attackParameters: ["sigma": 200],
///     rule: "brsgd", ruleParameters: ["beta": 0.5, "f": 5],
///     epochs: 30, batchSize: 32, learningRate: 0.03, seed: 1)
/// config.id                 // "lenet-fmnist-m20-b5-gaussian-sigma200-brsgd-beta0.5-f5-seed1-…"
/// config.byzantineFraction  // 0.25
/// ```
///
/// Names are free-form strings so that rules and attacks added later need no change here;
/// the conventions are the CLI's names: attacks `gaussian`, `model-negation`,
/// `gradient-scale`, `label-flip` (and `none` when `byzantineCount == 0`); rules `brsgd`,
/// `median`, `mean`, `krum`, …; rule parameters such as `beta`, `threshold` (absent means
/// auto) and `f`.
public struct ExperimentConfig: Codable, Sendable, Equatable, Hashable {
    /// Dataset name, for example `fashion-mnist` or `mnist`.
    public var dataset: String
    /// Model name, for example `lenet`.
    public var model: String
    /// Number of workers m.
    public var workers: Int
    /// Number of Byzantine workers b (0 ≤ b ≤ m).
    public var byzantineCount: Int
    /// Attack name; `none` when there are no Byzantine workers.
    public var attack: String
    /// Attack parameters, for example `["sigma": 200]` or `["scale": 1e10]`.
    public var attackParameters: [String: Double]
    /// Aggregation rule name, for example `brsgd`.
    public var rule: String
    /// Rule parameters, for example `["beta": 0.5, "f": 5]`; a missing `threshold` means auto.
    public var ruleParameters: [String: Double]
    /// How training data is split over workers: `iid` or `dirichlet`.
    public var partition: String
    /// Concentration α of the Dirichlet partition; `nil` for `iid`.
    public var dirichletAlpha: Double?
    /// Number of passes over the training data.
    public var epochs: Int
    /// Mini-batch size of each worker.
    public var batchSize: Int
    /// Step size η.
    public var learningRate: Double
    /// Heavy-ball momentum (0 for plain SGD).
    public var momentum: Double
    /// L2 weight decay.
    public var weightDecay: Double
    /// Seed of every random draw in the run.
    public var seed: UInt64
    /// Number of test examples evaluated each epoch; `nil` means the full test set.
    public var testSubsetSize: Int?

    /// Creates a configuration.
    ///
    /// - Precondition: `workers > 0`, `0 ≤ byzantineCount ≤ workers`, `epochs ≥ 0`,
    ///   `batchSize > 0`.
    public init(
        dataset: String,
        model: String,
        workers: Int,
        byzantineCount: Int,
        attack: String,
        attackParameters: [String: Double] = [:],
        rule: String,
        ruleParameters: [String: Double] = [:],
        partition: String = "iid",
        dirichletAlpha: Double? = nil,
        epochs: Int,
        batchSize: Int,
        learningRate: Double,
        momentum: Double = 0,
        weightDecay: Double = 0,
        seed: UInt64,
        testSubsetSize: Int? = nil
    ) {
        precondition(workers > 0, "workers must be positive")
        precondition((0...workers).contains(byzantineCount), "byzantineCount must be in 0...workers")
        precondition(epochs >= 0, "epochs must not be negative")
        precondition(batchSize > 0, "batchSize must be positive")
        self.dataset = dataset
        self.model = model
        self.workers = workers
        self.byzantineCount = byzantineCount
        self.attack = attack
        self.attackParameters = attackParameters
        self.rule = rule
        self.ruleParameters = ruleParameters
        self.partition = partition
        self.dirichletAlpha = dirichletAlpha
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
        self.seed = seed
        self.testSubsetSize = testSubsetSize
    }

    /// The fraction α = b / m of Byzantine workers.
    public var byzantineFraction: Double {
        Double(byzantineCount) / Double(workers)
    }

    enum CodingKeys: String, CodingKey {
        case dataset
        case model
        case workers
        case byzantineCount = "byzantine_count"
        case attack
        case attackParameters = "attack_parameters"
        case rule
        case ruleParameters = "rule_parameters"
        case partition
        case dirichletAlpha = "dirichlet_alpha"
        case epochs
        case batchSize = "batch_size"
        case learningRate = "learning_rate"
        case momentum
        case weightDecay = "weight_decay"
        case seed
        case testSubsetSize = "test_subset_size"
    }
}
