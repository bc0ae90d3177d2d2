/// Nearest-neighbour mixing (NNM), a pre-aggregation any rule can be wrapped in: each
/// accepted row is replaced by the mean of its m' − f' nearest accepted rows (L2, itself
/// included; ties: the lower index), then the wrapped rule aggregates the mixed rows.
///
/// Allouah, Farhadkhani, Guerraoui, Gupta, Pinot & Stephan, "Fixing by Mixing: A Recipe
/// for Optimal Byzantine ML under Heterogeneity", AISTATS 2023. Diagnostics name mixed
/// row i by the original row it stands for.
///
/// ```swift
/// let rule = NearestNeighborMixing(byzantineCount: 5, wrapping: Krum(byzantineCount: 5))
/// ```
///
/// - Precondition of the data: m' − f' ≥ 1.
/// - Complexity: O(m'² d) for the distances and the mixing, plus the wrapped rule's cost.
public struct NearestNeighborMixing: AggregationRule {
    /// f, the number of Byzantine workers tolerated.
    public let byzantineCount: Int
    /// The rule that aggregates the mixed rows.
    public let wrapped: any AggregationRule

    /// - Precondition: `byzantineCount >= 0`.
    public init(byzantineCount: Int, wrapping wrapped: any AggregationRule) {
        precondition(byzantineCount >= 0, "byzantineCount must be non-negative")
        self.byzantineCount = byzantineCount
        self.wrapped = wrapped
    }

    public var name: String { "nnm(f=\(byzantineCount))+\(wrapped.name)" }
    public var isRandomized: Bool { wrapped.isRandomized }
    public var usesPreviousAggregate: Bool { wrapped.usesPreviousAggregate }

    public func aggregate(_ rows: AcceptedRows) throws(AggregationError) -> AggregationResult {
        try rows.requireAny(rule: name)
        let m = rows.count, d = rows.columnCount
        let k = m - remainingByzantineCount(byzantineCount, rows)
        guard k >= 1 else {
            throw AggregationError(code: .tooFewRows,
                                   message: "\(name) needs m' − f' ≥ 1, but m' = \(m) and f' = \(m - k)")
        }
        var mixed = GradientMatrix(rowCount: m, columnCount: d)
        rows.withRowPointers { pointers in
            let distances = PairwiseDistances(pointers, columnCount: d)
            for i in 0 ..< m {
                let nearest = (0 ..< m).sorted { (distances[i, $0], $0) < (distances[i, $1], $1) }
                    .prefix(k).sorted()
                let mean = nearest.map { pointers[$0] }.withUnsafeBufferPointer {
                    Kernels.meanOfRows($0, columnCount: d)
                }
                mixed.withUnsafeMutableRow(i) { row in
                    mean.withUnsafeBufferPointer { source in
                        guard let target = row.baseAddress, let s = source.baseAddress else { return }
                        target.update(from: s, count: d)
                    }
                }
            }
        }
        let mixedRows = rows.replacingRows(with: mixed, labels: rows.labels)
        var result = try wrapped.aggregate(mixedRows)
        result.diagnostics.rule = name
        return result
    }
}
