/// The rows of a gradient matrix that a rule may use: those whose every entry is finite.
///
/// It refers to the matrix (no copy) and lists the accepted rows by their index in it.
/// `labels` names each accepted row in diagnostics (the worker index); it differs from
/// `rowIndices` only when a wrapper such as ``NearestNeighborMixing`` hands a rule a new,
/// transformed matrix that stands for the original rows.
///
/// `round` is the training round the rows belong to. Only rules that draw randomness read
/// it (``Bucketing`` seeds its permutation from its seed and the round); every other rule
/// ignores it. ``AggregationRule/aggregate(_:round:)`` sets it, `aggregate(_:)` leaves it 0,
/// and wrappers that hand a rule transformed rows keep it through ``replacingRows(with:labels:)``.
///
/// `previousAggregate` is the last round's aggregate, for the rules that keep history
/// (``AggregationRule/usesPreviousAggregate``: centered clipping centred on it, as its
/// authors run it); nil before the first round, and for every caller that keeps none.
public struct AcceptedRows: Sendable {
    /// The matrix the rows live in.
    public let matrix: GradientMatrix
    /// Indices in `matrix` of the accepted rows, increasing.
    public let rowIndices: [Int]
    /// The name of each accepted row in diagnostics (parallel to `rowIndices`).
    public let labels: [Int]
    /// The names of the rows rejected as non-finite, increasing.
    public let rejectedRows: [Int]
    /// The training round (0 unless the caller says otherwise).
    public let round: Int
    /// The last round's aggregate, of length d, when the caller keeps one.
    public let previousAggregate: [Float]?
    /// How many rows a ``CollusionCollapse`` merged into others before these: like a rejected
    /// row, each one lowers f' (``AggregationRule`` documents f').
    public let mergedRowCount: Int

    /// m', the number of accepted rows.
    public var count: Int { rowIndices.count }
    /// d, the number of columns.
    public var columnCount: Int { matrix.columnCount }

    /// Scans `matrix` and accepts every row without a NaN or ±Inf.
    /// - Complexity: O(md), one pass, parallel over rows for large matrices.
    public init(_ matrix: GradientMatrix, round: Int = 0, previousAggregate: [Float]? = nil) {
        let finite = Kernels.finiteRowFlags(matrix)
        var accepted: [Int] = [], rejected: [Int] = []
        accepted.reserveCapacity(matrix.rowCount)
        for (i, isFinite) in finite.enumerated() {
            if isFinite { accepted.append(i) } else { rejected.append(i) }
        }
        self.init(matrix: matrix, rowIndices: accepted, labels: accepted, rejectedRows: rejected, round: round,
                  previousAggregate: previousAggregate)
    }

    /// Every row, before any has been checked: for rules that detect non-finite values in
    /// their own first pass and start over with ``init(_:)`` when they find one.
    init(assumingFinite matrix: GradientMatrix) {
        let all = Array(0 ..< matrix.rowCount)
        self.init(matrix: matrix, rowIndices: all, labels: all, rejectedRows: [])
    }

    /// Rows chosen by the caller, which vouches that they are finite.
    /// - Precondition: `rowIndices` and `labels` have the same count; indices are in range.
    public init(matrix: GradientMatrix, rowIndices: [Int], labels: [Int], rejectedRows: [Int], round: Int = 0,
                previousAggregate: [Float]? = nil, mergedRowCount: Int = 0) {
        precondition(rowIndices.count == labels.count, "one label per accepted row")
        precondition(rowIndices.allSatisfy { $0 >= 0 && $0 < matrix.rowCount }, "row index out of range")
        self.matrix = matrix
        self.rowIndices = rowIndices
        self.labels = labels
        self.rejectedRows = rejectedRows
        self.round = round
        self.previousAggregate = previousAggregate
        self.mergedRowCount = mergedRowCount
    }

    /// Every row of `matrix`, which stands for these rows: named by `labels` in diagnostics,
    /// with the same rejected rows and merged count (so f' is unchanged), round and previous aggregate. What a wrapper
    /// such as ``StaticClipping`` or ``Bucketing`` hands the rule it wraps.
    /// - Precondition: `labels.count == matrix.rowCount`.
    public func replacingRows(with matrix: GradientMatrix, labels: [Int]) -> AcceptedRows {
        AcceptedRows(matrix: matrix, rowIndices: Array(0 ..< matrix.rowCount), labels: labels,
                     rejectedRows: rejectedRows, round: round, previousAggregate: previousAggregate,
                     mergedRowCount: mergedRowCount)
    }

    /// Throws ``AggregationError/Code/noAcceptedRows`` when m' = 0.
    func requireAny(rule: String) throws(AggregationError) {
        if rowIndices.isEmpty {
            let why = matrix.rowCount == 0
                ? "the gradient matrix has no rows"
                : "all \(matrix.rowCount) rows hold NaN or ±Inf and were rejected"
            throw AggregationError(code: .noAcceptedRows, message: "\(rule): \(why)")
        }
    }

    /// Diagnostics with the given selection (positions among the accepted rows).
    func diagnostics(rule: String, selectedPositions: [Int]) -> AggregationDiagnostics {
        AggregationDiagnostics(
            rule: rule, rejectedRows: rejectedRows, acceptedRows: labels,
            selectedRows: selectedPositions.map { labels[$0] }.sorted())
    }

    /// Calls `body` with a pointer to each accepted row, in order.
    func withRowPointers<R>(_ body: (UnsafeBufferPointer<UnsafePointer<Float>>) throws -> R) rethrows -> R {
        try matrix.withUnsafeStorage { storage in
            let d = matrix.columnCount
            guard let base = storage.baseAddress else {
                // d == 0 (or no rows): the pointers are never read; any valid address will do.
                var placeholder: Float = 0
                return try withUnsafePointer(to: &placeholder) { p in
                    let pointers = [UnsafePointer<Float>](repeating: p, count: rowIndices.count)
                    return try pointers.withUnsafeBufferPointer { try body($0) }
                }
            }
            let pointers = rowIndices.map { base + $0 * d }
            return try pointers.withUnsafeBufferPointer { try body($0) }
        }
    }
}
