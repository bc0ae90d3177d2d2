import BrSGDRecords
import Datasets
import NeuralEngine
import RobustAggregation

/// What a master needs to run Algorithm 1, and nothing more: d and the initial vector, the
/// rule, the optimizer, m, the rounds — and, only when it has them, the experiment to tell
/// the workers and a test set to evaluate on. The dataset and the model matter to the
/// workers; a master for any model (a bare parameter vector) has neither.
///
/// ```swift
/// let plan = MasterPlan(checked, trainingCount: train.count, test: test, evaluationThreads: 2)  // a built-in model
/// let bare = MasterPlan(initialParameters: w0, rule: Krum(byzantineCount: 2), optimizer: SGD(learningRate: 0.1),
///                       workerCount: 10, rounds: 500)                                      // any model
/// ```
public struct MasterPlan: Sendable {
    /// The experiment, told to the workers without its attack (nil: the master holds a bare
    /// vector, and workers are told only d).
    public var experiment: Experiment?
    public var initialParameters: [Float]
    public var rule: any AggregationRule
    public var optimizer: SGD
    /// m.
    public var workerCount: Int
    /// The workers whose selection by the rule is counted (0..<b).
    public var byzantineWorkers: [Int]
    /// Rounds per epoch (the run closes an epoch, and evaluates, after every this many).
    public var roundsPerEpoch: Int
    /// Every round of the run.
    public var totalRounds: Int
    /// Evaluates the model after each epoch (nil: no evaluation; NaN in the record).
    public var evaluator: Evaluator?
    /// Also evaluate before the first round, after every this many rounds and after the
    /// last (``Experiment/evaluateEvery``; nil: at the end of each epoch only).
    public var evaluateEvery: Int?
    /// What a checkpoint must match to be resumed: the experiment's id, or for a bare
    /// vector its size, rounds and rule.
    public var identity: String

    /// A plan for a built-in model: the experiment's model initialised from its seed, its
    /// rule and optimizer; rounds from the training set's size. `test` is the raw test split:
    /// the plan standardises it when the experiment does.
    /// - Precondition: the experiment's model is built in (for ``ModelName/parameters`` use
    ///   ``init(bareVector:initialParameters:)``).
    public init(_ checked: Experiment.Checked, trainingCount: Int, test: LabeledDataset?, evaluationThreads: Int) {
        let experiment = checked.experiment
        precondition(experiment.model.isBuiltIn, "a bare vector's plan is init(bareVector:initialParameters:)")
        let model = experiment.model.makeModel()
        self.experiment = experiment
        initialParameters = model.initialParameters(seed: RandomStreams.initialization(experiment.seed))
        rule = checked.rule
        optimizer = SGD(learningRate: Float(experiment.learningRate), momentum: Float(experiment.momentum),
                        weightDecay: Float(experiment.weightDecay))
        workerCount = experiment.workers
        byzantineWorkers = Array(0 ..< experiment.byzantine)
        roundsPerEpoch = experiment.roundsPerEpoch(trainingCount: trainingCount)
        totalRounds = experiment.totalRounds(trainingCount: trainingCount)
        evaluateEvery = experiment.evaluateEvery
        // The test set as the simulation evaluates on it: standardised when the experiment is.
        let standardization = experiment.inputStandardization
        evaluator = test.map {
            Evaluator(model: model, test: standardization?.apply(to: $0) ?? $0, limit: experiment.testSubset,
                      seed: experiment.seed, lanes: evaluationThreads)
        }
        identity = experiment.id
    }

    /// The plan of a bare vector's experiment (``ModelName/parameters``, `brsgd master
    /// --parameters`): `initialParameters` as w₀, the experiment's rule, optimizer (η,
    /// momentum, weight decay), m and T, one epoch of T rounds, no evaluation. The workers are
    /// told nothing but d and T (an empty `config_json`: the model is theirs); a checkpoint
    /// must carry the experiment's ``Experiment/id``.
    /// - Precondition: the experiment is a validated bare vector of
    ///   `initialParameters.count` parameters.
    public init(bareVector checked: Experiment.Checked, initialParameters: [Float]) {
        let experiment = checked.experiment
        precondition(experiment.isBareVector && experiment.parameterCount == initialParameters.count,
                     "the experiment is not a bare vector of \(initialParameters.count) parameters")
        guard let rounds = experiment.rounds else { preconditionFailure("a validated bare vector has its rounds") }
        self.init(initialParameters: initialParameters, rule: checked.rule,
                  optimizer: SGD(learningRate: Float(experiment.learningRate), momentum: Float(experiment.momentum),
                                 weightDecay: Float(experiment.weightDecay)),
                  workerCount: experiment.workers, rounds: rounds, byzantineWorkers: Array(0 ..< experiment.byzantine),
                  identity: experiment.id)
    }

    /// A plan for any model: a flat vector, a rule, an optimizer, m workers, `rounds` rounds
    /// (one epoch of `roundsPerEpoch`, by default all of them).
    /// - Precondition: the vector is not empty, `workerCount >= 1`, `rounds >= 1`.
    public init(initialParameters: [Float], rule: any AggregationRule, optimizer: SGD, workerCount: Int,
                rounds: Int, roundsPerEpoch: Int? = nil, byzantineWorkers: [Int] = [], experiment: Experiment? = nil,
                evaluator: Evaluator? = nil, identity: String? = nil) {
        precondition(!initialParameters.isEmpty && workerCount >= 1 && rounds >= 1)
        self.experiment = experiment
        self.initialParameters = initialParameters
        self.rule = rule
        self.optimizer = optimizer
        self.workerCount = workerCount
        self.byzantineWorkers = byzantineWorkers
        self.roundsPerEpoch = max(1, min(rounds, roundsPerEpoch ?? rounds))
        self.totalRounds = rounds
        self.evaluator = evaluator
        self.identity = identity ?? experiment?.id
            ?? "parameters-d\(initialParameters.count)-m\(workerCount)-t\(rounds)-\(rule.name)"
    }

    /// d.
    public var parameterCount: Int { initialParameters.count }
}
