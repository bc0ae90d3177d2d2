/// Adaptive robust clipping (ARC), a pre-aggregation any rule can be wrapped in: the
/// k = ⌊2·(f'/m')·(m' − f')⌋ accepted rows of largest L2 norm are clipped to the norm of
/// the (k+1)-th largest, then the wrapped rule aggregates the result.
///
/// Allouah, Guerraoui, Gupta, Jellouli, Rizk & Stephan, "Boosting Robustness by Clipping
/// Gradients in Distributed Learning" (2024; first circulated as "The Vital Role of Gradient
/// Clipping in Byzantine-Resilient Distributed Learning", arXiv:2405.14432). We follow
/// ByzFL's `ARC` pre-aggregator: sort the norms in increasing order, τ = the norm at
/// position m' − k − 1 (0-based), and every row with ‖g_i‖₂ > τ becomes (τ / ‖g_i‖₂)·g_i.
/// Equivalently every row is scaled by min(1, τ / ‖g_i‖₂), so how ties among equal norms
/// are ordered cannot change the output.
///
/// ```swift
/// let rule = AdaptiveRobustClipping(byzantineCount: 4, wrapping: TrimmedMean(byzantineCount: 4))
/// ```
///
/// With f' = max(0, f − rejected) (as every rule here) and f' ≥ m' taken as m' (k = 0);
/// k ≤ m'/2 always, so τ exists. Where we depart from ByzFL: k is computed in exact integer
/// arithmetic, ⌊2f'(m' − f') / m'⌋, where ByzFL's `int((2 * f / n) * (n - f))` rounds in
/// floating point and gives one less when the product is an integer that is not exactly
/// representable along the way (m = 9, f = 3: ByzFL clips 3 rows, the formula and we clip
/// 4); norms are computed in Double. When k = 0 the rows are passed on untouched (no copy).
///
/// - Complexity: O(m'd): one pass for the norms, O(m' log m') to rank them, one pass to write
///   the clipped copy, plus the wrapped rule's cost.
public struct AdaptiveRobustClipping: AggregationRule {
    /// f, the number of Byzantine workers assumed.
    public let byzantineCount: Int
    /// The rule that aggregates the clipped rows.
    public let wrapped: any AggregationRule

    /// - Precondition: `byzantineCount >= 0`.
    public init(byzantineCount: Int, wrapping wrapped: any AggregationRule) {
        precondition(byzantineCount >= 0, "byzantineCount must be non-negative")
        self.byzantineCount = byzantineCount
        self.wrapped = wrapped
    }

    public var name: String { "arc(f=\(byzantineCount))+\(wrapped.name)" }

    public var isRandomized: Bool { wrapped.isRandomized }
    public var usesPreviousAggregate: Bool { wrapped.usesPreviousAggregate }

    /// k = ⌊2f(m − f)/m⌋, the number of rows ARC clips among m with f Byzantine (f ≥ m: 0).
    public static func clippedCount(byzantineCount f: Int, rowCount m: Int) -> Int {
        guard m > 0 else { return 0 }
        let f = min(f, m)
        return 2 * f * (m - f) / m
    }

    public func aggregate(_ rows: AcceptedRows) throws(AggregationError) -> AggregationResult {
        try rows.requireAny(rule: name)
        let m = rows.count
        let k = Self.clippedCount(byzantineCount: remainingByzantineCount(byzantineCount, rows), rowCount: m)
        var result: AggregationResult
        if k == 0 {
            result = try wrapped.aggregate(rows)
        } else {
            let clipped = rows.withRowPointers { pointers in
                let norms = Kernels.squaredNorms(pointers, columnCount: rows.columnCount).map { $0.squareRoot() }
                let radius = norms.sorted()[m - k - 1]
                let scales = norms.map { Kernels.clippingScale(norm: $0, radius: radius) }
                return Kernels.scaledRows(pointers, scales: scales, columnCount: rows.columnCount)
            }
            result = try wrapped.aggregate(rows.replacingRows(with: clipped, labels: rows.labels))
        }
        result.diagnostics.rule = name
        return result
    }
}
