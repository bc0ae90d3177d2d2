import BrSGDCluster
import BrSGDExperiments
import ByzantineAttacks
import Datasets
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import NeuralEngine
import SeededRandom

/// How a networked worker reaches its master and what it is.
public struct NetworkWorkerOptions: Sendable {
    public var host: String
    public var port: Int
    /// The worker's index, 0..<m (workers 0..<b are the experiment's Byzantine ones).
    public var workerID: Int
    /// The shared secret, when the master asks for one.
    public var token: String?
    /// The attack this worker runs (a name of ``AttackKind``, with its parameters `sigma`,
    /// `scale`, `z`, `epsilon`, `target`); nil: an honest worker. Only attacks that need
    /// no other worker's gradient can run over the network.
    public var attack: String?
    public var attackParameters: [String: Double] = [:]
    /// Mutual TLS: the worker's certificate and key, and the CA of the master's certificate
    /// (nil: plaintext HTTP/2).
    public var tls: MutualTLS?
    /// How long one FetchRound call may wait for a round before asking again.
    public var pollWait: Duration = .seconds(5)
    /// Give up when the master has been unreachable this long.
    public var giveUpAfter: Duration = .seconds(120)

    public init(host: String, port: Int, workerID: Int) {
        self.host = host
        self.port = port
        self.workerID = workerID
    }
}

/// What a worker did.
public struct NetworkWorkerSummary: Sendable {
    /// Gradients uploaded (accepted or not).
    public var submitted = 0
    /// Refusals the master sent back, by reason.
    public var refusals: [String: Int] = [:]
    /// Times the worker (re)joined (more than once after a master restart).
    public var joins = 0
}

/// An error that stops a worker: a configuration it cannot run, or a master that stays away.
public struct NetworkWorkerError: Error, Sendable, CustomStringConvertible {
    public var message: String
    init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A worker of a networked run: joins the master, then computes round after round the
/// gradient `Simulation.run` computes for the same worker — its batch of round t is a pure
/// function of (seed, worker, t), its attack's randomness too — and uploads it. When the
/// master goes away it keeps trying, and joins again when a restarted master does not know
/// its session.
public enum NetworkWorker {
    /// Runs until the master says training is over.
    /// - Parameter loadTraining: the training set of the experiment's dataset (by name).
    public static func run(
        _ options: NetworkWorkerOptions, logger: Logger = Logger(label: "brsgd.worker"),
        loadTraining: @escaping @Sendable (_ dataset: String) throws -> LabeledDataset
    ) async throws -> NetworkWorkerSummary {
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
            try await loop(Brsgd_V1_Training.Client(wrapping: client), options: options, logger: logger,
                           loadTraining: loadTraining)
        }
    }

