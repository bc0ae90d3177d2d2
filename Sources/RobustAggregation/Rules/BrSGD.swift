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
/// - Complexity: O(m'd). Everything but the final mean happens in one pass over memory,
///   16 columns at a time: the 16 values of every row are copied into a small tile while
///   summed (the column means), then, from the tile, the counts, the scores, the median (a
///   branch-free selection network for m' ≤ 256, written out for m' ≤ 32; quickselect above:
///   never a full sort) and the L1 distances; then one more pass averages the selected rows
///   (about half the matrix), 16 columns at a time in registers.
///   Parallel over blocks of 8,192 columns, whose sums are reduced in order, so the result
///   does not depend on the thread count.
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
    /// finite (a row holds NaN or ±Inf). Finite rows whose column sum overflows give an
    /// infinite mean, which steps 2's comparisons handle as written.
    private func aggregate(_ rows: AcceptedRows, requiringFiniteMeans: Bool) throws(AggregationError) -> AggregationResult? {
        try rows.requireAny(rule: name)
        let m = rows.count, d = rows.columnCount
        let blocks = ColumnBlocks(columnCount: d)
        var scoreParts = [Int](repeating: 0, count: blocks.count * m)
        var distanceParts = [Double](repeating: 0, count: blocks.count * m)
        var finiteBlocks = [Bool](repeating: true, count: blocks.count)
        // The pass writes the coordinate-wise median here; it becomes the result unless
        // C1 ∩ C2 is non-empty, when the mean of those rows overwrites it (one d-vector in all).
        var gradient = [Float](unsafeUninitializedCapacity: d) { median, initialized in
            rows.withRowPointers { pointers in
                scoreParts.withUnsafeMutableBufferPointer { scoreParts in
                    distanceParts.withUnsafeMutableBufferPointer { distanceParts in
                        finiteBlocks.withUnsafeMutableBufferPointer { finiteBlocks in
                            guard let med = median.baseAddress, let scores = scoreParts.baseAddress,
                                  let distances = distanceParts.baseAddress else { return }
                            let stats = ColumnOrderStatistics(.median, rowCount: m)
                            Parallel.forEach(blocks.count, work: m * d) { b in
                                finiteBlocks[b] = BrSGDBlockKernel.run(
                                    pointers, columns: blocks.range(b), median: med, statistics: stats,
                                    scores: scores + b * m, distances: distances + b * m,
                                    requiringFiniteMeans: requiringFiniteMeans)
                            }
                        }
                    }
                }
            }
            initialized = d
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

        if !chosen.isEmpty {
            rows.withRowPointers { pointers in
                let selected = chosen.map { pointers[$0] }
                selected.withUnsafeBufferPointer { selected in
                    gradient.withUnsafeMutableBufferPointer { out in
                        guard let base = out.baseAddress else { return }
                        Kernels.meanOfRows(selected, columnCount: d, into: base)
                    }
                }
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
