import KernelPaths
import Synchronization

/// Every scratch buffer one worker needs to compute a model's loss and gradient: the
/// activations of each layer, im2col columns, activation gradients. Allocated once for a
/// maximum batch size; no allocation per batch.
///
/// Give each concurrent worker its own workspace. A workspace may be split into
/// `shardCount` shards: a batch is then cut into that many fixed, contiguous pieces whose
/// gradients are summed in shard order; each shard computes its piece in micro-batches of
/// `microBatchSize` rows, added in order. The result depends on these two numbers only,
/// never on how many threads run the shards (`Model.lossAndGradient` runs them one after
/// another, `Model.parallelLossAndGradient` concurrently, with the same bytes).
///
/// Each shard's buffers sit behind their own mutex, so the class is `Sendable` without
/// any unchecked claim: a second concurrent caller waits rather than races.
///
/// The bytes never depend on the CPU either: every kernel path (``kernelPath``) forms every
/// value in the same order. For m simulated workers on a few cores, give each worker a
/// one-shard workspace and run them one per core:
///
/// ```swift
/// let workspaces = (0..<m).map { _ in Workspace(model: model, maxBatchSize: 32) }
/// // worker i, in its own task: writes row i of the m × d gradient matrix
/// model.lossAndGradient(parameters: θ, inputs: x_i, labels: y_i, batchSize: 32,
///                       gradient: row_i, workspace: workspaces[i])
/// ```
public final class Workspace: Sendable {
    /// The model the buffers are sized for.
    public let model: Model
    /// The largest batch the workspace accepts.
    public let maxBatchSize: Int
    /// Fixed pieces a batch is cut into.
    public let shardCount: Int

    let shards: [Shard]

    /// Rows a shard computes at once: its batch is processed in micro-batches of this size
    /// (gradients added in order), so activations and im2col columns stay in cache.
    public let microBatchSize: Int

    /// The instruction-set path the kernels take: the same bytes on every path, only the speed
    /// differs.
    public let kernelPath: KernelPath

    /// A workspace for batches of up to `maxBatchSize` samples, cut into `shardCount`
    /// shards, each computed in micro-batches of at most `microBatchSize` rows.
    ///
    /// The bytes of a result depend on `shardCount` and `microBatchSize` (which fix the
    /// summation order), never on threads, scheduling or `kernelPath`.
    /// `microBatchSize` defaults to `defaultMicroBatchSize(for: model)`, `kernelPath` to
    /// ``KernelPath/selected`` (the widest this CPU runs, or `BRSGD_KERNELS`'s).
    /// - Precondition: all three counts are positive; this CPU runs `kernelPath`.
    /// - Complexity: allocates O(min(maxBatchSize, microBatchSize) · (activations + im2col
    ///   columns) + d) floats per shard.
    public init(model: Model, maxBatchSize: Int, shardCount: Int = 1, microBatchSize: Int? = nil,
                kernelPath: KernelPath = .selected) {
        let microBatchSize = microBatchSize ?? Workspace.defaultMicroBatchSize(for: model)
        precondition(maxBatchSize >= 1 && shardCount >= 1 && microBatchSize >= 1,
                     "batch size, shard count and micro-batch size must be positive")
        precondition(kernelPath.isAvailable, "this CPU does not run the \(kernelPath) kernels")
        self.kernelPath = kernelPath
        self.model = model
        self.maxBatchSize = maxBatchSize
        self.shardCount = shardCount
        self.microBatchSize = microBatchSize
        let perShard = (maxBatchSize + shardCount - 1) / shardCount
        self.shards = (0..<shardCount).map { _ in
            Shard(model: model, maxBatchSize: perShard, microBatchSize: microBatchSize, kernelPath: kernelPath)
        }
    }

    /// The default micro-batch size: 4 rows for convolutional models, whose im2col columns
    /// (19.6k floats per LeNet image) then stay in cache; dense-only models gain nothing from
    /// splitting (their products want many rows), so they take the whole shard.
    /// (`brsgd bench train --micro-batch-size` measures the choice on a machine.)
    public static func defaultMicroBatchSize(for model: Model) -> Int {
        model.layers.contains { if case .conv2D = $0 { true } else { false } } ? 4 : Int.max
    }

    /// The contiguous rows of a `batchSize` batch that shard `index` computes: the first
    /// `batchSize % shardCount` shards take one extra row.
    func rows(ofShard index: Int, batchSize: Int) -> Range<Int> {
        let base = batchSize / shardCount, extra = batchSize % shardCount
        let start = index * base + min(index, extra)
        return start..<(start + base + (index < extra ? 1 : 0))
    }
}

