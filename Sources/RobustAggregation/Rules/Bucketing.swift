/// Bucketing, a pre-aggregation any rule can be wrapped in: the m' accepted rows are put in
/// a random order, cut into ⌈m'/s⌉ buckets of s consecutive rows (the last one holds the
/// remaining m' − s·⌊m'/s⌋ rows when s does not divide m'), and the wrapped rule aggregates
/// the bucket means.
///
/// Karimireddy, He & Jaggi, "Byzantine-Robust Learning on Heterogeneous Datasets via
/// Bucketing", ICLR 2022 (Algorithm 1). We follow ByzFL's `Bucketing` pre-aggregator: a
/// permutation of the rows, ⌊m'/s⌋ full buckets in order and a last, smaller one averaged
/// over its own size.
///
/// The permutation: position p of the accepted rows (in increasing row order) goes to place
/// π⁻¹(p), where π = ``permutation(count:seed:round:)`` — Fisher–Yates driven by SplitMix64
/// seeded from (`seed`, ``AcceptedRows/round``), exact integer arithmetic, so the same seed,
/// round and matrix give the same buckets and the same bytes on every machine. Bucket b
/// holds the rows at positions π[b·s] …< π[min((b+1)·s, m')], summed in increasing row order
/// and divided by the bucket's size (in Float).
///
/// ```swift
/// let rule = Bucketing(bucketSize: 2, seed: runSeed, wrapping: BrSGD())
/// let result = try rule.aggregate(gradients, round: t)   // a new permutation every round
/// ```
///
/// The wrapped rule keeps its own f: each Byzantine row spoils at most one bucket, so at
/// most f' of the ⌈m'/s⌉ buckets are bad (as in the paper and in ByzFL, which pass the same
/// f on); a rule that needs m' > 2f' then needs ⌈m'/s⌉ > 2f'.
///
/// Diagnostics name workers, not buckets: `acceptedRows` and `rejectedRows` are the input's;
/// a worker inherits what the wrapped rule said about its bucket: `selectedRows` are the
/// workers whose bucket the wrapped rule selected, per-row `scores` and BrSGD's scores and
/// distances are those of the worker's bucket, and BrSGD's C1 and C2 list the workers of
/// the buckets in them.
///
/// - Complexity: O(m'd) for the bucket means (one read pass, one write of ⌈m'/s⌉ rows),
///   O(m') for the permutation, plus the wrapped rule's cost on ⌈m'/s⌉ rows.
public struct Bucketing: AggregationRule {
    /// s ≥ 1, the number of rows per bucket (s = 1 only shuffles; s ≥ m' averages all).
    public let bucketSize: Int
    /// The seed of the permutations (with the round).
    public let seed: UInt64
    /// The rule that aggregates the bucket means.
    public let wrapped: any AggregationRule

    /// - Precondition: `bucketSize >= 1`.
    public init(bucketSize: Int, seed: UInt64 = 0, wrapping wrapped: any AggregationRule) {
        precondition(bucketSize >= 1, "the bucket size must be at least 1")
        self.bucketSize = bucketSize
        self.seed = seed
        self.wrapped = wrapped
    }

    public var name: String { "bucketing(s=\(bucketSize))+\(wrapped.name)" }

    public var isRandomized: Bool { true }
    public var usesPreviousAggregate: Bool { wrapped.usesPreviousAggregate }

    /// The permutation of `count` rows for (`seed`, `round`): place q of the shuffled order
    /// holds position `permutation[q]`. Fisher–Yates (for i = count − 1 down to 1, swap
    /// places i and next() mod (i + 1)) over SplitMix64 with
    /// state₀ = mix(seed ⊕ mix(round + 0x9E3779B97F4A7C15)); see the file `SplitMix64.swift`.
    /// - Complexity: O(count).
    public static func permutation(count: Int, seed: UInt64, round: Int) -> [Int] {
        SplitMix64.permutation(count: count, seed: seed, round: round)
    }

    /// The buckets for `count` rows: bucket b lists its positions (increasing).
    public func buckets(count: Int, round: Int) -> [[Int]] {
        let order = Self.permutation(count: count, seed: seed, round: round)
        return stride(from: 0, to: count, by: bucketSize).map { start in
            order[start ..< min(start + bucketSize, count)].sorted()
        }
    }

    public func aggregate(_ rows: AcceptedRows) throws(AggregationError) -> AggregationResult {
        try rows.requireAny(rule: name)
        let m = rows.count, d = rows.columnCount
        let buckets = buckets(count: m, round: rows.round)
        // Every entry is written by its bucket's mean, so the storage is never zero-filled first.
        let storage = rows.withRowPointers { pointers in
            [Float](unsafeUninitializedCapacity: buckets.count * d) { buffer, initialized in
                if let base = buffer.baseAddress {
                    for (b, members) in buckets.enumerated() {
                        members.map { pointers[$0] }.withUnsafeBufferPointer { members in
                            Kernels.meanOfRows(members, columnCount: d, into: base + b * d)
                        }
                    }
                }
                initialized = buckets.count * d
            }
        }
        let means = GradientMatrix(rowCount: buckets.count, columnCount: d, storage: storage)
        var result = try wrapped.aggregate(rows.replacingRows(with: means, labels: Array(buckets.indices)))
        result.diagnostics = Self.workerDiagnostics(result.diagnostics, rows: rows, buckets: buckets, rule: name)
        return result
    }

    /// Turns the wrapped rule's diagnostics about buckets into diagnostics about workers.
    static func workerDiagnostics(_ inner: AggregationDiagnostics, rows: AcceptedRows, buckets: [[Int]],
                                  rule: String) -> AggregationDiagnostics {
        var bucketOf = [Int](repeating: 0, count: rows.count)
        for (b, members) in buckets.enumerated() { for p in members { bucketOf[p] = b } }
        func workers(_ bucketList: [Int]) -> [Int] {
            bucketList.flatMap { buckets[$0].map { rows.labels[$0] } }.sorted()
        }
        func perWorker<T>(_ perBucket: [T]) -> [T] { bucketOf.map { perBucket[$0] } }
        var outer = AggregationDiagnostics(
            rule: rule, rejectedRows: rows.rejectedRows, acceptedRows: rows.labels,
            selectedRows: workers(inner.selectedRows), scores: inner.scores.map(perWorker),
            iterations: inner.iterations)
        if let brsgd = inner.brsgd {
            outer.brsgd = BrSGDDiagnostics(
                scores: perWorker(brsgd.scores), distances: perWorker(brsgd.distances),
                threshold: brsgd.threshold, constraint1: workers(brsgd.constraint1),
                constraint2: workers(brsgd.constraint2), returnedMedian: brsgd.returnedMedian)
        }
        return outer
    }
}
