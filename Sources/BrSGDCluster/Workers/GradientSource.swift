import BrSGDRecords
import ByzantineAttacks
import Datasets
import Foundation
import NeuralEngine

/// What a worker computes: parameters in, gradient and loss out. The networked worker loop
/// (join, fetch, submit, reconnect) is the same for every source; the built-in engine is one
/// source (``EngineGradientSource``), a Swift app's own engine can be another.
///
/// ```swift
/// final class MyModel: GradientSource {
///     func prepare(experiment: Experiment?, parameterCount: Int) throws { … }
///     func gradient(round: Int, parameters: UnsafeBufferPointer<Float>,
///                   into gradient: UnsafeMutableBufferPointer<Float>) throws -> Float { … }
/// }
/// ```
public protocol GradientSource: AnyObject {
    /// Called once, when the worker first joins: the experiment the master runs (nil when
    /// the master holds a bare parameter vector and names no model) and d, the number of
    /// parameters. Throw when this source cannot serve it (another model, another d).
    func prepare(experiment: Experiment?, parameterCount: Int) throws

    /// Writes the gradient of round `round` at `parameters` (both of length d) into
    /// `gradient` and returns the mean training loss of the batch (NaN when there is none).
    func gradient(round: Int, parameters: UnsafeBufferPointer<Float>,
                  into gradient: UnsafeMutableBufferPointer<Float>) throws -> Float
}

/// The built-in engine as a gradient source: worker `worker`'s partition of the
/// experiment's dataset (standardised when the experiment says so), its seeded batch of
/// each round, one gradient computer, its worker momentum when the experiment has one
/// (``WorkerMomentum``), and — for a Byzantine worker — its attack (only attacks that need
/// no other worker's gradient; one that starts from its own gradient gets its own
/// momentum). Round t's batch is a pure function of (seed, worker, t), so this computes
/// exactly what the simulation computes for the same worker.
///
/// With a `checkpoint` file the worker's momentum survives a restart: the file is read when
/// the worker first joins and written every round (``WorkerCheckpoint``). Without worker
/// momentum the worker holds no state and writes nothing.
public final class EngineGradientSource: GradientSource {
    public let worker: Int
    /// The attack this worker runs (nil: honest).
    public let attack: AttackConfiguration?
    /// How many rounds of momentum the worker keeps (see ``WorkerMomentum``).
    public let momentumHistory: Int
    /// Where the worker's momentum is saved every round (nil: not saved).
    public let checkpoint: URL?
    private let loadTraining: (DatasetName) throws -> LabeledDataset
    private var engine: Engine?

    /// The default ``momentumHistory``: enough for a master that checkpoints every 9 rounds.
    public static let defaultMomentumHistory = 10

    /// The worker's computation, mutated in place every round (a class: no copy of its buffers).
    private final class Engine {
        let workers: Int
        let byzantine: Int
        let seed: UInt64
        let train: LabeledDataset
        let attack: (any Attack)?
        let relabel: LabelTransform?
        let computer: GradientComputer
        var stream: WorkerDataStream
        var own: [Float]
        /// nil without worker momentum, or for an attack that starts from no gradient.
        let momentum: MomentumKeeper?

        init(workers: Int, byzantine: Int, seed: UInt64, train: LabeledDataset, attack: (any Attack)?,
             relabel: LabelTransform?, computer: GradientComputer, stream: WorkerDataStream, own: [Float],
             momentum: MomentumKeeper?) {
            self.workers = workers
            self.byzantine = byzantine
            self.seed = seed
            self.train = train
            self.attack = attack
            self.relabel = relabel
            self.computer = computer
            self.stream = stream
            self.own = own
            self.momentum = momentum
        }
    }

