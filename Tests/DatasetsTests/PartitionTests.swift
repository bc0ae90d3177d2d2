import Foundation
import SeededRandom
import Testing
@testable import Datasets

@Suite struct PartitionTests {
    /// Every index of 0..<count appears in exactly one part.
    func expectCoversExactlyOnce(_ parts: [[Int]], count: Int) {
        let all = parts.flatMap { $0 }
        #expect(all.count == count)
        #expect(all.sorted() == Array(0..<count))
    }

    @Test(arguments: [(0, 3), (10, 1), (10, 3), (1000, 7), (5, 8)])
    func iidCoversEveryIndexOnceWithBalancedSizes(count: Int, workers: Int) {
        for seed in UInt64(0)..<20 {
            var rng = SeededGenerator(seed: seed)
            let parts = Partition.iid(count: count, workers: workers, using: &rng)
            #expect(parts.count == workers)
            expectCoversExactlyOnce(parts, count: count)
            let sizes = parts.map(\.count)
            #expect(sizes.max()! - sizes.min()! <= 1)
        }
    }

    @Test func iidIsReproducibleAndShuffled() {
        var a = SeededGenerator(seed: 5), b = SeededGenerator(seed: 5), c = SeededGenerator(seed: 6)
        let pa = Partition.iid(count: 100, workers: 4, using: &a)
        #expect(pa == Partition.iid(count: 100, workers: 4, using: &b))
        #expect(pa != Partition.iid(count: 100, workers: 4, using: &c))
        #expect(pa.flatMap { $0 } != Array(0..<100))
    }

    /// 10 classes, `perClass` examples each, labels interleaved.
    func balancedLabels(perClass: Int, classCount: Int = 10) -> [Int32] {
        (0..<(perClass * classCount)).map { Int32($0 % classCount) }
    }

    @Test(arguments: [0.05, 0.5, 100.0])
    func dirichletCoversEveryIndexOnceAndLeavesNoWorkerEmpty(alpha: Double) {
        let labels = balancedLabels(perClass: 30)
        for seed in UInt64(0)..<20 {
            var rng = SeededGenerator(seed: seed)
            let parts = Partition.dirichlet(
                labels: labels, classCount: 10, workers: 20, concentration: alpha, using: &rng)
            #expect(parts.count == 20)
            expectCoversExactlyOnce(parts, count: labels.count)
            #expect(parts.allSatisfy { !$0.isEmpty })
        }
    }

    @Test func dirichletIsReproducibleForASeed() {
        let labels = balancedLabels(perClass: 50)
        var a = SeededGenerator(seed: 9), b = SeededGenerator(seed: 9), c = SeededGenerator(seed: 10)
        let pa = Partition.dirichlet(labels: labels, classCount: 10, workers: 8, concentration: 0.5, using: &a)
        #expect(pa == Partition.dirichlet(labels: labels, classCount: 10, workers: 8, concentration: 0.5, using: &b))
        #expect(pa != Partition.dirichlet(labels: labels, classCount: 10, workers: 8, concentration: 0.5, using: &c))
    }

    /// The mean, over workers, of the entropy (nats) of the worker's label distribution.
    func meanLabelEntropy(_ parts: [[Int]], labels: [Int32], classCount: Int) -> Double {
        var total = 0.0
        for part in parts {
            var counts = [Double](repeating: 0, count: classCount)
            for i in part { counts[Int(labels[i])] += 1 }
            let n = Double(part.count)
            total += counts.reduce(0.0) { acc, c in c > 0 ? acc - (c / n) * Foundation.log(c / n) : acc }
        }
        return total / Double(parts.count)
    }

    @Test func smallConcentrationIsMoreSkewedThanLarge() {
        let labels = balancedLabels(perClass: 200)
        let uniform = Foundation.log(10.0)
        for seed in UInt64(0)..<5 {
            var rng = SeededGenerator(seed: seed)
            func entropy(_ alpha: Double) -> Double {
                let parts = Partition.dirichlet(
                    labels: labels, classCount: 10, workers: 10, concentration: alpha, using: &rng)
                return meanLabelEntropy(parts, labels: labels, classCount: 10)
            }
            let skewed = entropy(0.1), moderate = entropy(1), nearIID = entropy(100)
            #expect(skewed < moderate)
            #expect(moderate < nearIID)
            #expect(skewed < 0.5 * uniform)
            #expect(nearIID > 0.95 * uniform)
        }
    }

