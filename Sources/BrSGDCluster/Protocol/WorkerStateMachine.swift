/// The worker's side of the round protocol as a plain state machine: join → fetch a round
/// (long poll) → compute → submit (and fetch the next round at once) → … until the master
/// says training is over; with the recoveries a real fleet needs (join again when the master
/// forgets the session after a restart, retry an id still held by a stale session, wait out
/// an unreachable master, give up after a limit).
///
/// Like ``MasterStateMachine`` it performs no I/O and starts no threads: the caller reports
/// what happened (an event, with the time it happened) and carries out the ``Directive`` it
/// gets back. The gRPC worker drives it; its tests drive it without any network.
///
/// ```swift
/// var machine = WorkerStateMachine()
/// var directive = machine.start(now: .now)                  // .join
/// directive = machine.joined(JoinAccepted(parameterCount: d, totalRounds: 100), now: .now)  // .fetch(nextRound: 0)
/// directive = machine.fetched(.open(round: 0), now: .now)  // .compute(round: 0)
/// directive = machine.computed(round: 0)                    // .submit(round: 0, prefetch: 1)
/// machine.submitted(round: 0, accepted: true, code: "", now: .now)
/// directive = machine.fetched(.wait, now: .now)            // .fetch(nextRound: 1)
/// ```
public struct WorkerStateMachine: Sendable {
    /// Timing of the recoveries.
    public struct Configuration: Sendable, Equatable {
        /// Give up when the master has not answered for this long.
        public var giveUpAfter: Duration = .seconds(120)
        /// Before joining again after the master forgot the session.
        public var rejoinDelay: Duration = .milliseconds(100)
        /// Before trying an id again that a stale session still holds.
        public var idTakenDelay: Duration = .milliseconds(500)
        /// Before calling an unreachable master again.
        public var unreachableDelay: Duration = .milliseconds(200)

        public init() {}
    }

    /// Why a call did not succeed, as the transport classifies it (by status code and by
    /// which call it was, never by message text).
    public enum Refusal: Sendable, Equatable {
        /// Fetch or submit: the master does not know the session (restarted, or lapsed).
        case unknownSession
        /// Join: the master refused the token.
        case badToken(String)
        /// Join: the worker id is held by a live session (a stale one, after a restart).
        case idTaken
        /// Anything else the master refused (an unknown worker id, another protocol version).
        case refused(String)
        /// The master did not answer (connection refused, reset, deadline).
        case unreachable(String)
    }

    /// What a fetch returned.
    public enum Assignment: Sendable, Equatable {
        /// `round` is open: compute on its parameters.
        case open(round: UInt64)
        /// No round opened within the wait: ask again.
        case wait
        /// Training is over.
        case finished
    }

    /// What the master said when the worker joined.
    public struct JoinAccepted: Sendable, Equatable {
        public var parameterCount: Int
        public var totalRounds: UInt64
        public init(parameterCount: Int, totalRounds: UInt64) {
            self.parameterCount = parameterCount
            self.totalRounds = totalRounds
        }
    }

    /// What to do next.
    public enum Directive: Sendable, Equatable {
        /// Call Join.
        case join
        /// Call FetchRound for the earliest round `nextRound`.
        case fetch(nextRound: UInt64)
        /// Compute the gradient on the parameters the last fetch returned, then report ``computed(round:)``.
        case compute(round: UInt64)
        /// Upload the gradient of `round`, and at the same time fetch `prefetch`; report the
        /// submission (``submitted(round:accepted:code:now:)`` or ``submitFailed(_:now:)``)
        /// first, then the fetch.
        case submit(round: UInt64, prefetch: UInt64)
        /// Wait this long, then report ``paused()``.
        case pause(Duration)
        /// Training is over: stop.
        case finish
        /// Stop with this error.
        case fail(WorkerFailure)
    }

    /// What a worker did (for its closing line and its tests).
    public struct Summary: Sendable, Equatable {
        /// Gradients uploaded (accepted or not).
        public var submitted = 0
        /// Refusals of submitted gradients, by the master's reason code.
        public var refusals: [String: Int] = [:]
        /// Times the worker (re)joined.
        public var joins = 0
        public init() {}
    }

    public let configuration: Configuration
    public private(set) var summary = Summary()
    /// True while the worker holds a session the master knows (as far as it can tell).
    public private(set) var hasSession = false
    /// d, as the master first announced it.
    public private(set) var parameterCount: Int?
    /// The rounds the master runs in all, once joined.
    public private(set) var totalRounds: UInt64?
    /// The earliest round to ask for (a restarted master may replay rounds, so every join
    /// starts again at 0).
    public private(set) var nextRound: UInt64 = 0
    private var lastSubmitted: UInt64?
    private var lastContact: ContinuousClock.Instant?
    private var afterPause: Directive = .join
    private var isDone = false

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// The first directive: join.
    public mutating func start(now: ContinuousClock.Instant) -> Directive {
        lastContact = now
        return .join
    }

    /// The master admitted the worker.
    public mutating func joined(_ accepted: JoinAccepted, now: ContinuousClock.Instant) -> Directive {
        lastContact = now
        if let expected = parameterCount, expected != accepted.parameterCount {
            return finish(.fail(WorkerFailure(.wrongModel, "the master's model now has \(accepted.parameterCount) parameters, before \(expected)")))
        }
        parameterCount = accepted.parameterCount
        totalRounds = accepted.totalRounds
        hasSession = true
        nextRound = 0
        summary.joins += 1
        return .fetch(nextRound: 0)
    }

