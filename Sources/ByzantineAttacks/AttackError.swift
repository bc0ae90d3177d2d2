/// An error from configuring an attack: a parameter out of its valid range, a parameter
/// that does not apply to the attack, or an attack that cannot run with these m and f.
///
/// Like grpc-swift's `RPCError`, the code is an extensible struct, so new codes never break
/// a `switch` in user code.
public struct AttackError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of problem this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// A short, stable, snake_case name, as on the wire, e.g. `invalid_parameter`.
        public let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// A parameter is out of its valid range (the message names it and the range).
        public static let invalidParameter = Code("invalid_parameter")
        /// A parameter was given to an attack that does not take it.
        public static let inapplicableParameter = Code("inapplicable_parameter")
        /// The attack cannot run with these m and f (or this target worker).
        public static let invalidSetting = Code("invalid_setting")
    }

    /// What kind of problem this is.
    public var code: Code
    /// A sentence naming what was wrong, with the values involved and the valid range.
    public var message: String

    /// The parameter at fault, when one is (so a command line can name its option).
    public var parameter: AttackConfiguration.Parameter?

    public init(code: Code, message: String, parameter: AttackConfiguration.Parameter? = nil) {
        self.code = code
        self.message = message
        self.parameter = parameter
    }

    public var description: String { "\(code): \(message)" }
}
