/// An error from aggregating a gradient matrix: the input cannot be aggregated by the rule
/// as configured (too few finite rows, a parameter out of range for this m).
///
/// Like grpc-swift's `RPCError`, the code is an extensible struct, so new codes never break
/// a `switch` in user code.
public struct AggregationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of problem this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// Every row was rejected as non-finite, or the matrix has no rows.
        public static let noAcceptedRows = Code("no accepted rows")
        /// The rule needs more accepted rows than it was given (for example Krum with
        /// m' − f' − 2 < 1, or trimmed mean with m' ≤ 2f').
        public static let tooFewRows = Code("too few rows")
        /// A parameter is out of its valid range.
        public static let invalidParameter = Code("invalid parameter")
    }

    public var code: Code
    /// A sentence naming what was wrong, with the numbers involved.
    public var message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
