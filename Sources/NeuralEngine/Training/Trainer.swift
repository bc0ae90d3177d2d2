/// Single-process training: forward, backward and an SGD step per batch, with the
/// batch's shards computed concurrently. For benchmarks and simple runs; the distributed
/// simulation calls `Model.lossAndGradient` per worker instead.
///
/// ```swift
/// let trainer = Trainer(model: .lenet5(), seed: 1, optimizer: SGD(learningRate: 0.03),
///                       maxBatchSize: 64, shardCount: 2)
/// let loss = await trainer.step(inputs: images, targets: .labels(labels), batchSize: 64)
/// ```
///
/// Owns its parameter and gradient buffers; use one trainer from one task at a time.
public final class Trainer {
    /// The architecture being trained.
    public let model: Model
    /// The optimiser and its momentum state.
    public var optimizer: SGD
    /// The scratch buffers, cut into shards computed concurrently.
    public let workspace: Workspace

    private let parameterBuffer: UnsafeMutableBufferPointer<Float>
    private let gradientBuffer: UnsafeMutableBufferPointer<Float>

    /// A trainer starting from `parameters`.
    /// - Precondition: `parameters.count == model.parameterCount`.
    public init(
        model: Model, parameters: [Float], optimizer: SGD, maxBatchSize: Int, shardCount: Int = 1,
        microBatchSize: Int? = nil
    ) {
        precondition(parameters.count == model.parameterCount, "parameter count does not match the model")
        self.model = model
        self.optimizer = optimizer
        self.workspace = Workspace(model: model, maxBatchSize: maxBatchSize, shardCount: shardCount,
                                   microBatchSize: microBatchSize)
        parameterBuffer = .allocate(capacity: model.parameterCount)
        _ = parameterBuffer.initialize(from: parameters)
        gradientBuffer = .allocate(capacity: model.parameterCount)
        gradientBuffer.initialize(repeating: 0)
    }

    /// A trainer starting from `model.initialParameters(seed: seed)`.
    public convenience init(
        model: Model, seed: UInt64, optimizer: SGD, maxBatchSize: Int, shardCount: Int = 1,
        microBatchSize: Int? = nil
    ) {
        self.init(model: model, parameters: model.initialParameters(seed: seed), optimizer: optimizer,
                  maxBatchSize: maxBatchSize, shardCount: shardCount, microBatchSize: microBatchSize)
    }

    deinit {
        parameterBuffer.deallocate()
        gradientBuffer.deallocate()
    }

    /// A copy of the current parameters θ (flat layout).
    public var parameters: [Float] { Array(parameterBuffer) }

    /// A copy of the last batch's gradient.
    public var gradient: [Float] { Array(gradientBuffer) }

    /// One SGD step on a batch: the mean loss and gradient (shards concurrently), then the
    /// update. Returns the batch's mean loss before the step.
    /// - Complexity: O(batchSize · model cost + d); no allocation after the first step.
    public func step(inputs: UnsafeBufferPointer<Float>, targets: Targets, batchSize: Int) async -> Float {
        let loss = await model.parallelLossAndGradient(
            parameters: UnsafeBufferPointer(parameterBuffer), inputs: inputs, targets: targets,
            batchSize: batchSize, gradient: gradientBuffer, workspace: workspace)
        optimizer.step(parameters: parameterBuffer, gradient: UnsafeBufferPointer(gradientBuffer))
        return loss
    }
}
