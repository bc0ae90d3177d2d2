import BrSGDCluster
import BrSGDRecords
import ByzantineAttacks
import Datasets
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import NeuralEngine
import SeededRandom

/// How a networked worker reaches its master.
public struct NetworkWorkerOptions: Sendable {
    public var host: String
    public var port: Int
    /// The worker's index, 0..<m (workers 0..<b are the experiment's Byzantine ones).
    public var workerID: Int
    /// The shared secret, or this worker's own (per-worker tokens), when the master asks for one.
    public var token: String?
    /// Mutual TLS: the worker's certificate and key, and the CA of the master's certificate
    /// (nil: plaintext HTTP/2).
    public var tls: MutualTLS?
    /// How long one FetchRound call may wait for a round before asking again.
    public var pollWait: Duration = .seconds(5)
    /// The recoveries' timing (give up after, rejoin and retry delays).
    public var recovery = WorkerStateMachine.Configuration()

    public init(host: String, port: Int, workerID: Int) {
        self.host = host
        self.port = port
        self.workerID = workerID
    }
}

/// A worker of a networked run: drives a ``WorkerStateMachine`` over gRPC — join, then
/// round after round fetch the model, let the ``GradientSource`` compute, upload — and
/// carries out its recoveries (join again when a restarted master does not know the
/// session, retry an id a stale session holds, wait out an unreachable master).
public enum NetworkWorker {
    /// Runs until the master says training is over.
    /// - Throws: ``WorkerFailure`` when the master refuses the worker or stays away, or
    ///   the source's error.
    public static func run(
        _ options: NetworkWorkerOptions, source: any GradientSource, logger: Logger = Logger(label: "brsgd.worker")
    ) async throws -> WorkerStateMachine.Summary {
        let transport = try HTTP2ClientTransport.Posix(
            // An IPv4 literal goes as such: named as DNS, it would be sent as the TLS server
            // name (SNI), which may not be an IP address, and every TLS handshake would fail.
            target: isIPv4Literal(options.host)
                ? .ipv4(address: options.host, port: options.port) as any ResolvableTarget
                : .dns(host: options.host, port: options.port),
            transportSecurity: options.tls.map { tls in
                .mTLS(certificateChain: [.file(path: tls.certificate, format: .pem)],
                      privateKey: .file(path: tls.privateKey, format: .pem)) { config in
                    config.trustRoots = .certificates([.file(path: tls.trustRoots, format: .pem)])
                    config.serverCertificateVerification = .noHostnameVerification
                }
            } ?? .plaintext,
            config: .defaults { config in
                config.backoff = .init(initial: .milliseconds(100), max: .seconds(2), multiplier: 1.6, jitter: 0.2)
                config.http2.targetWindowSize = 4 << 20
                config.http2.maxFrameSize = 1 << 20
            })
        return try await withGRPCClient(transport: transport) { client in
            var driver = WorkerDriver(training: Brsgd_V1_Training.Client(wrapping: client), options: options,
                                      source: source, logger: logger)
            return try await driver.run()
        }
    }
}

/// Carries out the state machine's directives with real calls. No decision is taken here:
/// each call's result is classified (``WorkerStateMachine/Refusal``, by status code and
/// call) and handed back to the machine.
struct WorkerDriver<Transport: ClientTransport> {
    let training: Brsgd_V1_Training.Client<Transport>
    let options: NetworkWorkerOptions
    let source: any GradientSource
    var logger: Logger
    var machine: WorkerStateMachine
    var session = Data()
    var parameters: [Float] = []
    var gradient: [Float] = []
    var loss: Float = .nan
    var prepared = false
    let callOptions: CallOptions
    /// Since when the master has been unreachable (nil: it answers), and when that was last said.
    var unreachableSince: ContinuousClock.Instant?
    var lastUnreachableReport = ContinuousClock.now

    init(training: Brsgd_V1_Training.Client<Transport>, options: NetworkWorkerOptions, source: any GradientSource,
         logger: Logger) {
        self.training = training
        self.options = options
        self.source = source
        self.logger = logger
        self.logger[metadataKey: "worker"] = "\(options.workerID)"
        machine = WorkerStateMachine(configuration: options.recovery)
        var callOptions = CallOptions.defaults
        callOptions.waitForReady = true
        callOptions.maxResponseMessageBytes = 64 << 20
        callOptions.maxRequestMessageBytes = 64 << 20
        self.callOptions = callOptions
    }

