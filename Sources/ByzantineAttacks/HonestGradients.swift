import RobustAggregation

/// The honest rows of a round's ``GradientMatrix``: what an omniscient attack sees.
///
/// It refers to the matrix (no copy: `GradientMatrix` shares its storage until written)
/// and lists the honest rows by index. Statistics are in `HonestGradients+Statistics.swift`.
///
/// ```swift
/// let honest = HonestGradients(matrix: gradients, byzantineRows: [0, 1, 2])
/// honest.columnMean(into: mean)        // O(h·d)
/// ```
public struct HonestGradients: Sendable {
    /// The round's gradient matrix (m × d); only the rows in ``rowIndices`` are read.
    public let matrix: GradientMatrix
    /// Indices in ``matrix`` of the honest rows, in the order statistics accumulate them.
    public let rowIndices: [Int]

    /// h, the number of honest rows.
    public var count: Int { rowIndices.count }
    /// d, the number of columns.
    public var columnCount: Int { matrix.columnCount }

    /// The given rows of `matrix`.
    /// - Precondition: every index lies in `0..<matrix.rowCount`, none repeats.
    public init(matrix: GradientMatrix, rowIndices: [Int]) {
        precondition(rowIndices.allSatisfy { $0 >= 0 && $0 < matrix.rowCount },
                     "honest row index out of range 0..<\(matrix.rowCount)")
        precondition(Set(rowIndices).count == rowIndices.count, "honest row indices must be distinct")
        self.matrix = matrix
        self.rowIndices = rowIndices
    }

    /// Every row of `matrix` not in `byzantineRows`, in increasing order.
    /// - Precondition: every Byzantine index lies in `0..<matrix.rowCount`.
    public init(matrix: GradientMatrix, byzantineRows: some Sequence<Int>) {
        let byzantine = Set(byzantineRows)
        precondition(byzantine.allSatisfy { $0 >= 0 && $0 < matrix.rowCount },
                     "Byzantine row index out of range 0..<\(matrix.rowCount)")
        self.init(matrix: matrix, rowIndices: (0..<matrix.rowCount).filter { !byzantine.contains($0) })
    }

    /// Calls `body` with a view of honest row `position` (its index in ``rowIndices``).
    /// - Precondition: `0 <= position < count`.
    public func withUnsafeRow<R>(
        at position: Int, _ body: (UnsafeBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        precondition(position >= 0 && position < count, "honest row \(position) out of range 0..<\(count)")
        let d = columnCount, row = rowIndices[position]
        return try matrix.withUnsafeStorage { all in
            try body(UnsafeBufferPointer(rebasing: all[row * d ..< (row + 1) * d]))
        }
    }
}
