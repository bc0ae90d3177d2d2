/// BrSGD's aggregation rule 𝒜_{β,T}: Algorithm 2 of Li, Chen, Dong, Zhang, Wang & Zeng,
/// "Efficient Byzantine-Resilient Stochastic Gradient Descent".
///
/// Over the m' accepted rows of G:
/// 1. a_c = the mean of column c.
/// 2. M[i,c] = 1 if G[i,c] ≥ a_c, else 0; count_c = Σ_i M[i,c]. If count_c < m'/2 the
///    column is negated (M[·,c] = −M[·,c]). The score s_i = Σ_c M[i,c]: how often row i
///    stands with the majority side of the mean (minority entries cost a point).
/// 3. med = the coordinate-wise median (as ``CoordinateWiseMedian``);
///    dist_i = ‖G[i,·] − med‖₁.
/// 4. T is given, or `auto`: the median of {dist_i}. C1 = { i : dist_i ≤ 2T } (Constraint 1).
/// 5. k = ⌈β·m'⌉, at least 1 (β·m' in Double; a product within 10⁻⁹ of an integer is that
///    integer, so β = 0.3, m' = 20 gives 6); C2 = the k rows with the highest s_i, ties to
///    the lowest index (Constraint 2).
/// 6. The result is the mean of the rows in C1 ∩ C2 (in increasing row order), or med
///    when C1 ∩ C2 is empty.
///
/// Where we depart from the paper: the paper gives T no practical value; `auto` (the
/// median L1 distance to the coordinate-wise median) is our choice, and the default. The
/// paper requires α < β ≤ ½; we accept any β in (0, 1]. Algorithm 2 may select nothing;
/// we then return the median rather than an undefined mean.
///
/// - Complexity: O(m'd). Everything but the final mean happens in one pass over memory:
///   per block of 8,192 columns (which stays in the L2 cache) the column means, the score
///   counts, the median (a branch-free selection network for m' ≤ 48, quickselect above:
///   never a full sort) and the L1 distances; then one more pass averages the selected
///   rows. Parallel over column blocks; the result does not depend on the thread count.
public struct BrSGD: AggregationRule {
    /// How Constraint 1's threshold T is chosen.
    public enum Threshold: Sendable, Equatable, CustomStringConvertible {
        /// T = the median of the rows' L1 distances to the coordinate-wise median.
        case automatic
        /// A fixed T ≥ 0.
        case fixed(Double)

        public var description: String {
            switch self {
            case .automatic: "auto"
            case .fixed(let t): "\(t)"
            }
        }
    }

    /// β, the fraction of accepted rows kept by Constraint 2.
    public let selectionFraction: Double
    /// T, Constraint 1's threshold.
    public let threshold: Threshold

    /// - Precondition: 0 < `selectionFraction` ≤ 1; a fixed threshold is finite and ≥ 0.
    public init(selectionFraction: Double = 0.5, threshold: Threshold = .automatic) {
        precondition(selectionFraction > 0 && selectionFraction <= 1, "β must lie in (0, 1]")
        if case .fixed(let t) = threshold {
            precondition(t.isFinite && t >= 0, "a fixed threshold must be finite and non-negative")
        }
        self.selectionFraction = selectionFraction
        self.threshold = threshold
    }

    public var name: String { "brsgd(beta=\(selectionFraction),threshold=\(threshold))" }

    /// k = ⌈β·m⌉ clamped to 1…m, with products within 10⁻⁹ of an integer snapped to it.
    public static func selectionCount(fraction beta: Double, rowCount m: Int) -> Int {
        let product = beta * Double(m)
        let nearest = product.rounded()
        let k = abs(product - nearest) <= 1e-9 ? Int(nearest) : Int(product.rounded(.up))
        return min(m, max(1, k))
    }

    /// Scans for non-finite rows inside the first pass: a NaN or ±Inf entry makes its
    /// column mean non-finite, and only then are the rows scanned and the rule started
    /// over without the bad ones. One pass over memory fewer than scanning first.
    public func aggregate(_ gradients: GradientMatrix) throws(AggregationError) -> AggregationResult {
        let optimistic = AcceptedRows(assumingFinite: gradients)
        if optimistic.count > 0, let result = try aggregate(optimistic, requiringFiniteMeans: true) {
            return result
        }
        return try aggregate(AcceptedRows(gradients))
    }

