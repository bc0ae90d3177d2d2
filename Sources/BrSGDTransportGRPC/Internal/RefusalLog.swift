import Logging
import Synchronization

/// Logs refusals at most once per sender and reason per interval, so that a flood of bad
/// requests costs one line per interval rather than one per request. Every refusal is
/// still counted in the metrics; a logged line carries how many like it were not logged
/// since the last one (`suppressed`).
///
/// - Complexity: O(1) per refusal; at most ``maxKeys`` senders × reasons are remembered
///   (beyond that, refusals share one key, so a spray of addresses cannot grow the table).
final class RefusalLog: Sendable {
    private struct Entry {
        var lastLogged: ContinuousClock.Instant
        var suppressed: Int
    }

    static let maxKeys = 4096

    private let interval: Duration
    private let logger: Logger
    private let entries = Mutex<[String: Entry]>([:])

    init(interval: Duration, logger: Logger) {
        self.interval = interval
        self.logger = logger
    }

    /// Logs `message` unless this sender's `reason` was logged within the interval.
    /// - Parameters:
    ///   - sender: who sent it (a host, not host:port: every connection has its own port).
    ///   - reason: the typed reason's name.
    func refused(sender: String, reason: String, _ message: @autoclosure () -> String,
                 metadata: Logger.Metadata = [:]) {
        let now = ContinuousClock.now
        let suppressed: Int? = entries.withLock { entries in
            var key = sender + " " + reason
            if entries[key] == nil && entries.count >= Self.maxKeys { key = "* " + reason }
            if var entry = entries[key], now - entry.lastLogged < interval {
                entry.suppressed += 1
                entries[key] = entry
                return nil
            }
            let skipped = entries[key]?.suppressed ?? 0
            entries[key] = Entry(lastLogged: now, suppressed: 0)
            return skipped
        }
        guard let suppressed else { return }
        var metadata = metadata
        metadata["reason"] = "\(reason)"
        metadata["sender"] = "\(sender)"
        if suppressed > 0 { metadata["suppressed"] = "\(suppressed)" }
        logger.warning("refused", metadata: metadata.merging(["detail": "\(message())"]) { a, _ in a })
    }
}

/// The host of a gRPC peer description ("ipv4:127.0.0.1:5678" → "127.0.0.1",
/// "ipv6:[::1]:5678" → "::1"); the text itself when it has no port.
func peerHost(_ peer: String) -> String {
    var text = Substring(peer)
    for prefix in ["ipv4:", "ipv6:", "unix:"] where text.hasPrefix(prefix) {
        text = text.dropFirst(prefix.count)
    }
    if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
        return String(text[text.index(after: text.startIndex) ..< close])
    }
    if let colon = text.lastIndex(of: ":"), text.firstIndex(of: ":") == colon {
        return String(text[..<colon])
    }
    return String(text)
}
