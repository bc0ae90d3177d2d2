import SeededRandom
import Testing
@testable import Datasets

@Suite struct BatchSamplerTests {
    let shard = [3, 17, 4, 99, 12, 8, 41, 5, 60, 23]  // a worker's partition

    @Test(arguments: [1, 3, 4, 10, 11])
    func keepLastCoversThePartitionExactlyOnce(batchSize: Int) {
        var sampler = BatchSampler(indices: shard, batchSize: batchSize)
        var rng = SeededGenerator(seed: 2)
        let batches = sampler.epoch(using: &rng)
        #expect(batches.count == (shard.count + batchSize - 1) / batchSize)
        #expect(batches.count == sampler.batchesPerEpoch)
        #expect(batches.dropLast().allSatisfy { $0.count == batchSize })
        #expect(batches.flatMap { $0 }.sorted() == shard.sorted())
    }

    @Test(arguments: [1, 3, 4, 10, 11])
    func dropLastKeepsOnlyFullBatches(batchSize: Int) {
        var sampler = BatchSampler(indices: shard, batchSize: batchSize, dropLast: true)
        var rng = SeededGenerator(seed: 2)
        let batches = sampler.epoch(using: &rng)
        #expect(batches.count == shard.count / batchSize)
        #expect(batches.allSatisfy { $0.count == batchSize })
        let seen = batches.flatMap { $0 }
        #expect(Set(seen).count == seen.count)
        #expect(Set(seen).isSubset(of: shard))
    }

    @Test func epochsDifferAndAreReproducible() {
        var sampler = BatchSampler(indices: Array(0..<64), batchSize: 8)
        var rng = SeededGenerator(seed: 11)
        let first = sampler.epoch(using: &rng).map(Array.init)
        let second = sampler.epoch(using: &rng).map(Array.init)
        #expect(first != second)
        #expect(first.joined().sorted() == second.joined().sorted())

        var again = BatchSampler(indices: Array(0..<64), batchSize: 8)
        var rngAgain = SeededGenerator(seed: 11)
        #expect(again.epoch(using: &rngAgain).map(Array.init) == first)
        #expect(again.epoch(using: &rngAgain).map(Array.init) == second)
    }

    @Test func anEpochDependsOnlyOnTheGeneratorState() {
        // The same generator state gives the same epoch whatever epochs came before.
        var used = BatchSampler(indices: shard, batchSize: 4)
        var rng = SeededGenerator(seed: 1)
        _ = used.epoch(using: &rng)
        var fresh = BatchSampler(indices: shard, batchSize: 4)
        var copy = rng
        #expect(used.epoch(using: &rng).order == fresh.epoch(using: &copy).order)
    }

    @Test func emptyPartitionHasNoBatches() {
        var sampler = BatchSampler(indices: [], batchSize: 4)
        var rng = SeededGenerator(seed: 1)
        #expect(sampler.epoch(using: &rng).isEmpty)
    }
}
