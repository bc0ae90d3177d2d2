import BrSGDExperiments
import ByzantineAttacks
import NeuralEngine
import RobustAggregation

/// Everything an in-process run of Algorithm 1 needs besides the data.
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
    /// Examples per worker per round.
    public var batchSize: Int
    public var learningRate: Float
    public var momentum: Float
    public var weightDecay: Float
    public var seed: UInt64
    public var partition: PartitionScheme
    /// Threads computing honest gradients (one worker at a time each).
    public var threads: Int
    /// Evaluate on this many test examples (a seeded subset) instead of all.
    public var evaluationLimit: Int?

    public init(model: Model, workerCount: Int, byzantineCount: Int, attack: (any Attack)?,
                rule: any AggregationRule, epochs: Int, batchSize: Int, learningRate: Float,
                momentum: Float = 0, weightDecay: Float = 0, seed: UInt64, partition: PartitionScheme = .iid,
                threads: Int = 2, evaluationLimit: Int? = nil) {
        precondition(workerCount >= 1 && byzantineCount >= 0 && byzantineCount <= workerCount)
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
    }

    /// Rounds per epoch: enough rounds for m workers of batch B to see the training set once,
    /// ⌈N / (m·B)⌉.
    public func roundsPerEpoch(trainingCount: Int) -> Int {
        max(1, (trainingCount + workerCount * batchSize - 1) / (workerCount * batchSize))
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
}

/// Everything a run measured.
public struct SimulationResult: Sendable {
    public var epochs: [EpochRecord]
    /// Wall time of each round's aggregation, in seconds.
    public var aggregationSeconds: [Double]
    /// For each Byzantine worker, in how many rounds the rule selected it.
    public var byzantineSelections: [Int: Int]
    public var rounds: Int
    /// Rounds in which no gradient was finite, so the model did not move (a diverged model).
    public var skippedRounds: Int
    /// Non-finite rows the rule rejected, summed over rounds.
    public var rejectedRows: Int
    public var finalParameters: [Float]
    public var totalSeconds: Double

    /// The record of a run (the networked master builds one as the simulation does).
    public init(epochs: [EpochRecord], aggregationSeconds: [Double], byzantineSelections: [Int: Int], rounds: Int,
                skippedRounds: Int, rejectedRows: Int, finalParameters: [Float], totalSeconds: Double) {
        self.epochs = epochs
        self.aggregationSeconds = aggregationSeconds
        self.byzantineSelections = byzantineSelections
        self.rounds = rounds
        self.skippedRounds = skippedRounds
        self.rejectedRows = rejectedRows
        self.finalParameters = finalParameters
        self.totalSeconds = totalSeconds
    }
}
