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
}