    /// - Parameters:
    ///   - worker: the worker's index, 0..<m.
    ///   - attack: the attack, for a Byzantine worker (workers 0..<b by the experiment's convention).
    ///   - momentumHistory: rounds of momentum kept; at least the master's checkpoint
    ///     interval + 1 for a master that may resume (``WorkerMomentum``).
    ///   - checkpoint: where to save the worker's momentum every round (and read it from on
    ///     the first join, when it exists).
    ///   - loadTraining: loads the raw training split of a dataset (once, on the first join);
    ///     the source standardises it when the experiment says so.
    /// - Precondition: `momentumHistory ≥ 2`.
    public init(worker: Int, attack: AttackConfiguration? = nil, momentumHistory: Int = defaultMomentumHistory,
                checkpoint: URL? = nil, loadTraining: @escaping (DatasetName) throws -> LabeledDataset) {
        precondition(momentumHistory >= 2, "a worker keeps at least 2 rounds of momentum")
        self.worker = worker
        self.attack = attack
        self.momentumHistory = momentumHistory
        self.checkpoint = checkpoint
        self.loadTraining = loadTraining
    }

    /// A source over a model and training set given directly (an embedder's own, or a
    /// test's synthetic one), ready at once: ``prepare(experiment:parameterCount:)`` only
    /// checks d. The experiment's fields it needs are given one by one; `train` is used as
    /// given (standardise it beforehand if the run does), and the checkpoint, if any, is
    /// tagged `identity`.
    /// - Throws: ``WorkerFailure`` when the attack cannot run with these m and b, or the
    ///   checkpoint does not fit.
    /// - Precondition: `worker` in 0..<`workers`, `workerMomentum` in [0, 1), `momentumHistory ≥ 2`.
    public init(worker: Int, model: Model, train: LabeledDataset, workers: Int, byzantine: Int = 0,
                batchSize: Int, seed: UInt64, partition: PartitionScheme = .iid,
                attack: AttackConfiguration? = nil, workerMomentum: Float = 0,
                momentumHistory: Int = defaultMomentumHistory, checkpoint: URL? = nil,
                identity: String = "engine") throws {
        precondition((0 ..< workers).contains(worker), "worker \(worker) is not in 0..<\(workers)")
        precondition(momentumHistory >= 2, "a worker keeps at least 2 rounds of momentum")
        self.worker = worker
        self.attack = attack
        self.momentumHistory = momentumHistory
        self.checkpoint = checkpoint
        self.loadTraining = { _ in train }
        engine = try Self.engine(worker: worker, model: model, train: train, workers: workers, byzantine: byzantine,
                                 batchSize: batchSize, seed: seed, partition: partition, attack: attack,
                                 workerMomentum: workerMomentum, momentumHistory: momentumHistory,
                                 checkpoint: checkpoint, identity: identity)
    }

    private static func engine(worker: Int, model: Model, train: LabeledDataset, workers: Int, byzantine: Int,
                               batchSize: Int, seed: UInt64, partition: PartitionScheme,
                               attack: AttackConfiguration?, workerMomentum: Float, momentumHistory: Int,
                               checkpoint: URL?, identity: String) throws -> Engine {
        let byzantineCount = byzantine
        var byzantine = byzantine
        var madeAttack: (any Attack)?
        if let attack {
            // The master does not tell the attack; the worker knows it is one of the b.
            byzantine = max(1, byzantine)
            do {
                let resolved = try attack.resolved(workerCount: workers, byzantineCount: byzantine)
                let made = try resolved.makeAttack()
                try made.validate(workerCount: workers, byzantineCount: byzantine)
                madeAttack = made
            } catch {
                throw WorkerFailure(.refused, "the attack cannot run in this experiment: \(error.message)")
            }
            if let madeAttack, madeAttack.knowledge >= .honestGradients {
                throw WorkerFailure(.refused, "--attack \(madeAttack.name) needs every honest gradient of the round (omniscient): simulation only")
            }
        }
        let parts = partition.partition(train, workerCount: workers, byzantineCount: min(byzantineCount, workers), seed: seed)
        // Momentum for every worker that computes its own gradient (honest, or an attack
        // that starts from it); an attack that crafts from nothing sends what it crafts.
        let computesOwn = madeAttack.map { $0.knowledge >= .ownGradient } ?? true
        let momentum = workerMomentum > 0 && computesOwn
            ? try MomentumKeeper(beta: workerMomentum, parameterCount: model.parameterCount,
                                 historyLength: momentumHistory, checkpoint: checkpoint, identity: identity, worker: worker)
            : nil
        return Engine(
            workers: workers, byzantine: byzantine, seed: seed, train: train, attack: madeAttack,
            relabel: madeAttack?.labelTransform(classCount: train.classCount),
            computer: GradientComputer(model: model, maxBatchSize: batchSize),
            stream: WorkerDataStream(worker: worker, partition: parts[worker], batchSize: batchSize, seed: seed),
            own: [Float](repeating: 0, count: model.parameterCount), momentum: momentum)
    }

