import ByzantineAttacks
import Datasets
import NeuralEngine

/// One thread's engine: a workspace and batch buffers, reused for every gradient it
/// computes (no allocation per batch). Not shared between threads.
///
/// Batches of 32 or more are cut into two fixed shards (``shardCount(batchSize:)``), which
/// can run on two cores when a core would otherwise idle (one worker, two threads). The
/// shard count depends on the batch size alone, so the bytes are the same whether the
/// shards run together or one after the other, in the simulation or in a worker process.
/// The kernels take ``KernelPath/selected``, which changes the speed, never the bytes.
public final class GradientComputer {
    public let model: Model
    private let workspace: Workspace
    private var inputs: [Float]
    private var labels: [Int32]

    /// The shards a batch of `batchSize` examples is cut into.
    public static func shardCount(batchSize: Int) -> Int { batchSize >= 32 ? 2 : 1 }

    public init(model: Model, maxBatchSize: Int) {
        self.model = model
        self.workspace = Workspace(model: model, maxBatchSize: maxBatchSize,
                                   shardCount: Self.shardCount(batchSize: maxBatchSize))
        self.inputs = [Float](repeating: 0, count: maxBatchSize * model.inputSize)
        self.labels = [Int32](repeating: 0, count: maxBatchSize)
    }

    /// The mean loss of the batch; its gradient overwrites `gradient` (a row of the
    /// master's matrix). `relabel` poisons the labels first (label-flip attack).
    /// `concurrently` runs the shards on concurrent threads (same bytes).
    /// - Precondition: the batch is not empty and at most the computer's batch size.
    public func gradient(parameters: UnsafeBufferPointer<Float>, dataset: LabeledDataset, batch: ArraySlice<Int>,
                         relabel: LabelTransform? = nil, concurrently: Bool = false,
                         into gradient: UnsafeMutableBufferPointer<Float>) -> Float {
        let n = batch.count
        precondition(n >= 1 && n <= labels.count, "batch of \(n) does not fit a workspace of \(labels.count)")
        let model = self.model, workspace = self.workspace
        return inputs.withUnsafeMutableBufferPointer { x in
            labels.withUnsafeMutableBufferPointer { y in
                dataset.gather(indices: batch, features: x, labels: y)
                if let relabel {
                    relabel.apply(to: UnsafeMutableBufferPointer(rebasing: y[0 ..< n]))
                }
                let inputs = UnsafeBufferPointer(rebasing: x[0 ..< n * model.inputSize])
                let targets = Targets.labels(UnsafeBufferPointer(rebasing: y[0 ..< n]))
                return concurrently && workspace.shardCount > 1
                    ? model.concurrentLossAndGradient(parameters: parameters, inputs: inputs, targets: targets,
                                                      batchSize: n, gradient: gradient, workspace: workspace)
                    : model.lossAndGradient(parameters: parameters, inputs: inputs, targets: targets,
                                            batchSize: n, gradient: gradient, workspace: workspace)
            }
        }
    }
}
