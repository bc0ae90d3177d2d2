/// An error reading or writing a tensor file: what went wrong (`code`), a sentence that
/// names the problem (`message`), and the file it concerns (`path`), if known.
///
/// The description reads like a compiler diagnostic, so the CLI can print it as is:
///
/// ```
/// G.npy: truncated: header says 20 × 1000 float32 (80000 bytes of data) but the file holds 4096
/// ```
///
/// `code` is a struct with static members rather than an enum, so new codes can be added
/// without breaking anyone's exhaustive `switch` (the pattern of grpc-swift's `RPCError.Code`).
public struct TensorFileError: Error, CustomStringConvertible, Sendable {
    /// The kind of problem. Compare with the static members: `error.code == .truncated`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: Hashable, Sendable {
            case unsupportedFormat, unsupportedDType, badShape, truncated, malformed, empty, io
        }

        private let wrapped: Wrapped
        private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

        /// The file extension, `.npy` version or layout is not one TensorIO reads or writes.
        public static let unsupportedFormat = Code(.unsupportedFormat)
        /// The `.npy` element type is not float32 or float64 (ints, complex, float16, objects, …).
        public static let unsupportedDType = Code(.unsupportedDType)
        /// The array has the wrong number of dimensions, or its JSON rows have unequal lengths.
        public static let badShape = Code(.badShape)
        /// The file ends before the data its header (or its JSON nesting) promises.
        public static let truncated = Code(.truncated)
        /// The bytes do not follow the format: bad magic, unparsable header, a non-number in JSON.
        public static let malformed = Code(.malformed)
        /// The file, matrix or vector holds no values.
        public static let empty = Code(.empty)
        /// The operating system could not read or write the file.
        public static let io = Code(.io)

        public var description: String {
            switch wrapped {
            case .unsupportedFormat: "unsupported format"
            case .unsupportedDType: "unsupported dtype"
            case .badShape: "bad shape"
            case .truncated: "truncated"
            case .malformed: "malformed"
            case .empty: "empty"
            case .io: "I/O error"
            }
        }
    }

    /// The kind of problem.
    public var code: Code
    /// A sentence naming the problem and where it is, e.g. "row 3 has 4 numbers but row 0 has 5".
    public var message: String
    /// The file, as the caller spelled it; `nil` when decoding bytes that came from elsewhere.
    public var path: String?
    /// The underlying error, when one caused this (an operating-system error for `.io`).
    public var cause: (any Error)?

    public init(code: Code, message: String, path: String? = nil, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.path = path
        self.cause = cause
    }

    /// `path: code: message`, or `code: message` without a path.
    public var description: String {
        if let path { "\(path): \(code): \(message)" } else { "\(code): \(message)" }
    }
}
