import GRPCCore

/// Why the master refused a request before it reached the round protocol: at the
/// connection, at the HTTP/2 stream, or because a FetchRound was replaced. Counted in
/// `brsgd_requests_refused_total{reason}`; the refusals of the round protocol itself
/// (tokens, sessions, gradients) are ``BrSGDCluster/SubmissionRejection/Code``s, counted in
/// `brsgd_gradients_rejected_total{reason}`.
///
/// The client sees the gRPC status of ``statusCode`` with the reason in the trailer
/// `brsgd-reason` (except for `connection_limit` and `http2_stream_refused`, which end the
/// connection or the stream without a status).
public struct RequestRefusal: Sendable, Hashable {
    /// What was wrong. Extensible: new reasons never break a `switch` in user code.
    public struct Reason: Hashable, Sendable, Comparable, CustomStringConvertible {
        public let name: String
        /// The status a client is answered with.
        public let statusCode: Status.Code
        private init(_ name: String, _ statusCode: Status.Code) {
            self.name = name
            self.statusCode = statusCode
        }
        public var description: String { name }
        public static func < (a: Reason, b: Reason) -> Bool { a.name < b.name }
        public static func == (a: Reason, b: Reason) -> Bool { a.name == b.name }
        public func hash(into hasher: inout Hasher) { hasher.combine(name) }

        /// More TCP connections than ``NetworkMasterLimits/maxConnections``: closed at once.
        public static let connectionLimit = Reason("connection_limit", .unavailable)
        /// More concurrent streams on a connection than announced (HTTP/2 REFUSED_STREAM,
        /// no gRPC status), or another HTTP/2 protocol error that ends a stream or connection.
        public static let http2 = Reason("http2_stream_refused", .unavailable)
        /// A session with ``NetworkMasterLimits/maxSubmissionsPerSession`` uploads in flight
        /// started another.
        public static let streamLimit = Reason("stream_limit", .resourceExhausted)
        /// The message would take the unauthenticated streams over their shared budget.
        public static let bufferLimit = Reason("buffer_limit", .resourceExhausted)
        /// The declared message length is over the method's limit (refused before the body is read).
        public static let oversized = Reason("oversized", .resourceExhausted)
        /// `brsgd-session`/`brsgd-worker-id` headers that are malformed or name no live session.
        public static let badCredentials = Reason("bad_credentials", .unauthenticated)
        /// The stream ended before the message it declared was whole.
        public static let incomplete = Reason("incomplete_message", .invalidArgument)
        /// The stream ended without any message (every method takes exactly one).
        public static let noMessage = Reason("no_message", .invalidArgument)
        /// A second message on a call that takes one.
        public static let tooManyMessages = Reason("too_many_messages", .invalidArgument)
        /// The request did not arrive whole within ``NetworkMasterLimits/requestDeadline``.
        public static let deadline = Reason("deadline", .deadlineExceeded)
        /// A compressed message or a `grpc-encoding` other than identity (none is enabled).
        public static let compressed = Reason("compressed", .unimplemented)
        /// A method the master does not serve.
        public static let unknownMethod = Reason("unknown_method", .unimplemented)
        /// A request that is not gRPC (its content-type is not application/grpc).
        public static let notGRPC = Reason("not_grpc", .invalidArgument)
        /// A FetchRound of a session that was still waiting in another: the older call is
        /// answered `wait` at once (a session holds at most one).
        public static let superseded = Reason("superseded", .ok)

        /// A connection whose TLS handshake failed (a plaintext client, or a certificate the
        /// master's CA did not sign): closed by TLS before any request.
        public static let tlsHandshake = Reason("tls_handshake", .unavailable)

        /// Every reason, for metrics that list zero counts too.
        public static let all: [Reason] = [
            .connectionLimit, .http2, .streamLimit, .bufferLimit, .oversized, .badCredentials, .incomplete,
            .noMessage, .tooManyMessages, .deadline, .compressed, .unknownMethod, .notGRPC, .superseded, .tlsHandshake,
        ]
    }

    public var reason: Reason
    /// A sentence with the numbers involved.
    public var message: String

    public init(_ reason: Reason, _ message: String) {
        self.reason = reason
        self.message = message
    }
}