    public func aggregate(_ rows: AcceptedRows) throws(AggregationError) -> AggregationResult {
        // Rows given here are finite; `requiringFiniteMeans: false` never returns nil.
        guard let result = try aggregate(rows, requiringFiniteMeans: false) else {
            preconditionFailure("unreachable: no finiteness requirement")
        }
        return result
    }

    /// Algorithm 2 over `rows`; nil when `requiringFiniteMeans` and some column mean is not
    /// finite (a row holds NaN or ±Inf, or a huge sum overflowed).
    private func aggregate(_ rows: AcceptedRows, requiringFiniteMeans: Bool) throws(AggregationError) -> AggregationResult? {
        try rows.requireAny(rule: name)
        let m = rows.count, d = rows.columnCount
        let blocks = ColumnBlocks(columnCount: d)
        var median = [Float](repeating: 0, count: d)
        var scoreParts = [Int](repeating: 0, count: blocks.count * m)
        var distanceParts = [Double](repeating: 0, count: blocks.count * m)
        var finiteBlocks = [Bool](repeating: true, count: blocks.count)
        rows.withRowPointers { pointers in
            median.withUnsafeMutableBufferPointer { median in
                scoreParts.withUnsafeMutableBufferPointer { scoreParts in
                    distanceParts.withUnsafeMutableBufferPointer { distanceParts in
                        finiteBlocks.withUnsafeMutableBufferPointer { finiteBlocks in
                            guard let med = median.baseAddress, let scores = scoreParts.baseAddress,
                                  let distances = distanceParts.baseAddress else { return }
                            let stats = ColumnOrderStatistics(.median, rowCount: m)
                            Parallel.forEach(blocks.count, work: m * d) { b in
                                finiteBlocks[b] = BrSGDBlockKernel.run(
                                    pointers, columns: blocks.range(b), median: med, statistics: stats,
                                    scores: scores + b * m, distances: distances + b * m)
                            }
                        }
                    }
                }
            }
        }
        if requiringFiniteMeans && finiteBlocks.contains(false) { return nil }
        var scores = [Int](repeating: 0, count: m)
        var distances = [Double](repeating: 0, count: m)
        for b in 0 ..< blocks.count {
            for i in 0 ..< m {
                scores[i] += scoreParts[b * m + i]
                distances[i] += distanceParts[b * m + i]
            }
        }

        let t: Double
        switch threshold {
        case .automatic: t = medianOfDoubles(distances)
        case .fixed(let value): t = value
        }
        let c1 = (0 ..< m).filter { distances[$0] <= 2 * t }
        let k = Self.selectionCount(fraction: selectionFraction, rowCount: m)
        let c2 = Array((0 ..< m).sorted { (-scores[$0], $0) < (-scores[$1], $1) }.prefix(k)).sorted()
        let inC2 = Set(c2)
        let chosen = c1.filter { inC2.contains($0) }

        let gradient: [Float]
        if chosen.isEmpty {
            gradient = median
        } else {
            gradient = rows.withRowPointers { pointers in
                let selected = chosen.map { pointers[$0] }
                return selected.withUnsafeBufferPointer { Kernels.meanOfRows($0, columnCount: d) }
            }
        }
        var diagnostics = rows.diagnostics(rule: name, selectedPositions: chosen)
        diagnostics.brsgd = BrSGDDiagnostics(
            scores: scores, distances: distances, threshold: t,
            constraint1: c1.map { rows.labels[$0] }, constraint2: c2.map { rows.labels[$0] },
            returnedMedian: chosen.isEmpty)
        return AggregationResult(gradient: gradient, diagnostics: diagnostics)
    }
}

/// The median of Doubles; for an even count lower·½ + upper·½.
func medianOfDoubles(_ values: [Double]) -> Double {
    precondition(!values.isEmpty)
    let sorted = values.sorted()
    let n = sorted.count
    return n % 2 == 1 ? sorted[n / 2] : sorted[n / 2 - 1] * 0.5 + sorted[n / 2] * 0.5
}

