/// `brsgd-robust`: BrSGD's Algorithm 2 with a Constraint 2 that no longer rewards
/// collusion, followed by one centered-clipping pass around the result.
///
/// Over the m' accepted rows of G:
/// 1–4. As ``BrSGD`` (Li et al., Algorithm 2): a_c = the mean of column c; the marks
///    M[i,c] (1 where G[i,c] ≥ a_c, columns where that side is the minority negated) and the
///    scores s_i = Σ_c M[i,c]; med = the coordinate-wise median, dist_i = ‖G[i,·] − med‖₁;
///    T given or `auto` (the median of {dist_i}); C1 = { i : dist_i ≤ 2T }.
/// 5. Constraint 2, changed: s̃ = the median of the scores (for an even m' the mean of the
///    two middle ones); k = ⌈β·m'⌉ as in BrSGD; C2 = the k rows whose score is *closest to
///    s̃*, |s_i − s̃| smallest (ties: the lowest index).
/// 6. v₀ = the mean of the rows in C1 ∩ C2 (in increasing row order), or med when the
///    intersection is empty.
/// 7. One centered-clipping step from v₀ over all accepted rows: r_i = ‖G[i,·] − v₀‖₂,
///    τ = the median of {r_i}, w_i = min(1, τ / r_i) (1 when r_i = 0), and the result is
///    v₀ + (1/m') Σ_i w_i·(G[i,·] − v₀), computed as (1 − Σ_i w_i/m')·v₀ + Σ_i (w_i/m')·G[i,·].
///
/// Why: BrSGD's Constraint 2 keeps the rows with the *highest* majority scores. Byzantine
/// workers who send one identical vector near the honest centre move the column means toward
/// it and then sit on the majority side of nearly every column: with 9 of 20 (ALIE z = 1,
/// IPM ε = 0.1) they fill 9 of BrSGD's 10 selected rows every round. Honest rows are
/// exchangeable, so their scores concentrate around a common value, and a colluding block
/// scores far from it, in either direction; keeping the rows with the most *typical* score
/// (step 5) drops the block as long as the honest rows are the majority, which is all the
/// score median needs. Step 7 bounds what any row can do to the result at τ/m' (Karimireddy,
/// He & Jaggi, "Learning from History for Byzantine Robust Optimization", ICML 2021, with
/// τ taken from the data as in adaptive clipping, Allouah et al. 2024) and pulls the result
/// back toward the honest mean when step 5 was fooled (under heterogeneous data, where
/// honest scores spread too).
///
/// Where we depart from BrSGD: step 5 (typical instead of highest scores) and step 7 (one
/// clipping pass, so every accepted row enters the result with weight at most 1/m'); steps
/// 1–4 and β, T are BrSGD's, with BrSGD's defaults (β = ½, T = auto). Diagnostics:
/// `selectedRows` is C1 ∩ C2 (the rows of v₀); `scores` holds each accepted row's clipping
/// weight w_i; `brsgd` holds steps 1–5 (its `constraint2` is the typical-score C2, and
/// `returnedMedian` says v₀ was med).
///
/// - Complexity: O(m'd): steps 1–4 are BrSGD's single pass (parallel over column blocks), then
///   one pass for v₀ and the r_i together (each block's mean of C1 ∩ C2, then every row's
///   distance to it while the block is in the cache) and one to blend: three passes over memory,
///   no pairwise distances, no sort of a column. The result does not depend on the number of
///   threads.
public struct RobustBrSGD: AggregationRule {
    /// β, the fraction of accepted rows kept by Constraint 2.
    public let selectionFraction: Double
    /// T, Constraint 1's threshold.
    public let threshold: BrSGD.Threshold

    /// - Precondition: 0 < `selectionFraction` ≤ 1; a fixed threshold is finite and ≥ 0.
    public init(selectionFraction: Double = 0.5, threshold: BrSGD.Threshold = .automatic) {
        precondition(selectionFraction > 0 && selectionFraction <= 1, "β must lie in (0, 1]")
        if case .fixed(let t) = threshold {
            precondition(t.isFinite && t >= 0, "a fixed threshold must be finite and non-negative")
        }
        self.selectionFraction = selectionFraction
        self.threshold = threshold
    }

    public var name: String { "brsgd-robust(beta=\(selectionFraction),threshold=\(threshold))" }

    /// Steps 1–4 are BrSGD's, from its fused pass; its own Constraint 2 is asked for a single
    /// row, so the only work of BrSGD's that is not used here is copying that row.
    private var statistics: BrSGD {
        BrSGD(selectionFraction: Double.leastNonzeroMagnitude, threshold: threshold)
    }

    /// Lets BrSGD's first pass find the non-finite rows (no separate scan), then goes on with
    /// the rows it accepted.
    public func aggregate(_ gradients: GradientMatrix) throws(AggregationError) -> AggregationResult {
        // BrSGD fails only when no row is accepted; the row scan then reports it in our name.
        guard let first = try? statistics.aggregate(gradients) else { return try aggregate(AcceptedRows(gradients)) }
        let accepted = first.diagnostics.acceptedRows
        let rows = AcceptedRows(matrix: gradients, rowIndices: accepted, labels: accepted,
                                rejectedRows: first.diagnostics.rejectedRows)
        return finish(rows, first)
    }

