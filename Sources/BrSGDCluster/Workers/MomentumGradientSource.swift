import BrSGDRecords
import Foundation

/// Worker momentum for any ``GradientSource``: the wrapped source computes g_t, this one
/// sends m_t = β·m_{t−1} + (1 − β)·g_t (``WorkerMomentum``), keeps the last rounds' momenta
/// for a master that replays rounds, and with a `checkpoint` file saves them every round so
/// that a restarted worker resumes them (``WorkerCheckpoint``).
///
/// ```swift
/// let source = MomentumGradientSource(wrapping: MyModel(), worker: 7, checkpoint: URL(fileURLWithPath: "w7.json"))
/// try await NetworkWorker.run(options, source: source)   // β from the master's experiment
/// ```
///
/// β is the one given, or else the experiment's `worker_momentum` as the master tells it (0,
/// or no experiment: the gradient passes through untouched). The wrapped source is told the
/// experiment with `worker_momentum` = 0, so an ``EngineGradientSource`` inside does not apply
/// it a second time. Wrap honest sources: the momentum applies to what the wrapped source
/// returns, so a Byzantine engine inside would send the momentum of its crafted vectors,
/// not craft from its momentum as the simulation's attackers do (``EngineGradientSource``
/// does that itself).
public final class MomentumGradientSource: GradientSource {
    public let source: any GradientSource
    public let worker: Int
    /// β given at creation (nil: the experiment's).
    public let beta: Float?
    public let historyLength: Int
    public let checkpoint: URL?
    private var keeper: MomentumKeeper?

    /// - Precondition: `beta` (when given) in [0, 1); `historyLength ≥ 2`.
    public init(wrapping source: any GradientSource, worker: Int, beta: Float? = nil,
                historyLength: Int = EngineGradientSource.defaultMomentumHistory, checkpoint: URL? = nil) {
        precondition(beta.map { $0 >= 0 && $0 < 1 } ?? true, "worker momentum β must lie in [0, 1)")
        precondition(historyLength >= 2, "a worker keeps at least 2 rounds of momentum")
        self.source = source
        self.worker = worker
        self.beta = beta
        self.historyLength = historyLength
        self.checkpoint = checkpoint
    }

    public func prepare(experiment: Experiment?, parameterCount: Int) throws {
        var inner = experiment
        inner?.workerMomentum = 0
        try source.prepare(experiment: inner, parameterCount: parameterCount)
        guard keeper == nil else { return }
        let beta = self.beta ?? experiment.map { Float($0.workerMomentum) } ?? 0
        guard beta > 0 else { return }
        keeper = try MomentumKeeper(beta: beta, parameterCount: parameterCount, historyLength: historyLength,
                                    checkpoint: checkpoint, identity: experiment?.id ?? "parameters-d\(parameterCount)",
                                    worker: worker)
    }

    public func gradient(round: Int, parameters: UnsafeBufferPointer<Float>,
                         into gradient: UnsafeMutableBufferPointer<Float>) throws -> Float {
        let loss = try source.gradient(round: round, parameters: parameters, into: gradient)
        try keeper?.advance(round: round, gradient)
        return loss
    }

    /// The momentum state (nil before the first join, or with β = 0).
    public var momentum: WorkerMomentum? { keeper?.momentum }
}