    @Test func apportionSumsExactly() {
        #expect(Partition.apportion(10, proportions: [0.25, 0.25, 0.5]) == [3, 2, 5])
        #expect(Partition.apportion(7, proportions: [1.0 / 3, 1.0 / 3, 1.0 / 3]) == [3, 2, 2])
        #expect(Partition.apportion(0, proportions: [0.5, 0.5]) == [0, 0])
        var rng = SeededGenerator(seed: 1)
        for n in 0..<50 {
            let p = rng.nextDirichlet(count: 6, concentration: 0.3)
            #expect(Partition.apportion(n, proportions: p).reduce(0, +) == n)
        }
    }

    // MARK: - Gamma similarity (ByzFL)

    @Test(arguments: [0.0, 0.33, 0.66, 1.0])
    func gammaCoversEveryIndexOnceWithByzFLsSizes(gamma: Double) {
        let labels = balancedLabels(perClass: 101)  // N = 1,010: no split comes out even
        for seed in UInt64(0)..<10 {
            var rng = SeededGenerator(seed: seed)
            let parts = Partition.gammaSimilarity(labels: labels, workers: 7, gamma: gamma, using: &rng)
            #expect(parts.count == 7)
            expectCoversExactlyOnce(parts, count: labels.count)
            // ⌊γN⌋ similar examples and the rest, each cut as array_split cuts: first parts longer.
            let similar = Int((Double(labels.count) * gamma).rounded(.down)), rest = labels.count - similar
            let expected = (0..<7).map { w in similar / 7 + (w < similar % 7 ? 1 : 0) + rest / 7 + (w < rest % 7 ? 1 : 0) }
            #expect(parts.map(\.count) == expected)
        }
    }

    @Test func gammaOneIsAnIIDSplit() {
        let labels = balancedLabels(perClass: 200)
        var rng = SeededGenerator(seed: 3)
        let parts = Partition.gammaSimilarity(labels: labels, workers: 10, gamma: 1, using: &rng)
        // Every worker sees every label, in near-equal shares (200 examples of 10 labels).
        for part in parts {
            var counts = [Int](repeating: 0, count: 10)
            for i in part { counts[Int(labels[i])] += 1 }
            #expect(counts.allSatisfy { $0 > 5 }, "label counts \(counts)")
        }
        #expect(meanLabelEntropy(parts, labels: labels, classCount: 10) > 0.95 * Foundation.log(10.0))
    }

    @Test func gammaZeroGivesEachWorkerAFewLabelsInOrder() {
        let labels = balancedLabels(perClass: 200)
        var rng = SeededGenerator(seed: 4)
        let parts = Partition.gammaSimilarity(labels: labels, workers: 10, gamma: 0, using: &rng)
        // 10 workers, 10 classes of 200: worker w holds exactly label w.
        for (w, part) in parts.enumerated() {
            #expect(Set(part.map { labels[$0] }) == [Int32(w)])
        }
        // 7 workers: shards of 286 or 285 examples hold a run of two or three consecutive
        // labels (classes of 200), in label order.
        var again = SeededGenerator(seed: 4)
        let seven = Partition.gammaSimilarity(labels: labels, workers: 7, gamma: 0, using: &again)
        var last: Int32 = 0
        for part in seven {
            let held = Set(part.map { labels[$0] })
            #expect(held.count <= 3 && Int(held.max()! - held.min()!) == held.count - 1)
            #expect(held.min()! >= last)
            last = held.max()!
        }
    }

    @Test func smallerGammaIsMoreSkewed() {
        let labels = balancedLabels(perClass: 200)
        func entropy(_ gamma: Double) -> Double {
            var rng = SeededGenerator(seed: 2)
            let parts = Partition.gammaSimilarity(labels: labels, workers: 10, gamma: gamma, using: &rng)
            return meanLabelEntropy(parts, labels: labels, classCount: 10)
        }
        let entropies = [1.0, 0.66, 0.33, 0.0].map(entropy)
        #expect(zip(entropies, entropies.dropFirst()).allSatisfy { $0 > $1 }, "entropies \(entropies)")
    }

    @Test func gammaIsReproducibleForASeed() {
        let labels = balancedLabels(perClass: 50)
        var a = SeededGenerator(seed: 9), b = SeededGenerator(seed: 9), c = SeededGenerator(seed: 10)
        let pa = Partition.gammaSimilarity(labels: labels, workers: 8, gamma: 0.5, using: &a)
        #expect(pa == Partition.gammaSimilarity(labels: labels, workers: 8, gamma: 0.5, using: &b))
        #expect(pa != Partition.gammaSimilarity(labels: labels, workers: 8, gamma: 0.5, using: &c))
    }
}