    private static func loop<Transport: ClientTransport>(
        _ training: Brsgd_V1_Training.Client<Transport>, options: NetworkWorkerOptions, logger: Logger,
        loadTraining: @Sendable (String) throws -> LabeledDataset
    ) async throws -> NetworkWorkerSummary {
        var logger = logger
        logger[metadataKey: "worker"] = "\(options.workerID)"
        var summary = NetworkWorkerSummary()
        var engine: WorkerEngine?
        var session: Data?
        var totalRounds = UInt64.max
        var lastRound: UInt64?
        // The earliest round to ask for in this session (a restarted master may replay rounds,
        // so it starts again at 0 with every join), and a round already fetched ahead.
        var nextRound: UInt64 = 0
        var prefetched: Brsgd_V1_RoundAssignment?
        var lastContact = ContinuousClock.now
        var callOptions = CallOptions.defaults
        callOptions.waitForReady = true
        callOptions.maxResponseMessageBytes = 64 << 20
        callOptions.maxRequestMessageBytes = 64 << 20

        while true {
            try Task.checkCancellation()
            do {
                if session == nil {
                    var request = Brsgd_V1_JoinRequest()
                    request.workerID = UInt32(options.workerID)
                    request.token = options.token ?? ""
                    request.protocolVersion = 1
                    var joinOptions = callOptions
                    joinOptions.timeout = .seconds(10)
                    let response = try await training.join(request, options: joinOptions)
                    lastContact = .now
                    if engine == nil {
                        engine = try WorkerEngine(configJSON: response.configJson, options: options,
                                                  loadTraining: loadTraining)
                        logger.info("joined; data loaded", metadata: ["parameters": "\(response.parameterCount)"])
                    } else {
                        logger.info("rejoined")
                    }
                    guard let engine, engine.parameterCount == Int(response.parameterCount) else {
                        throw NetworkWorkerError("the master's model has \(response.parameterCount) parameters, this worker's \(engine?.parameterCount ?? 0)")
                    }
                    session = response.session
                    totalRounds = response.totalRounds
                    nextRound = 0
                    prefetched = nil
                    summary.joins += 1
                }
                guard let engine, let currentSession = session else { continue }
                // The session in the headers too: the master checks it before reading a body.
                let credentials = sessionMetadata(worker: options.workerID, session: currentSession)
                var request = Brsgd_V1_RoundRequest()
                request.workerID = UInt32(options.workerID)
                request.session = currentSession
                request.waitMilliseconds = UInt32(clamping: options.pollWait.components.seconds * 1000
                    + options.pollWait.components.attoseconds / 1_000_000_000_000_000)
                var pollOptions = callOptions
                pollOptions.timeout = options.pollWait + .seconds(10)
                let assignment: Brsgd_V1_RoundAssignment
                if let prefetched {
                    assignment = prefetched
                } else {
                    request.nextRound = nextRound
                    assignment = try await training.fetchRound(request, metadata: credentials, options: pollOptions)
                }
                prefetched = nil
                lastContact = .now
                switch assignment.status {
                case .finished:
                    logger.info("training finished", metadata: ["submitted": "\(summary.submitted)"])
                    return summary
                case .wait, .UNRECOGNIZED:
                    continue
                case .open:
                    guard let parameters = TensorBytes.unpack(assignment.parameters),
                          parameters.count == engine.parameterCount
                    else { throw NetworkWorkerError("the master sent \(assignment.parameters.count) bytes of parameters, not 4 × \(engine.parameterCount)") }
                    let round = Int(assignment.round)
                    let (gradient, loss) = engine.gradient(round: round, parameters: parameters)
                    var submission = Brsgd_V1_GradientSubmission()
                    submission.workerID = UInt32(options.workerID)
                    submission.session = currentSession
                    submission.round = assignment.round
                    submission.gradient = gradient
                    submission.loss = loss
                    var submitOptions = callOptions
                    submitOptions.timeout = .seconds(30)
                    // Upload round t and ask for round t + 1 at once: the next model can come
                    // back one round trip sooner than if the two calls followed each other.
                    request.nextRound = assignment.round + 1
                    let nextRequest = request
                    async let sent = training.submitGradient(submission, metadata: credentials, options: submitOptions)
                    async let next = training.fetchRound(nextRequest, metadata: credentials, options: pollOptions)
                    let reply = try await sent
                    lastContact = .now
                    summary.submitted += 1
                    lastRound = assignment.round
                    nextRound = assignment.round + 1
                    if !reply.accepted {
                        summary.refusals[reply.code, default: 0] += 1
                        logger.warning("gradient refused", metadata: [
                            "round": "\(round)", "reason": "\(reply.code)", "detail": "\(reply.message)",
                        ])
                        if reply.code == SubmissionRejection.Code.unauthenticated.name { session = nil }
                    }
                    prefetched = try await next
                }
            } catch let error as RPCError {
                switch error.code {
                case .unauthenticated:
                    // A restarted master does not know our session: join again.
                    if session == nil && error.message.contains("token") {
                        throw NetworkWorkerError("the master refused the token: \(error.message)")
                    }
                    logger.notice("session not known to the master; joining again", metadata: ["detail": "\(error.message)"])
                    session = nil
                    try await Task.sleep(for: .milliseconds(100))
                case .alreadyExists:
                    logger.notice("worker id still held by an earlier session; retrying", metadata: ["detail": "\(error.message)"])
                    try await Task.sleep(for: .milliseconds(500))
                case .invalidArgument, .failedPrecondition, .permissionDenied:
                    throw NetworkWorkerError("the master refused this worker: \(error.message)")
                default:
                    if let lastRound, totalRounds != .max, lastRound + 1 >= totalRounds {
                        logger.info("master gone after the last round; done")
                        return summary
                    }
                    if ContinuousClock.now - lastContact > options.giveUpAfter {
                        throw NetworkWorkerError("the master at \(options.host):\(options.port) has been unreachable for \(options.giveUpAfter): \(error)")
                    }
                    logger.debug("master unreachable; retrying", metadata: ["error": "\(error.code)"])
                    try await Task.sleep(for: .milliseconds(200))
                }
            }
        }
    }
}

