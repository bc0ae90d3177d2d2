import SeededRandom

/// Cuts a worker's examples into the mini-batches of an epoch, after a seeded shuffle.
///
/// ```swift
/// var sampler = BatchSampler(indices: partition[worker], batchSize: 32)
/// var rng = SeededGenerator(seed: seed, stream: UInt64(worker))
/// for epoch in 0..<epochs {
///     for batch in sampler.epoch(using: &rng) {          // batch: ArraySlice<Int>
///         train.gather(indices: batch, features: inputs, labels: targets)
///     }
/// }
/// ```
///
/// Each epoch starts from the worker's index list in its given order and shuffles it
/// (Fisher–Yates) with the generator, so an epoch is a function of the index list and the
/// generator's state alone; successive epochs differ because the generator moves on.
/// The shuffle reuses the sampler's own buffer: no allocation per epoch, unless an
/// earlier epoch's batches are still held (copy on write).
public struct BatchSampler: Sendable {
    /// The worker's example indices, in their given order.
    public let indices: [Int]
    /// Examples per batch.
    public let batchSize: Int
    /// Whether an epoch's last, smaller batch is dropped.
    public let dropsLastPartialBatch: Bool
    private var order: [Int]

    /// - Parameter dropLast: drop the last batch of an epoch when it is smaller than
    ///   `batchSize` (default false: keep it).
    /// - Precondition: `batchSize > 0`.
    public init(indices: [Int], batchSize: Int, dropLast: Bool = false) {
        precondition(batchSize > 0, "batchSize must be positive")
        self.indices = indices
        self.batchSize = batchSize
        self.dropsLastPartialBatch = dropLast
        self.order = indices
    }

    /// The number of batches in each epoch.
    public var batchesPerEpoch: Int {
        dropsLastPartialBatch
            ? indices.count / batchSize : (indices.count + batchSize - 1) / batchSize
    }

    /// Shuffles the indices and returns the epoch's batches.
    /// - Complexity: O(indices.count).
    public mutating func epoch(using generator: inout SeededGenerator) -> EpochBatches {
        order.withUnsafeMutableBufferPointer { out in
            for i in 0..<indices.count { out[i] = indices[i] }
        }
        generator.shuffle(&order)
        return EpochBatches(order: order, batchSize: batchSize, count: batchesPerEpoch)
    }
}

/// The mini-batches of one epoch, in order: batch k is `order[k·b ..< min((k+1)·b, n)]`.
public struct EpochBatches: RandomAccessCollection, Sendable {
    /// The shuffled indices of the whole epoch.
    public let order: [Int]
    /// Examples per batch (the last may hold fewer).
    public let batchSize: Int
    public let startIndex = 0
    public let endIndex: Int

    init(order: [Int], batchSize: Int, count: Int) {
        self.order = order
        self.batchSize = batchSize
        self.endIndex = count
    }

    /// Batch `position`: a slice of `order`, no copy.
    /// - Complexity: O(1).
    public subscript(position: Int) -> ArraySlice<Int> {
        precondition(position >= startIndex && position < endIndex, "batch index out of range")
        let start = position * batchSize
        return order[start..<Swift.min(start + batchSize, order.count)]
    }
}