    mutating func run() async throws -> WorkerStateMachine.Summary {
        var directive = machine.start(now: .now)
        while true {
            try Task.checkCancellation()
            switch directive {
            case .join:
                directive = await join()
            case .fetch(let nextRound):
                directive = await fetch(nextRound)
            case .compute(let round):
                guard parameters.count == machine.parameterCount else {
                    throw WorkerFailure(.wrongModel, "the master sent \(parameters.count) parameters, not \(machine.parameterCount ?? 0)")
                }
                // Taken out and put back, so the buffer is written in place (no copy on write).
                let source = self.source
                var output: [Float] = []
                swap(&output, &gradient)
                defer { swap(&output, &gradient) }
                loss = try parameters.withUnsafeBufferPointer { w in
                    try output.withUnsafeMutableBufferPointer { g in
                        try source.gradient(round: Int(round), parameters: w, into: g)
                    }
                }
                directive = machine.computed(round: round)
            case .submit(let round, let prefetch):
                directive = await submit(round, prefetch: prefetch)
            case .pause(let duration):
                try await Task.sleep(for: duration)
                directive = machine.paused()
            case .finish:
                logger.info("training finished", metadata: ["submitted": "\(machine.summary.submitted)"])
                return machine.summary
            case .fail(let failure):
                throw failure
            }
        }
    }

    private mutating func join() async -> WorkerStateMachine.Directive {
        var request = Brsgd_V1_JoinRequest()
        request.workerID = UInt32(options.workerID)
        request.token = options.token ?? ""
        request.protocolVersion = 1
        var joinOptions = callOptions
        // Not waiting for a connection: a refused one fails the call at once, and says why.
        joinOptions.waitForReady = false
        joinOptions.timeout = boundedByGivingUp(.seconds(10))
        let response: Brsgd_V1_JoinResponse
        do {
            response = try await training.join(request, options: joinOptions)
            reached()
        } catch {
            let refusal = classify(error, joining: true)
            if refusal == .idTaken {
                logger.notice("worker id still held by an earlier session; retrying")
            }
            return machine.joinFailed(refusal, now: .now)
        }
        if !prepared {
            do {
                let experiment = response.configJson.isEmpty
                    ? nil : try JSONDecoder().decode(Experiment.self, from: Data(response.configJson.utf8))
                try source.prepare(experiment: experiment, parameterCount: Int(response.parameterCount))
            } catch let failure as WorkerFailure {
                return .fail(failure)
            } catch let error as DecodingError {
                return .fail(WorkerFailure(.wrongModel, "the master's experiment does not decode: \(error)"))
            } catch {
                return .fail(WorkerFailure(.wrongModel, "cannot prepare this worker: \(error)"))
            }
            prepared = true
            gradient = [Float](repeating: 0, count: Int(response.parameterCount))
            logger.info("joined; data loaded", metadata: ["parameters": "\(response.parameterCount)"])
        } else {
            logger.info("rejoined")
        }
        session = response.session
        return machine.joined(.init(parameterCount: Int(response.parameterCount), totalRounds: response.totalRounds),
                              now: .now)
    }

    private func roundRequest(_ nextRound: UInt64) -> Brsgd_V1_RoundRequest {
        var request = Brsgd_V1_RoundRequest()
        request.workerID = UInt32(options.workerID)
        request.session = session
        request.waitMilliseconds = UInt32(clamping: options.pollWait.components.seconds * 1000
            + options.pollWait.components.attoseconds / 1_000_000_000_000_000)
        request.nextRound = nextRound
        return request
    }

    /// The session in the headers too: the master checks it before reading a body.
    private var credentials: Metadata { sessionMetadata(worker: options.workerID, session: session) }

    private var pollOptions: CallOptions {
        var pollOptions = callOptions
        pollOptions.timeout = boundedByGivingUp(options.pollWait + .seconds(10))
        return pollOptions
    }

    /// `duration`, or less when the worker would give up on an unreachable master sooner:
    /// `--give-up-after` is kept to the second, whatever call is under way.
    private func boundedByGivingUp(_ duration: Duration) -> Duration {
        max(.milliseconds(50), min(duration, machine.timeUntilGivingUp(now: .now) + .milliseconds(50)))
    }

    /// A call reached the master: an outage, if any, is over.
    private mutating func reached() {
        if let since = unreachableSince {
            logger.notice("reached the master again", metadata: ["after": "\(Self.seconds(.now - since))"])
        }
        unreachableSince = nil
    }

