/// The gradients of one round: m rows (workers) by d columns (model parameters),
/// stored as one contiguous row-major `[Float]`.
///
/// A worker writes its gradient straight into its row, so the master keeps one
/// preallocated matrix for the whole run and copies nothing per round:
///
/// ```swift
/// var gradients = GradientMatrix(rowCount: 20, columnCount: model.parameterCount)
/// gradients.withUnsafeMutableRow(3) { row in worker.computeGradient(into: row) }
/// let result = try BrSGD(selectionFraction: 0.5).aggregate(gradients)
/// ```
public struct GradientMatrix: Sendable, Equatable {
    /// The number of rows m (one per worker).
    public let rowCount: Int
    /// The number of columns d (the model dimension).
    public let columnCount: Int
    /// Row-major storage: entry (i, c) is at `i * columnCount + c`.
    public private(set) var storage: [Float]

    /// A zero-filled m × d matrix.
    /// - Precondition: `rowCount >= 0`, `columnCount >= 0`.
    public init(rowCount: Int, columnCount: Int) {
        precondition(rowCount >= 0 && columnCount >= 0, "GradientMatrix dimensions must be non-negative")
        self.rowCount = rowCount
        self.columnCount = columnCount
        self.storage = [Float](repeating: 0, count: rowCount * columnCount)
    }

    /// A matrix over existing row-major storage (no copy beyond the array's own CoW).
    /// - Precondition: `storage.count == rowCount * columnCount`.
    public init(rowCount: Int, columnCount: Int, storage: [Float]) {
        precondition(rowCount >= 0 && columnCount >= 0, "GradientMatrix dimensions must be non-negative")
        precondition(storage.count == rowCount * columnCount,
                     "storage holds \(storage.count) values, expected \(rowCount) × \(columnCount)")
        self.rowCount = rowCount
        self.columnCount = columnCount
        self.storage = storage
    }

    /// A matrix from rows of equal length (convenient in tests and small tools; not for hot paths).
    /// - Precondition: every row has the same length.
    public init(rows: [[Float]]) {
        let columns = rows.first?.count ?? 0
        precondition(rows.allSatisfy { $0.count == columns }, "rows must have equal lengths")
        self.init(rowCount: rows.count, columnCount: columns, storage: rows.flatMap { $0 })
    }

    /// Entry (row, column).
    public subscript(row: Int, column: Int) -> Float {
        get { storage[row * columnCount + column] }
        set { storage[row * columnCount + column] = newValue }
    }

    /// A copy of row `index` (for diagnostics and tests; hot paths use the unsafe accessors).
    public func row(_ index: Int) -> [Float] {
        precondition(index >= 0 && index < rowCount, "row \(index) out of range 0..<\(rowCount)")
        return Array(storage[index * columnCount ..< (index + 1) * columnCount])
    }

    /// Calls `body` with a mutable view of row `index`, the place a worker writes its gradient.
    /// - Complexity: O(1) (no copy unless the storage is shared).
    public mutating func withUnsafeMutableRow<R>(
        _ index: Int, _ body: (UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        precondition(index >= 0 && index < rowCount, "row \(index) out of range 0..<\(rowCount)")
        let d = columnCount
        return try storage.withUnsafeMutableBufferPointer { all in
            try body(UnsafeMutableBufferPointer(rebasing: all[index * d ..< (index + 1) * d]))
        }
    }

    /// Calls `body` with a mutable view of the whole row-major storage.
    public mutating func withUnsafeMutableStorage<R>(
        _ body: (UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        try storage.withUnsafeMutableBufferPointer { try body($0) }
    }

    /// Calls `body` with a read-only view of the whole row-major storage.
    public func withUnsafeStorage<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try storage.withUnsafeBufferPointer { try body($0) }
    }
}
