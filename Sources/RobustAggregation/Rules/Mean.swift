/// The column mean of the accepted rows: g[c] = (1/m') Σ_i G[i,c].
///
/// Not robust: one Byzantine worker moves it arbitrarily (Blanchard et al., 2017). It is
/// the baseline "Mean" of the BrSGD paper's Table 1, and what plain synchronous SGD does.
/// Non-finite rows are still rejected first, as by every rule here.
///
/// Non-finite rows are found without a separate scan: a NaN or ±Inf entry makes its
/// column's sum non-finite, so only when some column mean is non-finite does the rule scan
/// the rows and start over without the bad ones.
///
/// - Complexity: O(md), one pass when every row is finite; parallel over column blocks.
public struct Mean: AggregationRule {
    public init() {}

    public var name: String { "mean" }

    public func aggregate(_ gradients: GradientMatrix) throws(AggregationError) -> AggregationResult {
        let optimistic = AcceptedRows(assumingFinite: gradients)
        if optimistic.count > 0 {
            let gradient = optimistic.withRowPointers { Kernels.meanOfRows($0, columnCount: gradients.columnCount) }
            if Kernels.allFinite(gradient) {
                return AggregationResult(
                    gradient: gradient,
                    diagnostics: optimistic.diagnostics(rule: name, selectedPositions: Array(0 ..< optimistic.count)))
            }
        }
        return try aggregate(AcceptedRows(gradients))
    }

    public func aggregate(_ rows: AcceptedRows) throws(AggregationError) -> AggregationResult {
        try rows.requireAny(rule: name)
        let gradient = rows.withRowPointers { Kernels.meanOfRows($0, columnCount: rows.columnCount) }
        return AggregationResult(
            gradient: gradient,
            diagnostics: rows.diagnostics(rule: name, selectedPositions: Array(0 ..< rows.count)))
    }
}
