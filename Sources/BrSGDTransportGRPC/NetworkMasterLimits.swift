/// What the master lets its peers hold: connections, streams, buffered request bytes, time.
///
/// The limits bound what a client that has **not** authenticated can make the master
/// buffer, whatever it sends:
///
///     unauthenticatedBufferBytes                       (request messages still arriving)
///   + maxConnections × (64 KiB socket read + maxStreamsPerConnection × 16 KiB headers)
///
/// which is 8 MiB + 64 × 320 KiB ≈ 28 MiB with the defaults, plus the bookkeeping of the
/// streams themselves. A request whose headers carry a live session (`brsgd-session`,
/// `brsgd-worker-id`) is authenticated before any of its body is read; only such a request
/// may upload a gradient larger than its share of the unauthenticated budget, and a
/// session may have at most ``maxSubmissionsPerSession`` uploads in flight.
public struct NetworkMasterLimits: Sendable, Hashable {
    /// Open TCP connections at once; one more is closed as soon as it is accepted.
    /// A worker needs one; nil: `max(64, 2·m + 8)`.
    public var maxConnections: Int?
    /// Concurrent HTTP/2 streams a connection may open (the SETTINGS_MAX_CONCURRENT_STREAMS
    /// the master announces). A worker uses at most three at once.
    public var maxStreamsPerConnection = 16
    /// Bytes of request messages that streams without a live session in their headers may
    /// have in flight together; a message that would go over is refused before it is read.
    public var unauthenticatedBufferBytes = 8 << 20
    /// The largest Join or FetchRound request message (they carry a token or a session).
    public var smallRequestBytes = 64 << 10
    /// SubmitGradient calls a session may have in flight at once (a worker uploads one
    /// round while it asks for the next, and may retry once).
    public var maxSubmissionsPerSession = 2
    /// Bytes of gradient uploads (SubmitGradient messages of live sessions) the master reads
    /// at once; nil: ``defaultUploadBytesInFlight(maxSubmissionBytes:)``, at least 64 MiB or
    /// two of the largest uploads. An upload that does not fit waits, unread, until uploads
    /// finish (the HTTP/2 flow-control window stops its sender after 4 MiB), with its
    /// ``requestDeadline`` counted from when it is let in; one always fits when none is being
    /// read, and a session has at most one upload being read while another session's waits.
    /// This bounds what the master holds beside its m × d matrix whatever m is, at the cost
    /// of reading the uploads of a large model a few at a time.
    public var maxUploadBytesInFlight: Int?
    /// A request must arrive whole (its end of stream) within this time after its headers.
    public var requestDeadline: Duration = .seconds(20)
    /// A connection without any stream for this long is closed.
    public var idleTimeout: Duration = .seconds(60)
    /// Refusals are logged once per sender (host) and reason per this interval; the
    /// rest are counted, and the next line says how many were not logged.
    public var refusalLogInterval: Duration = .seconds(10)

    public init() {}

    func connectionLimit(workerCount: Int) -> Int { maxConnections ?? max(64, 2 * workerCount + 8) }

    /// The default ``maxUploadBytesInFlight``: `max(64 MiB, 2 × maxSubmissionBytes / 4)`, where
    /// `maxSubmissionBytes / 4` is a gradient's message (4·d bytes and its envelope): any
    /// number of uploads of a small model at once (LeNet's 247 KB: 271), two of d = 10⁷.
    static func defaultUploadBytesInFlight(maxSubmissionBytes: Int) -> Int {
        max(64 << 20, 2 * (maxSubmissionBytes / 4))
    }

    func uploadBytesInFlight(maxSubmissionBytes: Int) -> Int {
        maxUploadBytesInFlight ?? Self.defaultUploadBytesInFlight(maxSubmissionBytes: maxSubmissionBytes)
    }
}
