import BrSGDRecords
import ByzantineAttacks
import Datasets
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
/// experiment's dataset, its seeded batch of each round, one gradient computer, and — for
/// a Byzantine worker — its attack (only attacks that need no other worker's gradient).
/// Round t's batch is a pure function of (seed, worker, t), so this computes exactly what
/// the simulation computes for the same worker.
public final class EngineGradientSource: GradientSource {
    public let worker: Int
    /// The attack this worker runs (nil: honest).
    public let attack: AttackConfiguration?
    private let loadTraining: (DatasetName) throws -> LabeledDataset
    private var engine: Engine?

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

        init(workers: Int, byzantine: Int, seed: UInt64, train: LabeledDataset, attack: (any Attack)?,
             relabel: LabelTransform?, computer: GradientComputer, stream: WorkerDataStream, own: [Float]) {
            self.workers = workers
            self.byzantine = byzantine
            self.seed = seed
            self.train = train
            self.attack = attack
            self.relabel = relabel
            self.computer = computer
            self.stream = stream
            self.own = own
        }
    }

    /// - Parameters:
    ///   - worker: the worker's index, 0..<m.
    ///   - attack: the attack, for a Byzantine worker (workers 0..<b by the experiment's convention).
    ///   - loadTraining: loads the training split of a dataset (once, on the first join).
    public init(worker: Int, attack: AttackConfiguration? = nil,
                loadTraining: @escaping (DatasetName) throws -> LabeledDataset) {
        self.worker = worker
        self.attack = attack
        self.loadTraining = loadTraining
    }

    /// A source over a model and training set given directly (an embedder's own, or a
    /// test's synthetic one), ready at once: ``prepare(experiment:parameterCount:)`` only
    /// checks d. The experiment's fields it needs are given one by one.
    /// - Throws: ``WorkerFailure`` when the attack cannot run with these m and b.
    public init(worker: Int, model: Model, train: LabeledDataset, workers: Int, byzantine: Int = 0,
                batchSize: Int, seed: UInt64, partition: PartitionScheme = .iid,
                attack: AttackConfiguration? = nil) throws {
        precondition((0 ..< workers).contains(worker), "worker \(worker) is not in 0..<\(workers)")
        self.worker = worker
        self.attack = attack
        self.loadTraining = { _ in train }
        engine = try Self.engine(worker: worker, model: model, train: train, workers: workers, byzantine: byzantine,
                                 batchSize: batchSize, seed: seed, partition: partition, attack: attack)
    }

    private static func engine(worker: Int, model: Model, train: LabeledDataset, workers: Int, byzantine: Int,
                               batchSize: Int, seed: UInt64, partition: PartitionScheme,
                               attack: AttackConfiguration?) throws -> Engine {
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
        let parts = partition.partition(train, workerCount: workers, seed: seed)
        return Engine(
            workers: workers, byzantine: byzantine, seed: seed, train: train, attack: madeAttack,
            relabel: madeAttack?.labelTransform(classCount: train.classCount),
            computer: GradientComputer(model: model, maxBatchSize: batchSize),
            stream: WorkerDataStream(worker: worker, partition: parts[worker], batchSize: batchSize, seed: seed),
            own: [Float](repeating: 0, count: model.parameterCount))
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
        engine = try Self.engine(worker: worker, model: model, train: try loadTraining(experiment.dataset),
                                 workers: experiment.workers, byzantine: experiment.byzantine,
                                 batchSize: experiment.batchSize, seed: experiment.seed,
                                 partition: experiment.partition, attack: attack)
    }

    public func gradient(round: Int, parameters: UnsafeBufferPointer<Float>,
                         into gradient: UnsafeMutableBufferPointer<Float>) throws -> Float {
        guard let engine else { preconditionFailure("gradient(round:…) before prepare") }
        var loss: Float = .nan
        let knowledge = engine.attack?.knowledge ?? .none
        let batch = engine.stream.batch(round: round)
        guard let attack = engine.attack else {
            return engine.computer.gradient(parameters: parameters, dataset: engine.train, batch: batch, into: gradient)
        }
        if knowledge >= .ownGradient {
            loss = engine.own.withUnsafeMutableBufferPointer { own in
                engine.computer.gradient(parameters: parameters, dataset: engine.train, batch: batch,
                                         relabel: engine.relabel, into: own)
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