    /// Classifies a failed call; when the master is unreachable, says so at once, then every
    /// ``unreachableReportInterval`` while it stays so, with the cause in words.
    private mutating func classify(_ error: any Error, joining: Bool) -> WorkerStateMachine.Refusal {
        let refusal = Self.classify(error, joining: joining, usesTLS: options.tls != nil)
        guard case .unreachable(let cause) = refusal else { reached(); return refusal }
        let now = ContinuousClock.now
        let address = "\(options.host):\(options.port)"
        if let since = unreachableSince {
            if now - lastUnreachableReport >= Self.unreachableReportInterval {
                lastUnreachableReport = now
                logger.warning("still cannot reach the master at \(address) after \(Self.seconds(now - since)): \(cause)")
            }
        } else {
            unreachableSince = now
            lastUnreachableReport = now
            logger.warning("cannot reach the master at \(address): \(cause); retrying, giving up after \(Self.seconds(options.recovery.giveUpAfter)) without contact")
        }
        return refusal
    }

    static var unreachableReportInterval: Duration { .seconds(5) }

    /// `12 s`.
    static func seconds(_ duration: Duration) -> String {
        "\(Int((Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18).rounded())) s"
    }

    private mutating func fetch(_ nextRound: UInt64) async -> WorkerStateMachine.Directive {
        do {
            let assignment = try await training.fetchRound(roundRequest(nextRound), metadata: credentials,
                                                           options: pollOptions)
            reached()
            return fetched(assignment)
        } catch {
            return machine.fetchFailed(classify(error, joining: false), now: .now)
        }
    }

    private mutating func fetched(_ assignment: Brsgd_V1_RoundAssignment) -> WorkerStateMachine.Directive {
        switch assignment.status {
        case .finished: return machine.fetched(.finished, now: .now)
        case .wait, .UNRECOGNIZED: return machine.fetched(.wait, now: .now)
        case .open:
            parameters = TensorBytes.unpack(assignment.parameters) ?? []
            return machine.fetched(.open(round: assignment.round), now: .now)
        }
    }

    /// Uploads round `round` and asks for `prefetch` at once: the next model can come back
    /// one round trip sooner than if the two calls followed each other.
    private mutating func submit(_ round: UInt64, prefetch: UInt64) async -> WorkerStateMachine.Directive {
        var submission = Brsgd_V1_GradientSubmission()
        submission.workerID = UInt32(options.workerID)
        submission.session = session
        submission.round = round
        submission.gradient = TensorBytes.pack(gradient)
        submission.loss = loss
        var submitOptions = callOptions
        submitOptions.timeout = .seconds(30)
        let training = self.training, nextRequest = roundRequest(prefetch), pollOptions = self.pollOptions
        let credentials = self.credentials
        async let sent = training.submitGradient(submission, metadata: credentials, options: submitOptions)
        async let next = training.fetchRound(nextRequest, metadata: credentials, options: pollOptions)
        do {
            let reply = try await sent
            machine.submitted(round: round, accepted: reply.accepted, code: reply.code, now: .now)
            if !reply.accepted {
                logger.warning("gradient refused", metadata: [
                    "round": "\(round)", "reason": "\(reply.code)", "detail": "\(reply.message)",
                ])
            }
        } catch {
            machine.submitFailed(classify(error, joining: false), now: .now)
        }
        do {
            return fetched(try await next)
        } catch {
            return machine.fetchFailed(classify(error, joining: false), now: .now)
        }
    }

    /// A call's error as the state machine's refusal, by status code and by which call it
    /// was (a join refused as unauthenticated means the token; a fetch or submission, the session).
    static func classify(_ error: any Error, joining: Bool, usesTLS: Bool = false) -> WorkerStateMachine.Refusal {
        guard let error = error as? RPCError else { return .unreachable("\(error)") }
        switch error.code {
        case .unauthenticated: return joining ? .badToken(error.message) : .unknownSession
        case .alreadyExists: return .idTaken
        case .invalidArgument, .failedPrecondition, .permissionDenied: return .refused(error.message)
        default: return .unreachable(ConnectionFailure.describe(error, usesTLS: usesTLS))
        }
    }
}

/// True for a dotted-quad IPv4 address such as 10.0.0.1.
func isIPv4Literal(_ host: String) -> Bool {
    let parts = host.split(separator: ".", omittingEmptySubsequences: false)
    return parts.count == 4 && parts.allSatisfy { UInt8($0) != nil }
}

/// The request headers that carry a worker's session (`brsgd-worker-id`, `brsgd-session` in
/// hex), so that the master authenticates a call on its headers, before it reads the body.
func sessionMetadata(worker: Int, session: Data) -> Metadata {
    var metadata = Metadata()
    metadata.addString("\(worker)", forKey: RequestGate.workerIDHeader)
    metadata.addString(hexString(session), forKey: RequestGate.sessionHeader)
    return metadata
}
