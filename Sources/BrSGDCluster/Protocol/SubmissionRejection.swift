/// Why the master refused a worker's gradient. The reason goes back to the worker and is
/// counted; the worker's row then stays empty for the round (aggregated as missing).
public struct SubmissionRejection: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was wrong. Extensible: new codes never break a `switch` in user code.
    public struct Code: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
        public let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }
        public static func < (a: Code, b: Code) -> Bool { a.name < b.name }

        /// The master is not collecting gradients (between rounds).
        public static let notCollecting = Code("not_collecting")
        /// The gradient is for another round than the current one.
        public static let wrongRound = Code("wrong_round")
        /// The worker index is not one of the master's workers.
        public static let unknownWorker = Code("unknown_worker")
        /// The worker already submitted a gradient this round.
        public static let duplicate = Code("duplicate")
        /// The gradient's length is not the model's parameter count.
        public static let wrongLength = Code("wrong_length")
        /// The gradient holds NaN or ±Inf.
        public static let nonFinite = Code("non_finite")
        /// The message could not be decoded, or is larger than allowed.
        public static let malformed = Code("malformed")
        /// The worker did not authenticate, or its identity is taken.
        public static let unauthenticated = Code("unauthenticated")

        /// Every code, for metrics that list zero counts too.
        public static let all: [Code] = [.notCollecting, .wrongRound, .unknownWorker, .duplicate, .wrongLength,
                                         .nonFinite, .malformed, .unauthenticated]
    }

    public var code: Code
    /// A sentence with the numbers involved.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
