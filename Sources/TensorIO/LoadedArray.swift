/// An array read from a tensor file: its shape and its values in row-major (C) order.
///
/// `values.count` is the product of `shape` (1 for a 0-d scalar `shape == []`).
public struct LoadedArray: Sendable, Equatable {
    /// The extent of each dimension, outermost first, as NumPy's `ndarray.shape`.
    public var shape: [Int]
    /// All entries, row-major: the last index varies fastest.
    public var values: [Float]

    /// - Precondition: `values.count` equals the product of `shape`, and no extent is negative.
    public init(shape: [Int], values: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative extent in shape \(shape)")
        precondition(values.count == shape.reduce(1, *),
                     "\(values.count) values do not fill shape \(shape)")
        self.shape = shape
        self.values = values
    }
}

/// A matrix read from a tensor file: `rowCount` × `columnCount` values, row-major.
///
/// Entry (i, c) is `values[i * columnCount + c]`. The aggregation library's
/// `GradientMatrix(rowCount:columnCount:storage:)` takes `values` without copying.
public struct LoadedMatrix: Sendable, Equatable {
    /// The number of rows (for `brsgd aggregate`, one per worker).
    public var rowCount: Int
    /// The number of columns (the gradient dimension).
    public var columnCount: Int
    /// Row-major storage of `rowCount * columnCount` values.
    public var values: [Float]

    /// - Precondition: `values.count == rowCount * columnCount`, both counts non-negative.
    public init(rowCount: Int, columnCount: Int, values: [Float]) {
        precondition(rowCount >= 0 && columnCount >= 0, "matrix dimensions must be non-negative")
        precondition(values.count == rowCount * columnCount,
                     "\(values.count) values do not fill \(rowCount) × \(columnCount)")
        self.rowCount = rowCount
        self.columnCount = columnCount
        self.values = values
    }
}
