import BrSGDRecords
import ByzantineAttacks
import Datasets
import NeuralEngine
import RobustAggregation

/// Everything an in-process run of Algorithm 1 needs besides the data: the experiment's
/// model, rule and attack built (``init(_:)`` from a validated ``Experiment``), or given
/// directly (tests, embedders).
public struct SimulationConfiguration: Sendable {
    public var model: Model
    /// m, the number of workers.
    public var workerCount: Int
    /// The Byzantine workers' indices. We make workers 0..<b Byzantine: the rules break
    /// ties toward the lowest index, so this is the attackers' best placement.
    public var byzantineWorkers: [Int]
    /// What the Byzantine workers do (nil: they behave honestly).
    public var attack: (any Attack)?
    public var rule: any AggregationRule
    public var epochs: Int
    /// Rounds to run instead of ``epochs`` whole epochs (nil: whole epochs).
    public var rounds: Int?
    /// Evaluate before the first round, after every this many rounds and after the last
    /// (nil: at the end of each epoch only).
    public var evaluateEvery: Int?
    /// Examples per worker per round.
    public var batchSize: Int
    public var learningRate: Float
    public var momentum: Float
    /// Worker momentum β (0: workers send their gradients; see ``WorkerMomentum``).
    public var workerMomentum: Float
    /// The transform applied to the training and test features before the run (nil: none).
    public var inputStandardization: Standardization?
    public var weightDecay: Float
    public var seed: UInt64
    public var partition: PartitionScheme
    /// Threads computing honest gradients (one worker at a time each).
    public var threads: Int
    /// Evaluate on this many test examples (a seeded subset) instead of all.
    public var evaluationLimit: Int?

    /// The configuration of a validated experiment (its rule and attack as validation built them).
    /// - Precondition: its model is built in (a bare vector's gradients come from its workers).
    public init(_ checked: Experiment.Checked) {
        let experiment = checked.experiment
        self.init(model: experiment.model.makeModel(), workerCount: experiment.workers, byzantineCount: experiment.byzantine,
                  attack: checked.attack, rule: checked.rule, epochs: experiment.epochs, batchSize: experiment.batchSize,
                  learningRate: Float(experiment.learningRate), momentum: Float(experiment.momentum),
                  weightDecay: Float(experiment.weightDecay), seed: experiment.seed, partition: experiment.partition,
                  threads: experiment.threads, evaluationLimit: experiment.testSubset,
                  workerMomentum: Float(experiment.workerMomentum), inputStandardization: experiment.inputStandardization,
                  rounds: experiment.rounds, evaluateEvery: experiment.evaluateEvery)
    }

    public init(model: Model, workerCount: Int, byzantineCount: Int, attack: (any Attack)?,
                rule: any AggregationRule, epochs: Int, batchSize: Int, learningRate: Float,
                momentum: Float = 0, weightDecay: Float = 0, seed: UInt64, partition: PartitionScheme = .iid,
                threads: Int = 2, evaluationLimit: Int? = nil, workerMomentum: Float = 0,
                inputStandardization: Standardization? = nil, rounds: Int? = nil, evaluateEvery: Int? = nil) {
        precondition(workerCount >= 1 && byzantineCount >= 0 && byzantineCount <= workerCount)
        precondition(workerMomentum >= 0 && workerMomentum < 1, "worker momentum β must lie in [0, 1)")
        self.model = model
        self.workerCount = workerCount
        self.byzantineWorkers = Array(0 ..< byzantineCount)
        self.attack = attack
        self.rule = rule
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
        self.seed = seed
        self.partition = partition
        self.threads = max(1, threads)
        self.evaluationLimit = evaluationLimit
        self.workerMomentum = workerMomentum
        self.inputStandardization = inputStandardization
        self.rounds = rounds
        self.evaluateEvery = evaluateEvery
    }

    /// Rounds per epoch: enough rounds for m workers of batch B to see the training set once,
    /// ⌈N / (m·B)⌉.
    public func roundsPerEpoch(trainingCount: Int) -> Int {
        max(1, (trainingCount + workerCount * batchSize - 1) / (workerCount * batchSize))
    }

    /// Every round of the run: ``rounds`` when given, else ``epochs`` whole epochs.
    public func totalRounds(trainingCount: Int) -> Int {
        rounds ?? max(0, epochs) * roundsPerEpoch(trainingCount: trainingCount)
    }
}

/// Progress of a running simulation, reported once per round.
public struct SimulationProgress: Sendable {
    public var epoch: Int
    public var epochs: Int
    public var roundInEpoch: Int
    public var roundsPerEpoch: Int
    /// Training examples processed per second in this epoch (all workers).
    public var samplesPerSecond: Double
    /// Mean honest training loss over the epoch so far.
    public var trainLoss: Double
    /// Rounds skipped so far (a diverged model: no gradient could be aggregated).
    public var skippedRounds: Int
}

/// Everything a run measured: its books and the final model.
public struct SimulationResult: Sendable {
    /// The run's books (epochs, selections, rejections, skipped rounds, times).
    public var ledger: RunLedger
    public var finalParameters: [Float]
    public var totalSeconds: Double

    public init(ledger: RunLedger, finalParameters: [Float], totalSeconds: Double) {
        self.ledger = ledger
        self.finalParameters = finalParameters
        self.totalSeconds = totalSeconds
    }

    public var epochs: [EpochRecord] { ledger.epochs }
    public var rounds: Int { ledger.rounds }
    public var skippedRounds: Int { ledger.skippedRounds }
    public var rejectedRows: Int { ledger.rejectedRows }
    /// For each Byzantine worker, in how many rounds the rule selected it.
    public var byzantineSelections: [Int: Int] {
        Dictionary(uniqueKeysWithValues: zip(ledger.byzantineWorkers, ledger.byzantineSelections).map { ($0, $1) })
    }
}
