/// An error from aggregating a gradient matrix: the input cannot be aggregated by the rule
/// as configured (too few finite rows, a parameter out of range for this m).
///
/// Like grpc-swift's `RPCError`, the code is an extensible struct, so new codes never break
/// a `switch` in user code.
public struct AggregationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of problem this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// A short, stable, snake_case name, as on the wire and in files, e.g. `too_few_rows`.
        public let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// Every row was rejected as non-finite, or the matrix has no rows.
        public static let noAcceptedRows = Code("no_accepted_rows")
        /// The rule needs more accepted rows than it was given (for example Krum with
        /// m' − f' − 2 < 1, or trimmed mean with m' ≤ 2f').
        public static let tooFewRows = Code("too_few_rows")
        /// A parameter is out of its valid range.
        public static let invalidParameter = Code("invalid_parameter")
        /// A parameter was given to a rule that does not take it.
        public static let inapplicableParameter = Code("inapplicable_parameter")
    }

    public var code: Code
    /// A sentence naming what was wrong, with the numbers involved.
    public var message: String
    /// The parameter at fault, for ``Code/invalidParameter`` and
    /// ``Code/inapplicableParameter`` (so a command line can name its option).
    public var parameter: RuleConfiguration.Parameter?

    public init(code: Code, message: String, parameter: RuleConfiguration.Parameter? = nil) {
        self.code = code
        self.message = message
        self.parameter = parameter
    }

    public var description: String { "\(code): \(message)" }
}
