/// The column mean of the accepted rows: g[c] = (1/m') Σ_i G[i,c].
///
/// Not robust: one Byzantine worker moves it arbitrarily (Blanchard et al., 2017). It is
/// the baseline "Mean" of the BrSGD paper's Table 1, and what plain synchronous SGD does.
/// Non-finite rows are still rejected first, as by every rule here.
///
/// - Complexity: O(md), one pass, parallel over column blocks.
public struct Mean: AggregationRule {
    public init() {}

    public var name: String { "mean" }

    public func aggregate(_ rows: AcceptedRows) throws(AggregationError) -> AggregationResult {
        try rows.requireAny(rule: name)
        let gradient = rows.withRowPointers { Kernels.meanOfRows($0, columnCount: rows.columnCount) }
        return AggregationResult(
            gradient: gradient,
            diagnostics: rows.diagnostics(rule: name, selectedPositions: Array(0 ..< rows.count)))
    }
}