/// One shard's buffers, behind a mutex.
final class Shard: Sendable {
    let buffers: Mutex<ShardBuffers>

    init(model: Model, maxBatchSize: Int, microBatchSize: Int, kernelPath: KernelPath) {
        self.buffers = Mutex(ShardBuffers(model: model, maxBatchSize: maxBatchSize, microBatchSize: microBatchSize,
                                          kernelPath: kernelPath))
    }

    deinit {
        buffers.withLock { $0.deallocate() }
    }
}

/// Raw scratch memory for one shard, sized for one micro-batch: one allocation of floats
/// (and one of argmax indices), carved into named regions.
struct ShardBuffers {
    /// The model input transposed to channel-major, `[C·H·W][B]` (convolutional models).
    let transposedInput: UnsafeMutablePointer<Float>?
    /// Each layer's output for one micro-batch.
    let activations: [UnsafeMutablePointer<Float>]
    /// Each convolution's im2col columns, kept from forward for backward (an empty
    /// region for other layers).
    let columns: [UnsafeMutablePointer<Float>]
    /// Two activation-gradient buffers used in turn by backward.
    let gradientA: UnsafeMutablePointer<Float>
    let gradientB: UnsafeMutablePointer<Float>
    /// The column gradient of a convolution that propagates to its input.
    let columnGradient: UnsafeMutablePointer<Float>?
    /// This shard's parameter gradient (shard 0 writes straight into the caller's).
    let gradient: UnsafeMutablePointer<Float>
    /// The kernels' instruction-set path (every path gives the same bytes).
    let kernelPath: KernelPath
    /// Each max-pooling layer's argmax offsets (an empty region for other layers).
    let poolIndices: [UnsafeMutablePointer<Int32>]
    /// This shard's summed loss and correct predictions from the last call.
    var loss: Double = 0
    var correct: Int = 0

    private let storage: UnsafeMutablePointer<Float>
    private let indexStorage: UnsafeMutablePointer<Int32>

    /// The rows computed at once; a shard's batch is processed in micro-batches of this size.
    let microBatchSize: Int

    init(model: Model, maxBatchSize: Int, microBatchSize: Int, kernelPath: KernelPath) {
        self.kernelPath = kernelPath
        let batch = min(maxBatchSize, microBatchSize)
        self.microBatchSize = batch
        var sizes: [Int] = []
        sizes.append(model.transposesInput ? batch * model.inputSize : 0)
        var largestActivation = model.inputSize
        for shape in model.layerOutputShapes {
            sizes.append(batch * shape.count)
            largestActivation = max(largestActivation, shape.count)
        }
        var largestColumnGradient = 0
        for (index, layer) in model.layers.enumerated() {
            if case .conv2D(let conv) = layer {
                let count = conv.columnCount(model.layerInputShapes[index], batchSize: batch)
                sizes.append(count)
                if index > model.firstTrainableLayer { largestColumnGradient = max(largestColumnGradient, count) }
            } else {
                sizes.append(0)
            }
        }
        sizes.append(batch * largestActivation)
        sizes.append(batch * largestActivation)
        sizes.append(largestColumnGradient)
        sizes.append(model.parameterCount)
        let total = sizes.reduce(0, +)
        storage = .allocate(capacity: max(total, 1))
        storage.initialize(repeating: 0, count: max(total, 1))

        var cursor = storage
        var next = sizes.makeIterator()
        func carve() -> UnsafeMutablePointer<Float> {
            let region = cursor
            cursor += next.next() ?? 0
            return region
        }
        let transposed = carve()
        transposedInput = model.transposesInput ? transposed : nil
        activations = model.layers.map { _ in carve() }
        columns = model.layers.map { _ in carve() }
        gradientA = carve()
        gradientB = carve()
        let columnRegion = carve()
        columnGradient = largestColumnGradient > 0 ? columnRegion : nil
        gradient = carve()

        var indexCounts: [Int] = []
        for (index, layer) in model.layers.enumerated() {
            if case .maxPool2D = layer {
                indexCounts.append(batch * model.layerOutputShapes[index].count)
            } else {
                indexCounts.append(0)
            }
        }
        let indexTotal = max(indexCounts.reduce(0, +), 1)
        indexStorage = .allocate(capacity: indexTotal)
        indexStorage.initialize(repeating: 0, count: indexTotal)
        var indexCursor = indexStorage
        poolIndices = indexCounts.map { count in
            defer { indexCursor += count }
            return indexCursor
        }
    }

    func deallocate() {
        storage.deallocate()
        indexStorage.deallocate()
    }
}
