import SeededRandom

/// Splits a training set over m workers: each worker gets a list of example indices.
///
/// - `iid`: a seeded shuffle cut into m near-equal parts.
/// - `dirichlet`: non-IID by label, after Hsu, Qi & Brown, "Measuring the Effects of
///   Non-Identical Data Distribution for Federated Visual Classification" (2019): each
///   class is spread over the workers in proportions drawn from Dirichlet(α). Small α
///   (0.1) gives each worker few classes; large α (100) approaches IID.
///
/// Both are deterministic functions of their inputs and the generator's state.
public enum Partition {
    /// Shuffles `0..<count` and cuts it into `workers` contiguous parts whose sizes differ
    /// by at most one (the first `count % workers` parts get the extra example; with
    /// fewer examples than workers, the last parts are empty).
    ///
    /// - Precondition: `workers > 0`, `count >= 0`.
    /// - Complexity: O(count).
    public static func iid(
        count: Int, workers: Int, using generator: inout SeededGenerator
    ) -> [[Int]] {
        precondition(workers > 0, "workers must be positive")
        precondition(count >= 0, "count must not be negative")
        var order = Array(0..<count)
        generator.shuffle(&order)
        let base = count / workers, extra = count % workers
        var parts: [[Int]] = []
        parts.reserveCapacity(workers)
        var start = 0
        for w in 0..<workers {
            let size = base + (w < extra ? 1 : 0)
            parts.append(Array(order[start..<(start + size)]))
            start += size
        }
        return parts
    }

    /// A label-skewed split: for each class c (in order 0, 1, …), draw proportions
    /// p ~ Dirichlet(α, …, α) over the workers, shuffle the indices of class c, and hand
    /// worker w the next ⌊p_w · n_c⌉ of them (largest-remainder rounding, so the counts
    /// sum to n_c exactly). Each worker's list is then shuffled.
    ///
    /// Every worker gets at least one example: a worker left empty (likely when α is
    /// small and workers are many) takes one example, chosen by the generator, from the
    /// worker holding the most. This departs from Hsu et al., whose scheme may leave a
    /// worker empty; an empty worker could not compute a gradient.
    ///
    /// - Precondition: `workers > 0`, `concentration > 0`, `labels.count >= workers`,
    ///   every label in `0..<classCount`.
    /// - Complexity: O(labels.count + classCount × workers).
    public static func dirichlet(
        labels: [Int32], classCount: Int, workers: Int, concentration: Double,
        using generator: inout SeededGenerator
    ) -> [[Int]] {
        precondition(workers > 0, "workers must be positive")
        precondition(concentration > 0, "the Dirichlet concentration α must be positive")
        precondition(labels.count >= workers, "need at least one example per worker")
        var byClass = [[Int]](repeating: [], count: classCount)
        for (index, label) in labels.enumerated() {
            precondition(label >= 0 && Int(label) < classCount, "label \(label) outside 0..<\(classCount)")
            byClass[Int(label)].append(index)
        }
        var parts = [[Int]](repeating: [], count: workers)
        for c in 0..<classCount {
            var members = byClass[c]
            guard !members.isEmpty else { continue }
            generator.shuffle(&members)
            let proportions = generator.nextDirichlet(count: workers, concentration: concentration)
            let counts = apportion(members.count, proportions: proportions)
            var start = 0
            for w in 0..<workers where counts[w] > 0 {
                parts[w].append(contentsOf: members[start..<(start + counts[w])])
                start += counts[w]
            }
        }
        for w in 0..<workers where parts[w].isEmpty {
            // Largest donor, lowest index on ties; the donated example is drawn at random.
            var donor = 0
            for v in 1..<workers where parts[v].count > parts[donor].count { donor = v }
            let k = generator.nextIndex(below: parts[donor].count)
            parts[w].append(parts[donor].remove(at: k))
        }
        for w in 0..<workers { generator.shuffle(&parts[w]) }
        return parts
    }

    /// Integer counts summing to `total`, proportional to `proportions` (which sum to 1):
    /// floors first, then one more to the largest remainders (lowest index on ties).
    static func apportion(_ total: Int, proportions: [Double]) -> [Int] {
        let exact = proportions.map { $0 * Double(total) }
        var counts = exact.map { Int($0.rounded(.down)) }
        var missing = total - counts.reduce(0, +)
        let byRemainder = exact.indices.sorted {
            let a = exact[$0] - Double(counts[$0]), b = exact[$1] - Double(counts[$1])
            return a != b ? a > b : $0 < $1
        }
        var k = 0
        while missing > 0 {
            counts[byRemainder[k % byRemainder.count]] += 1
            missing -= 1
            k += 1
        }
        return counts
    }
}
