/// Static clipping, a pre-aggregation any rule can be wrapped in: each accepted row g_i is
/// replaced by min(1, c / ‖g_i‖₂) · g_i (scaled to L2 norm at most c), then the wrapped rule
/// aggregates the clipped rows.
///
/// As ByzFL's `Clipping` pre-aggregator (Allouah et al., EPFL's ByzFL library: a row with
/// norm > c is multiplied by c / ‖g_i‖; others are left as they are); static clipping as a
/// defence is studied in Allouah, Guerraoui, Gupta, Jellouli, Rizk & Stephan, "Boosting
/// Robustness by Clipping Gradients in Distributed Learning" (2024), which also shows why a
/// fixed c is hard to choose and proposes ``AdaptiveRobustClipping``.
///
/// ```swift
/// let rule = StaticClipping(threshold: 5, wrapping: CoordinateWiseMedian())
/// ```
///
/// Where we depart from ByzFL: c must be > 0 (ByzFL allows c = 0, which zeroes every row);
/// norms are computed in Double, so a finite row of huge entries is clipped, never turned
/// into zeros by an overflowing Float norm. Diagnostics are the wrapped rule's, naming each
/// clipped row by the original row it stands for.
///
/// - Complexity: O(m'd): one pass for the norms, one to write the clipped copy (rows within
///   the threshold are copied as they are), plus the wrapped rule's cost.
public struct StaticClipping: AggregationRule {
    /// c > 0, the largest L2 norm a row keeps.
    public let threshold: Double
    /// The rule that aggregates the clipped rows.
    public let wrapped: any AggregationRule

    /// - Precondition: `threshold` is finite and > 0.
    public init(threshold: Double, wrapping wrapped: any AggregationRule) {
        precondition(threshold > 0 && threshold.isFinite, "the clipping threshold must be finite and positive")
        self.threshold = threshold
        self.wrapped = wrapped
    }

    public var name: String { "clipping(c=\(threshold))+\(wrapped.name)" }

    public var isRandomized: Bool { wrapped.isRandomized }
    public var usesPreviousAggregate: Bool { wrapped.usesPreviousAggregate }

    public func aggregate(_ rows: AcceptedRows) throws(AggregationError) -> AggregationResult {
        try rows.requireAny(rule: name)
        let clipped = rows.withRowPointers { pointers in
            let norms = Kernels.squaredNorms(pointers, columnCount: rows.columnCount).map { $0.squareRoot() }
            let scales = norms.map { Kernels.clippingScale(norm: $0, radius: threshold) }
            return Kernels.scaledRows(pointers, scales: scales, columnCount: rows.columnCount)
        }
        var result = try wrapped.aggregate(rows.replacingRows(with: clipped, labels: rows.labels))
        result.diagnostics.rule = name
        return result
    }
}