/// Steps 1–3 of Algorithm 2 for one block of columns, reading the block from memory once.
enum BrSGDBlockKernel {
    /// - Returns: whether every column mean of the block is finite.
    static func run(_ rows: UnsafeBufferPointer<UnsafePointer<Float>>, columns: Range<Int>,
                    median: UnsafeMutablePointer<Float>, statistics: ColumnOrderStatistics,
                    scores: UnsafeMutablePointer<Int>, distances: UnsafeMutablePointer<Double>) -> Bool {
        let m = rows.count, start = columns.lowerBound, width = columns.count
        let meansAreFinite = withUnsafeTemporaryAllocation(of: Float.self, capacity: width) { meanBuffer in
            withUnsafeTemporaryAllocation(of: Int32.self, capacity: width) { signBuffer in
                let mean = meanBuffer.baseAddress.unsafelyUnwrapped   // width ≥ 1
                let sign = signBuffer.baseAddress.unsafelyUnwrapped
                // 1. Column means, summing rows in order (as Mean does).
                Kernels.sumRows(rows, start: start, count: width, into: mean)
                let divisor = Float(m)
                for c in 0 ..< width { mean[c] /= divisor }
                guard Kernels.isFinite(mean, count: width) else { return false }
                // 2. count_c, then the column's sign: −1 where the ≥-mean side is the minority.
                for c in 0 ..< width { sign[c] = 0 }
                for r in 0 ..< m {
                    let row = rows[r] + start
                    for c in 0 ..< width { sign[c] &+= row[c] >= mean[c] ? 1 : 0 }
                }
                majoritySigns(sign, count: width, rowCount: m)
                for r in 0 ..< m {
                    scores[r] = signedMajorityCount(rows[r] + start, mean: mean, sign: sign, count: width)
                }
                return true
            }
        }
        guard meansAreFinite else { return false }
        // 3. The median of the block, then each row's L1 distance to it.
        statistics.withScratch { scratch in
            statistics.compute(rows, start: start, count: width, into: median + start, scratch: scratch)
        }
        for r in 0 ..< m {
            distances[r] = Kernels.l1Distance(rows[r] + start, median + start, count: width)
        }
        return true
    }

    /// counts[c] ← −1 where fewer than half the m rows are ≥ the mean (2·count < m), else +1;
    /// branch-free over 16 lanes.
    @inline(__always)
    static func majoritySigns(_ counts: UnsafeMutablePointer<Int32>, count: Int, rowCount m: Int) {
        let raw = UnsafeMutableRawPointer(counts)
        let half = SIMD16<Int32>(repeating: Int32(m)), minus = SIMD16<Int32>(repeating: -1), plus = SIMD16<Int32>(repeating: 1)
        var c = 0
        while c + 16 <= count {
            let n = raw.loadUnaligned(fromByteOffset: c * 4, as: SIMD16<Int32>.self)
            raw.storeBytes(of: plus.replacing(with: minus, where: n &* 2 .< half), toByteOffset: c * 4, as: SIMD16<Int32>.self)
            c += 16
        }
        while c < count {
            counts[c] = 2 * counts[c] < Int32(m) ? -1 : 1
            c += 1
        }
    }

    /// Σ_c (row[c] ≥ mean[c] ? sign[c] : 0), branch-free over 16 lanes.
    @inline(__always)
    static func signedMajorityCount(_ row: UnsafePointer<Float>, mean: UnsafePointer<Float>,
                                    sign: UnsafePointer<Int32>, count: Int) -> Int {
        var acc = SIMD16<Int32>()
        var c = 0
        while c + 16 <= count {
            let x = UnsafeRawPointer(row + c).loadUnaligned(as: SIMD16<Float>.self)
            let a = UnsafeRawPointer(mean + c).loadUnaligned(as: SIMD16<Float>.self)
            let s = UnsafeRawPointer(sign + c).loadUnaligned(as: SIMD16<Int32>.self)
            acc &+= SIMD16<Int32>().replacing(with: s, where: x .>= a)
            c += 16
        }
        var total = Int(acc.wrappedSum())
        while c < count {
            if row[c] >= mean[c] { total += Int(sign[c]) }
            c += 1
        }
        return total
    }
}
