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
    /// (``RandomStreams/partition(_:)``): one list of example indices per worker.
    ///
    /// IID and Dirichlet split the data over all m workers. Gamma similarity splits it over
    /// the honest workers b..<m only, as ByzFL's benchmark does, and gives each of the
    /// Byzantine workers 0..<b the whole training set (only an attack that trains on data of
    /// its own uses it); with b = m, when no worker is honest, it splits over all m.
    /// - Precondition: `0 ≤ byzantineCount ≤ workerCount`.
    public func partition(_ dataset: LabeledDataset, workerCount: Int, byzantineCount: Int = 0, seed: UInt64) -> [[Int]] {
        precondition(byzantineCount >= 0 && byzantineCount <= workerCount)
        var generator = RandomStreams.partition(seed)
        switch self {
        case .iid:
            return Partition.iid(count: dataset.count, workers: workerCount, using: &generator)
        case .dirichlet(let alpha):
            return Partition.dirichlet(labels: dataset.labels, classCount: dataset.classCount,
                                       workers: workerCount, concentration: alpha, using: &generator)
        case .gammaSimilarity(let gamma):
            let honest = workerCount - byzantineCount
            guard honest > 0 else {
                return Partition.gammaSimilarity(labels: dataset.labels, workers: workerCount, gamma: gamma, using: &generator)
            }
            let split = Partition.gammaSimilarity(labels: dataset.labels, workers: honest, gamma: gamma, using: &generator)
            return [[Int]](repeating: Array(0 ..< dataset.count), count: byzantineCount) + split
        }
    }
}