    public func aggregate(_ rows: AcceptedRows) throws(AggregationError) -> AggregationResult {
        try rows.requireAny(rule: name)
        return finish(rows, try statistics.aggregate(rows))
    }

    /// Steps 5–7, given BrSGD's result for the same rows.
    private func finish(_ rows: AcceptedRows, _ first: AggregationResult) -> AggregationResult {
        guard let brsgd = first.diagnostics.brsgd else { preconditionFailure("BrSGD always reports its sets") }
        let m = rows.count, d = rows.columnCount
        let (chosen, c2) = typicalRows(rows, brsgd)

        // v₀ and the r_i: with C1 ∩ C2 non-empty in one pass (the mean of each block, then every
        // row's distance to it while the block is in the cache); else from the median.
        var gradient: [Float]
        let squared: [Double]
        if !chosen.isEmpty {
            (gradient, squared) = rows.withRowPointers { pointers in
                chosen.map { pointers[$0] }.withUnsafeBufferPointer { selected in
                    var squared: [Double] = []
                    let mean = [Float](unsafeUninitializedCapacity: d) { point, initialized in
                        if let base = point.baseAddress {
                            squared = Kernels.meanAndSquaredDistancesInDouble(pointers, selected: selected, columnCount: d, into: base)
                        } else {
                            squared = [Double](repeating: 0, count: m)
                        }
                        initialized = d
                    }
                    return (mean, squared)
                }
            }
        } else {
            gradient = brsgd.returnedMedian ? first.gradient : rows.withRowPointers { pointers in
                ColumnOrderStatistics.computeAll(.median, rows: pointers, columnCount: d)
            }
            squared = rows.withRowPointers { pointers in
                Kernels.squaredDistancesInDouble(pointers, to: gradient, columnCount: d)
            }
        }
        let weights = rows.withRowPointers { pointers in
            gradient.withUnsafeMutableBufferPointer { v -> [Double] in
                guard let point = v.baseAddress else { return [Double](repeating: 1, count: m) }
                let distances = squared.map { $0.squareRoot() }
                return Kernels.clippingStep(point, rows: pointers, distances: distances,
                                            radius: medianOfDoubles(distances), columnCount: d)
            }
        }
        var diagnostics = rows.diagnostics(rule: name, selectedPositions: chosen)
        diagnostics.scores = weights
        diagnostics.brsgd = BrSGDDiagnostics(
            scores: brsgd.scores, distances: brsgd.distances, threshold: brsgd.threshold,
            constraint1: brsgd.constraint1, constraint2: c2.map { rows.labels[$0] }.sorted(),
            returnedMedian: chosen.isEmpty)
        return AggregationResult(gradient: gradient, diagnostics: diagnostics)
    }

    /// Steps 1–5 over `rows`: the positions of C1 ∩ C2 (empty when the sets do not meet), in
    /// increasing order. ``HistoryBrSGD`` selects its rows with it.
    /// - Complexity: O(m'd), BrSGD's single pass.
    func typicalRows(_ rows: AcceptedRows) throws(AggregationError) -> [Int] {
        let first = try statistics.aggregate(rows)
        guard let brsgd = first.diagnostics.brsgd else { preconditionFailure("BrSGD always reports its sets") }
        return typicalRows(rows, brsgd).chosen
    }

    /// C1 ∩ C2 and C2, as positions among `rows`, from BrSGD's sets and scores for them.
    private func typicalRows(_ rows: AcceptedRows, _ brsgd: BrSGDDiagnostics) -> (chosen: [Int], c2: [Int]) {
        let position = Dictionary(uniqueKeysWithValues: rows.labels.enumerated().map { ($1, $0) })
        let c1 = brsgd.constraint1.map { position[$0]! }
        let c2 = Self.typicalScores(brsgd.scores, count: BrSGD.selectionCount(fraction: selectionFraction, rowCount: rows.count))
        let inC2 = Set(c2)
        return (c1.filter { inC2.contains($0) }, c2)
    }

    /// The positions of the `count` scores closest to their median (for an even count the
    /// mean of the two middle scores), ties to the lowest position; in increasing order.
    /// - Complexity: O(m log m).
    public static func typicalScores(_ scores: [Int], count: Int) -> [Int] {
        precondition(!scores.isEmpty && count >= 1)
        let sorted = scores.sorted(), n = sorted.count
        // Twice the median, so that it stays an integer: 2·s̃.
        let twiceMedian = n % 2 == 1 ? 2 * sorted[n / 2] : sorted[n / 2 - 1] + sorted[n / 2]
        let gap = scores.map { abs(2 * $0 - twiceMedian) }
        return Array(scores.indices.sorted { (gap[$0], $0) < (gap[$1], $1) }.prefix(count)).sorted()
    }
}