    public func prepare(experiment told: Experiment?, parameterCount: Int) throws {
        if let engine {
            guard engine.own.count == parameterCount else {
                throw WorkerFailure(.wrongModel, "the master's model has \(parameterCount) parameters, this worker's \(engine.own.count)")
            }
            return
        }
        guard let experiment = told else {
            throw WorkerFailure(.wrongModel, "the master names no model (it holds a bare parameter vector): the built-in engine needs one; use a worker of your own framework")
        }
        guard (0 ..< experiment.workers).contains(worker) else {
            throw WorkerFailure(.refused, "worker id \(worker) is not in 0..<\(experiment.workers)")
        }
        guard experiment.model.isBuiltIn else {
            throw WorkerFailure(.wrongModel, "the master names the \(experiment.model.rawValue) model, a vector its workers define: the built-in engine cannot compute its gradients; use a worker of your own framework")
        }
        // The master validated its experiment; the worker builds only what it uses (no rule).
        let model = experiment.model.makeModel()
        guard model.parameterCount == parameterCount else {
            throw WorkerFailure(.wrongModel, "the master's model has \(parameterCount) parameters, this worker's \(experiment.model.rawValue) \(model.parameterCount)")
        }
        var train = try loadTraining(experiment.dataset)
        if let standardization = experiment.inputStandardization { train = standardization.apply(to: train) }
        engine = try Self.engine(worker: worker, model: model, train: train,
                                 workers: experiment.workers, byzantine: experiment.byzantine,
                                 batchSize: experiment.batchSize, seed: experiment.seed,
                                 partition: experiment.partition, attack: attack,
                                 workerMomentum: Float(experiment.workerMomentum), momentumHistory: momentumHistory,
                                 checkpoint: checkpoint, identity: experiment.id)
    }

    public func gradient(round: Int, parameters: UnsafeBufferPointer<Float>,
                         into gradient: UnsafeMutableBufferPointer<Float>) throws -> Float {
        guard let engine else { preconditionFailure("gradient(round:…) before prepare") }
        var loss: Float = .nan
        let knowledge = engine.attack?.knowledge ?? .none
        let batch = engine.stream.batch(round: round)
        guard let attack = engine.attack else {
            loss = engine.computer.gradient(parameters: parameters, dataset: engine.train, batch: batch, into: gradient)
            try engine.momentum?.advance(round: round, gradient)
            return loss
        }
        if knowledge >= .ownGradient {
            loss = try engine.own.withUnsafeMutableBufferPointer { own in
                let loss = engine.computer.gradient(parameters: parameters, dataset: engine.train, batch: batch,
                                                    relabel: engine.relabel, into: own)
                try engine.momentum?.advance(round: round, own)
                return loss
            }
        }
        let (workers, byzantine, seed) = (engine.workers, engine.byzantine, engine.seed)
        engine.own.withUnsafeBufferPointer { own in
            let context = AttackContext(
                round: round, workerIndex: worker, workerCount: workers, byzantineCount: byzantine,
                ownGradient: knowledge >= .ownGradient ? own : nil, honestGradients: nil)
            var generator = RandomStreams.attack(seed, worker: worker, round: round)
            attack.craft(into: gradient, context: context, generator: &generator)
        }
        return loss
    }
}