/// The worker's computation, the same as the simulation's for this worker: its partition,
/// its data stream, one gradient computer, and its attack if it has one.
final class WorkerEngine {
    let worker: Int
    let workerCount: Int
    let byzantineCount: Int
    let seed: UInt64
    let train: LabeledDataset
    let attack: (any Attack)?
    let relabel: LabelTransform?
    let computer: GradientComputer
    var stream: WorkerDataStream
    var own: [Float]
    var crafted: [Float]
    var parameterCount: Int { own.count }

    init(configJSON: String, options: NetworkWorkerOptions,
         loadTraining: (String) throws -> LabeledDataset) throws {
        let decoded: ExperimentConfig
        do {
            decoded = try JSONDecoder().decode(ExperimentConfig.self, from: Data(configJSON.utf8))
        } catch {
            throw NetworkWorkerError("the master's experiment does not decode: \(error)")
        }
        var config = decoded
        if let attack = options.attack, attack != "none" {
            config.attack = attack
            config.attackParameters = options.attackParameters
            config.byzantineCount = max(1, config.byzantineCount)
        }
        let simulation: SimulationConfiguration
        do {
            simulation = try ExperimentRunner(threads: 1).simulation(for: config)
        } catch let error as ExperimentError {
            throw NetworkWorkerError(error.message)
        }
        guard options.workerID >= 0 && options.workerID < simulation.workerCount else {
            throw NetworkWorkerError("worker id \(options.workerID) is not in 0..<\(simulation.workerCount)")
        }
        if let attack = simulation.attack, attack.knowledge >= .honestGradients {
            throw NetworkWorkerError("--attack \(config.attack) needs every honest gradient of the round (omniscient): simulation only")
        }
        worker = options.workerID
        workerCount = simulation.workerCount
        byzantineCount = config.byzantineCount
        seed = simulation.seed
        train = try loadTraining(config.dataset)
        attack = simulation.attack
        relabel = simulation.attack?.labelTransform(classCount: train.classCount)
        let partition = simulation.partition.partition(train, workerCount: workerCount, seed: seed)
        stream = WorkerDataStream(worker: worker, partition: partition[worker], batchSize: simulation.batchSize,
                                  seed: seed)
        computer = GradientComputer(model: simulation.model, maxBatchSize: simulation.batchSize)
        own = [Float](repeating: 0, count: simulation.model.parameterCount)
        crafted = own
    }

    /// The vector to upload for `round` (packed) and the batch's loss.
    func gradient(round: Int, parameters: [Float]) -> (Data, Float) {
        var loss: Float = .nan
        let knowledge = attack?.knowledge ?? .none
        if attack == nil || knowledge >= .ownGradient {
            let batch = stream.batch(round: round)
            loss = parameters.withUnsafeBufferPointer { w in
                own.withUnsafeMutableBufferPointer { g in
                    computer.gradient(parameters: w, dataset: train, batch: batch, relabel: relabel, into: g)
                }
            }
        }
        guard let attack else { return (TensorBytes.pack(own), loss) }
        own.withUnsafeBufferPointer { own in
            crafted.withUnsafeMutableBufferPointer { out in
                let context = AttackContext(
                    round: round, workerIndex: worker, workerCount: workerCount, byzantineCount: byzantineCount,
                    ownGradient: knowledge >= .ownGradient ? own : nil, honestGradients: nil)
                var generator = RandomStreams.attack(seed, worker: worker, round: round)
                attack.craft(into: out, context: context, generator: &generator)
            }
        }
        return (TensorBytes.pack(crafted), loss)
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
