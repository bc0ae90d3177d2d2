import BrSGDCluster
import Synchronization

/// The master's counters, rendered in the Prometheus text exposition format (version 0.0.4).
/// Updated by the master actor, read by the metrics endpoint from any thread.
public final class MasterMetrics: Sendable {
    private struct State {
        var rounds = 0
        var skippedRounds = 0
        var missingGradients = 0
        var accepted = 0
        var rejected: [SubmissionRejection.Code: Int] = [:]
        var refused: [RequestRefusal.Reason: Int] = [:]
        var joins = 0
        var workersConnected = 0
        var workersExpected = 0
        var roundSecondsSum = 0.0
        var roundSecondsLast = 0.0
        var aggregationSecondsSum = 0.0
        var aggregationSecondsLast = 0.0
        var roundBuckets = [Int](repeating: 0, count: MasterMetrics.bucketBounds.count)
    }

    /// Upper bounds (seconds) of the round-time histogram's buckets.
    static let bucketBounds: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]

    private let state = Mutex(State())

    public init() {}

    func setWorkers(expected: Int, connected: Int) {
        state.withLock { $0.workersExpected = expected; $0.workersConnected = connected }
    }

    func setRounds(_ rounds: Int) { state.withLock { $0.rounds = rounds } }

    func joined(connected: Int) {
        state.withLock { $0.joins += 1; $0.workersConnected = connected }
    }

    func accepted() { state.withLock { $0.accepted += 1 } }

    func rejected(_ code: SubmissionRejection.Code) { state.withLock { $0.rejected[code, default: 0] += 1 } }

    func refused(_ reason: RequestRefusal.Reason) { state.withLock { $0.refused[reason, default: 0] += 1 } }

    func roundFinished(seconds: Double, aggregationSeconds: Double, missing: Int, skipped: Bool) {
        state.withLock { s in
            s.rounds += 1
            if skipped { s.skippedRounds += 1 }
            s.missingGradients += missing
            s.roundSecondsSum += seconds
            s.roundSecondsLast = seconds
            s.aggregationSecondsSum += aggregationSeconds
            s.aggregationSecondsLast = aggregationSeconds
            for (i, bound) in Self.bucketBounds.enumerated() where seconds <= bound { s.roundBuckets[i] += 1 }
        }
    }

    /// Refused requests so far by reason.
    public var rejections: [SubmissionRejection.Code: Int] { state.withLock { $0.rejected } }

    /// Requests refused before the round protocol saw them, by reason.
    public var refusals: [RequestRefusal.Reason: Int] { state.withLock { $0.refused } }

    /// The exposition text.
    public func render() -> String {
        let s = state.withLock { $0 }
        var lines: [String] = []
        func metric(_ name: String, _ type: String, _ help: String, _ samples: [(String, String)]) {
            lines.append("# HELP \(name) \(help)")
            lines.append("# TYPE \(name) \(type)")
            for (labels, value) in samples { lines.append("\(name)\(labels) \(value)") }
        }
        metric("brsgd_rounds_total", "counter", "Rounds finished.", [("", "\(s.rounds)")])
        metric("brsgd_rounds_skipped_total", "counter", "Rounds closed without a single acceptable gradient.",
               [("", "\(s.skippedRounds)")])
        metric("brsgd_gradients_accepted_total", "counter", "Gradients accepted into a round.", [("", "\(s.accepted)")])
        metric("brsgd_gradients_rejected_total", "counter", "Requests refused, by reason.",
               SubmissionRejection.Code.all.map { ("{reason=\"\($0.name)\"}", "\(s.rejected[$0] ?? 0)") })
        metric("brsgd_requests_refused_total", "counter",
               "Requests refused before the round protocol: connection, stream and message limits, by reason.",
               RequestRefusal.Reason.all.map { ("{reason=\"\($0.name)\"}", "\(s.refused[$0] ?? 0)") })
        metric("brsgd_gradients_missing_total", "counter", "Gradients that had not arrived when their round closed.",
               [("", "\(s.missingGradients)")])
        metric("brsgd_worker_joins_total", "counter", "Successful joins (first joins and rejoins).", [("", "\(s.joins)")])
        metric("brsgd_workers", "gauge", "Workers holding a session, and workers expected.",
               [("{state=\"joined\"}", "\(s.workersConnected)"), ("{state=\"expected\"}", "\(s.workersExpected)")])
        metric("brsgd_aggregation_seconds_last", "gauge", "Aggregation time of the last round.",
               [("", "\(s.aggregationSecondsLast)")])
        metric("brsgd_aggregation_seconds", "summary", "Aggregation time per round.",
               [("_sum", "\(s.aggregationSecondsSum)"), ("_count", "\(s.rounds)")])
        metric("brsgd_round_seconds_last", "gauge", "Wall time of the last round, open to aggregated.",
               [("", "\(s.roundSecondsLast)")])
        var buckets = zip(Self.bucketBounds, s.roundBuckets).map { ("_bucket{le=\"\($0.0)\"}", "\($0.1)") }
        buckets.append(("_bucket{le=\"+Inf\"}", "\(s.rounds)"))
        buckets.append(("_sum", "\(s.roundSecondsSum)"))
        buckets.append(("_count", "\(s.rounds)"))
        metric("brsgd_round_seconds", "histogram", "Wall time per round, open to aggregated.", buckets)
        return lines.joined(separator: "\n") + "\n"
    }
}
