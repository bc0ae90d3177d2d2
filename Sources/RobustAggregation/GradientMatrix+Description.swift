extension GradientMatrix: CustomStringConvertible, CustomDebugStringConvertible {
    /// The shape, not the values: a matrix is megabytes to gigabytes, and a log line or a
    /// test's argument list (which swift-testing prints) should not be.
    /// - Complexity: O(1).
    public var description: String { "GradientMatrix(\(rowCount) × \(columnCount))" }

    /// As ``description``.
    public var debugDescription: String { description }
}