    /// The join did not succeed.
    public mutating func joinFailed(_ refusal: Refusal, now: ContinuousClock.Instant) -> Directive {
        switch refusal {
        case .badToken(let message):
            return finish(.fail(WorkerFailure(.badToken, "the master refused the token: \(message)")))
        case .refused(let message):
            return finish(.fail(WorkerFailure(.refused, "the master refused this worker: \(message)")))
        case .idTaken:
            lastContact = now
            return pause(configuration.idTakenDelay, then: .join)
        case .unknownSession:
            return pause(configuration.rejoinDelay, then: .join)
        case .unreachable(let message):
            return unreachable(message, now: now, retry: .join)
        }
    }

    /// A fetch returned.
    public mutating func fetched(_ assignment: Assignment, now: ContinuousClock.Instant) -> Directive {
        lastContact = now
        // A submission in the same exchange revealed a lost session: this answer is void.
        guard hasSession else { return pause(configuration.rejoinDelay, then: .join) }
        switch assignment {
        case .finished: return finish(.finish)
        case .wait: return .fetch(nextRound: nextRound)
        case .open(let round): return .compute(round: round)
        }
    }

    /// A fetch failed.
    public mutating func fetchFailed(_ refusal: Refusal, now: ContinuousClock.Instant) -> Directive {
        switch refusal {
        case .unknownSession:
            hasSession = false
            return pause(configuration.rejoinDelay, then: .join)
        case .unreachable(let message):
            return unreachable(message, now: now, retry: hasSession ? .fetch(nextRound: nextRound) : .join)
        case .badToken(let message), .refused(let message):
            return finish(.fail(WorkerFailure(.refused, "the master refused this worker: \(message)")))
        case .idTaken:
            return pause(configuration.idTakenDelay, then: .join)
        }
    }

    /// The gradient of `round` is ready.
    public mutating func computed(round: UInt64) -> Directive {
        .submit(round: round, prefetch: round + 1)
    }

    /// The master answered the submission (`code`: its reason when refused, e.g.
    /// `wrong_round`; a refusal for `unauthenticated` means the session is gone). The
    /// directive comes with the prefetch's answer, reported next.
    public mutating func submitted(round: UInt64, accepted: Bool, code: String, now: ContinuousClock.Instant) {
        lastContact = now
        summary.submitted += 1
        lastSubmitted = round
        nextRound = round + 1
        if !accepted {
            summary.refusals[code, default: 0] += 1
            if code == SubmissionRejection.Code.unauthenticated.name { hasSession = false }
        }
    }

    /// The submission did not reach the master (its round will count the worker as
    /// missing); the directive comes with the prefetch's answer, reported next.
    public mutating func submitFailed(_ refusal: Refusal, now: ContinuousClock.Instant) {
        if refusal == .unknownSession { hasSession = false }
    }

    /// A pause is over.
    public mutating func paused() -> Directive { afterPause }

    /// The time left before an unreachable master is given up (``Configuration/giveUpAfter``
    /// after the last contact): no call or pause should outlast it.
    public func timeUntilGivingUp(now: ContinuousClock.Instant) -> Duration {
        guard let lastContact else { return configuration.giveUpAfter }
        return lastContact + configuration.giveUpAfter - now
    }

    /// True once the machine said finish or fail.
    public var isFinished: Bool { isDone }

    private mutating func unreachable(_ message: String, now: ContinuousClock.Instant, retry: Directive) -> Directive {
        // The master may be gone because training is over and it has shut down.
        if let lastSubmitted, let totalRounds, lastSubmitted + 1 >= totalRounds { return finish(.finish) }
        if let lastContact, now - lastContact > configuration.giveUpAfter {
            return finish(.fail(WorkerFailure(.unreachable, "the master has been unreachable for \(configuration.giveUpAfter): \(message)")))
        }
        // Never past the limit: the retry then fails at once and the worker gives up on time.
        return pause(max(.zero, min(configuration.unreachableDelay, timeUntilGivingUp(now: now) + .milliseconds(1))), then: retry)
    }

    private mutating func pause(_ duration: Duration, then next: Directive) -> Directive {
        afterPause = next
        return .pause(duration)
    }

    private mutating func finish(_ directive: Directive) -> Directive {
        isDone = true
        return directive
    }
}

/// Why a worker stopped before the master said training was over.
public struct WorkerFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure. Extensible: new codes never break a `switch` in user code.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// A short, stable, snake_case name, e.g. `bad_token`.
        public let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The master refused the token.
        public static let badToken = Code("bad_token")
        /// The master refused the worker for another reason (unknown id, protocol version).
        public static let refused = Code("refused")
        /// The master stayed unreachable past the limit.
        public static let unreachable = Code("unreachable")
        /// The master's model does not fit this worker (its size, or its experiment).
        public static let wrongModel = Code("wrong_model")
        /// The master replays a round further back than the worker keeps its momentum
        /// (``WorkerMomentum``): it cannot send the bytes it sent before.
        public static let momentumLost = Code("momentum_lost")
        /// The worker's checkpoint cannot be read, belongs to another run, or cannot be written.
        public static let badCheckpoint = Code("bad_checkpoint")
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
