import SeededRandom

/// Splits a training set over m workers: each worker gets a list of example indices.
///
/// - `iid`: a seeded shuffle cut into m near-equal parts.
/// - `dirichlet`: non-IID by label, after Hsu, Qi & Brown, "Measuring the Effects of
///   Non-Identical Data Distribution for Federated Visual Classification" (2019): each
///   class is spread over the workers in proportions drawn from Dirichlet(α). Small α
///   (0.1) gives each worker few classes; large α (100) approaches IID.
/// - `gammaSimilarity`: ByzFL's heterogeneity (Allouah et al., "Fixing by Mixing", AISTATS
///   2023; `gamma_niid_idx` in LPD-EPFL/byzfl): a fraction γ of the data is split IID, the
///   rest sorted by label and cut into contiguous shards. γ = 1 is IID; γ = 0 gives each
///   worker one or two labels.
///
/// All three are deterministic functions of their inputs and the generator's state.
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
        return cut(order[...], into: workers)
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

    /// ByzFL's gamma-similarity split (`DataDistributor.gamma_niid_idx`, LPD-EPFL/byzfl,
    /// after Allouah et al., "Fixing by Mixing: A Recipe for Optimal Byzantine ML under
    /// Heterogeneity", AISTATS 2023): shuffle `0..<labels.count`; the first ⌊γ·N⌋ indices
    /// are the *similar* part, cut into `workers` near-equal parts as ``iid(count:workers:using:)``
    /// cuts (the first parts one longer); the other N − ⌊γ·N⌋ are sorted by (label, index)
    /// and cut the same way into contiguous shards. Worker w gets its similar part, then its
    /// shard.
    ///
    /// ByzFL's indices come in the random order of its train/validation `random_split`; the
    /// shuffle here plays that part. γ = 1 is an IID split; γ = 0 sorts everything, so with
    /// 10 classes and 10 workers each worker holds one or two labels.
    ///
    /// - Precondition: `workers > 0`, `0 ≤ gamma ≤ 1`, `labels.count >= workers`.
    /// - Complexity: O(N log N) for N = `labels.count` (the sort).
    public static func gammaSimilarity(
        labels: [Int32], workers: Int, gamma: Double, using generator: inout SeededGenerator
    ) -> [[Int]] {
        precondition(workers > 0, "workers must be positive")
        precondition(gamma >= 0 && gamma <= 1, "γ must lie in [0, 1]")
        precondition(labels.count >= workers, "need at least one example per worker")
        var order = Array(0 ..< labels.count)
        generator.shuffle(&order)
        let similarCount = Int((Double(labels.count) * gamma).rounded(.down))
        let similar = cut(order[..<similarCount], into: workers)
        let sorted = order[similarCount...].sorted { labels[$0] != labels[$1] ? labels[$0] < labels[$1] : $0 < $1 }
        let shards = cut(sorted[...], into: workers)
        return (0 ..< workers).map { similar[$0] + shards[$0] }
    }

    /// `items` cut into `parts` contiguous pieces whose sizes differ by at most one, the
    /// longer ones first (NumPy's `array_split`).
    static func cut(_ items: ArraySlice<Int>, into parts: Int) -> [[Int]] {
        let base = items.count / parts, extra = items.count % parts
        var out: [[Int]] = []
        out.reserveCapacity(parts)
        var start = items.startIndex
        for w in 0 ..< parts {
            let size = base + (w < extra ? 1 : 0)
            out.append(Array(items[start ..< start + size]))
            start += size
        }
        return out
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
