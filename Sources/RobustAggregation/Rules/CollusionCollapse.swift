/// Collusion collapse, a pre-aggregation any rule can be wrapped in: accepted rows that are
/// near-identical are merged into one, so that workers who send one shared vector count as one
/// row; then the wrapped rule aggregates the n ≤ m' rows left.
///
/// Rows i and j fall in one group when ‖g_i − g_j‖₂ ≤ δ, closed transitively, with δ² = ¼ ·
/// the median over rows of the squared distance to the nearest other row. Each group is kept
/// as its first (lowest-indexed) row, which names it in diagnostics; the groups keep the order
/// of their first rows. (Not the group's mean: identical rows have it already, and a sum of
/// rows of huge norm could overflow where a row alone does not.) When the median nearest distance is 0 (half or
/// more of the rows have an exact twin, as honest workers computing one full gradient do) or
/// m' < 3, nothing is merged. Every merged row lowers f' by one, as a rejected row does.
///
/// Why: honest workers draw their own mini-batches, so their gradients never coincide, and in
/// high dimension their pairwise distances concentrate around one value. The strongest known
/// attacks — "A little is enough" (ALIE), inner-product manipulation and Fall of Empires, their
/// line-searched versions, min-max, min-sum, a mimic and the worker it copies — have every
/// Byzantine worker send the *same* vector: nine identical rows of twenty then pull any
/// averaging rule as nine votes, and the collapse turns them into one. Attackers who add noise
/// of about the honest spread to their shared vector are not merged (they then act as that many
/// separate rows); attackers who send distinct vectors (sign flipping, label flipping) are not
/// affected. This is our rule, not one from the literature; ByzFL has no such stage.
///
/// ```swift
/// let rule = CollusionCollapse(wrapping: RobustBrSGD())
/// ```
///
/// - Complexity: O(m'² d) for the pairwise distances (the Gram matrix, as ``Krum``), O(m'²)
///   for the groups, and O(nd) to copy the kept rows; plus the wrapped rule's cost.
public struct CollusionCollapse: AggregationRule {
    /// The rule that aggregates the merged rows.
    public let wrapped: any AggregationRule

    public init(wrapping wrapped: any AggregationRule) {
        self.wrapped = wrapped
    }

    public var name: String { "collapse+\(wrapped.name)" }
    public var isRandomized: Bool { wrapped.isRandomized }
    public var usesPreviousAggregate: Bool { wrapped.usesPreviousAggregate }

    public func aggregate(_ rows: AcceptedRows) throws(AggregationError) -> AggregationResult {
        try rows.requireAny(rule: name)
        let d = rows.columnCount
        let groups = rows.withRowPointers { CollusionGroups($0, columnCount: d) }.members
        guard groups.count < rows.count else {
            var result = try wrapped.aggregate(rows)
            result.diagnostics.rule = name
            return result
        }
        var merged = GradientMatrix(rowCount: groups.count, columnCount: d)
        rows.withRowPointers { pointers in
            for (g, members) in groups.enumerated() {
                merged.withUnsafeMutableRow(g) { target in
                    target.baseAddress?.update(from: pointers[members[0]], count: d)
                }
            }
        }
        let mergedRows = AcceptedRows(matrix: merged, rowIndices: Array(0 ..< groups.count),
                                      labels: groups.map { rows.labels[$0[0]] }, rejectedRows: rows.rejectedRows,
                                      round: rows.round, previousAggregate: rows.previousAggregate,
                                      mergedRowCount: rows.mergedRowCount + rows.count - groups.count)
        var result = try wrapped.aggregate(mergedRows)
        result.diagnostics.rule = name
        // Name every row of a selected group as selected, and report all the accepted rows.
        let members = Dictionary(uniqueKeysWithValues: groups.map { (rows.labels[$0[0]], $0.map { rows.labels[$0] }) })
        result.diagnostics.selectedRows = result.diagnostics.selectedRows.flatMap { members[$0] ?? [$0] }.sorted()
        result.diagnostics.acceptedRows = rows.labels
        result.diagnostics.scores = nil
        return result
    }
}
