import RobustAggregation

/// A failure as the C interface reports it: a snake_case code and a sentence.
///
/// The codes of `AggregationError` pass through unchanged (`too_few_rows`,
/// `invalid_parameter`, …); the interface adds its own for what only it can see: a rule
/// that is not JSON or not a known rule, a key that is no parameter, a bad C argument.
struct InterfaceError: Error {
    var code: String
    var message: String

    init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    init(_ error: AggregationError) {
        self.init(code: error.code.name, message: error.message)
    }

    static func invalidArgument(_ message: String) -> InterfaceError {
        InterfaceError(code: "invalid_argument", message: message)
    }

    static func invalidConfiguration(_ message: String) -> InterfaceError {
        InterfaceError(code: "invalid_configuration", message: message)
    }

    static func unknownRule(_ message: String) -> InterfaceError {
        InterfaceError(code: "unknown_rule", message: message)
    }

    static func unknownParameter(_ message: String) -> InterfaceError {
        InterfaceError(code: "unknown_parameter", message: message)
    }
}
