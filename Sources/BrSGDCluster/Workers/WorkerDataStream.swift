import BrSGDRecords
import Datasets
import SeededRandom

/// The mini-batches a worker trains on, as a pure function of the round: round t uses
/// batch t mod B of the worker's epoch ⌊t / B⌋ (B batches per epoch of its partition),
/// each epoch shuffled by its own seeded stream. No state has to survive a restart.
public struct WorkerDataStream: Sendable {
    public let worker: Int
    public let seed: UInt64
    private var sampler: BatchSampler
    private var cachedEpoch: Int = -1
    private var cachedBatches: EpochBatches?

    /// - Precondition: the partition is not empty; `batchSize >= 1`.
    public init(worker: Int, partition: [Int], batchSize: Int, seed: UInt64) {
        precondition(!partition.isEmpty, "worker \(worker) has no examples")
        self.worker = worker
        self.seed = seed
        self.sampler = BatchSampler(indices: partition, batchSize: batchSize)
    }

    /// Batches per pass over the worker's partition.
    public var batchesPerEpoch: Int { sampler.batchesPerEpoch }

    /// The example indices of round `round`'s batch.
    /// - Complexity: O(partition size) when the round starts a new epoch, else O(1).
    public mutating func batch(round: Int) -> ArraySlice<Int> {
        let epoch = round / batchesPerEpoch, k = round % batchesPerEpoch
        if epoch != cachedEpoch || cachedBatches == nil {
            var generator = RandomStreams.batches(seed, worker: worker, epoch: epoch)
            cachedBatches = sampler.epoch(using: &generator)
            cachedEpoch = epoch
        }
        return cachedBatches.map { $0[k] } ?? []
    }
}

extension PartitionScheme {
    /// The partition of `dataset` over `workerCount` workers for `seed`
    /// (``RandomStreams/partition(_:)``).
    public func partition(_ dataset: LabeledDataset, workerCount: Int, seed: UInt64) -> [[Int]] {
        var generator = RandomStreams.partition(seed)
        switch self {
        case .iid:
            return Partition.iid(count: dataset.count, workers: workerCount, using: &generator)
        case .dirichlet(let alpha):
            return Partition.dirichlet(labels: dataset.labels, classCount: dataset.classCount,
                                       workers: workerCount, concentration: alpha, using: &generator)
        }
    }
}
