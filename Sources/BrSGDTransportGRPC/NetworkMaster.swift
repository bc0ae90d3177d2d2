import BrSGDCluster
import BrSGDRecords
import Datasets
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Logging

/// The master of a networked run: serves the round protocol (`brsgd.v1.Training`) over
/// gRPC with HTTP/2, waits for the m workers, trains, and returns what `Simulation.run`
/// would have returned for the same experiment — the same model bytes when every worker is
/// honest-to-its-configuration and on time.
public enum NetworkMaster {
    /// The largest request the server accepts: four times the model's packed size, plus
    /// room for the envelope (at least 1 MiB). Larger requests are refused as malformed.
    public static func maxRequestBytes(parameterCount: Int) -> Int {
        max(1 << 20, 4 * (4 * parameterCount) + (64 << 10))
    }

    /// After the last round, how long the server may take to finish the calls in flight
    /// and close its connections before it is stopped outright.
    static let drainLimit: Duration = .seconds(5)

    /// Runs the whole training.
    /// - Parameters:
    ///   - plan: what the master runs (``MasterPlan``: the vector, rule, optimizer, rounds,
    ///     and the experiment told to the workers, without its attack, when there is one).
    ///   - onListening: called with the bound port once the server listens.
    /// - Throws: ``CheckpointError`` (a bad `--resume`, or a checkpoint that exists without
    ///   it: a fresh start never overwrites one), a transport error when the address
    ///   cannot be bound, or `CancellationError`.
    public static func run(
        plan: MasterPlan,
        options: NetworkMasterOptions, metrics: MasterMetrics = MasterMetrics(),
        logger: Logger = Logger(label: "brsgd.master"),
        stop: NetworkMasterStop? = nil,
        onListening: @escaping @Sendable (_ port: Int) -> Void = { _ in }
    ) async throws -> NetworkRunResult {
        // The open round's reply, encoded once by the master and sent from there by the gate.
        let broadcast = RoundBroadcast()
        let master = try TrainingMaster(plan: plan, options: options, logger: logger, metrics: metrics,
                                        broadcast: broadcast)
        if !options.resume, let url = options.checkpoint, FileManager.default.fileExists(atPath: url.path) {
            throw CheckpointError("the checkpoint \(url.path) exists: resume from it (--resume), or remove it to start over; a fresh start would overwrite it")
        }
        if options.resume, let url = options.checkpoint {
            if FileManager.default.fileExists(atPath: url.path) {
                try await master.restore(from: url)
            } else {
                logger.notice("no checkpoint yet; starting from round 0", metadata: ["path": "\(url.path)"])
            }
        }
        let maxRequestBytes = maxRequestBytes(parameterCount: plan.parameterCount)
        let limits = options.limits
        let gate = RequestGate(limits: limits, workerCount: plan.workerCount, maxSubmissionBytes: maxRequestBytes,
                               metrics: metrics, log: RefusalLog(interval: limits.refusalLogInterval, logger: logger),
                               broadcast: broadcast)
        await master.attach(gate)
        let transport = HTTP2ServerTransport.Posix(
            address: .ipv4(host: options.host, port: options.port),
            transportSecurity: options.tls.map { tls in
                .mTLS(certificateChain: [.file(path: tls.certificate, format: .pem)],
                      privateKey: .file(path: tls.privateKey, format: .pem)) { config in
                    config.trustRoots = .certificates([.file(path: tls.trustRoots, format: .pem)])
                    config.clientCertificateVerification = .noHostnameVerification
                }
            } ?? .plaintext,
            config: .defaults { config in
                config.rpc.maxRequestPayloadSize = maxRequestBytes
                // Measured on loopback: 4 MiB moves 80 MB at 0.5-0.7 GB/s (the default, 0.1 GB/s); 8 MiB or more makes calls fail ("Stream unexpectedly closed").
                config.http2.targetWindowSize = 4 << 20
                config.http2.maxFrameSize = 1 << 20
                config.http2.maxConcurrentStreams = limits.maxStreamsPerConnection
                // After GOAWAY, a stream still open is reset once this has passed.
                config.connection.maxGraceTime = drainLimit
                config.connection.maxIdleTime = limits.idleTimeout
                // The gate: connection limit, HTTP/2 refusals counted, every stream checked
                // on its headers and message prefix before its body is buffered.
                config.channelDebuggingCallbacks = gate.callbacks
            })
        let server = GRPCServer(transport: transport, services: [TrainingService(master: master)],
                                interceptors: [MalformedRequestInterceptor(master: master)])
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.serve() }
            do {
                let address = try await { () async throws in
                    do {
                        return try await transport.listeningAddress
                    } catch {
                        throw NetworkMasterError(Self.listenFailure(host: options.host, port: options.port, error))
                    }
                }()
                let port = address.ipv4?.port ?? options.port
                logger.info("listening", metadata: ["host": "\(options.host)", "port": "\(port)"])
                onListening(port)
                // A stop ends the training only (it writes its checkpoint and throws
                // CancellationError); the server is then drained like after the last round.
                // Cancelling the server's task instead traps in NIO when a connection arrives
                // during the teardown ("Deinited NIOAsyncWriter without calling finish()").
                let result = try await withThrowingTaskGroup(of: SimulationResult?.self) { training in
                    training.addTask { try await master.train() }
                    if let stop { training.addTask { await stop.signal.wait(); return nil } }
                    defer { training.cancelAll() }
                    while let next = try await training.next() {
                        if let next { return next }
                        training.cancelAll()
                    }
                    throw CancellationError()
                }
                // Let the workers learn that training is over before the server goes away.
                let until = ContinuousClock.now + options.finishGrace
                while ContinuousClock.now < until, !(await master.everyWorkerReleased) {
                    try await Task.sleep(for: .milliseconds(20))
                }
                // Drain, do not cut: a reply already being written (a worker's `finished`)
                // still goes out, and the connections close with GOAWAY. Cancelling the server
                // at once instead drops such replies, and a stream arriving while the
                // connection tasks are torn down traps in NIO ("Deinited NIOAsyncWriter
                // without calling finish()"). A peer that holds a stream open is cut off
                // after `drainLimit`.
                server.beginGracefulShutdown()
                group.addTask { try await Task.sleep(for: drainLimit) }
                _ = try? await group.next()
                group.cancelAll()
                return NetworkRunResult(result: result, rejections: await master.rejections,
                                        refusals: metrics.refusals, resumedAtRound: await master.resumedAtRound)
            } catch {
                server.beginGracefulShutdown()
                group.addTask { try await Task.sleep(for: drainLimit) }
                _ = try? await group.next()
                group.cancelAll()
                throw error
            }
        }
    }
}

extension NetworkMaster {
    /// Why the server could not listen on host:port, in words: the transport says only that
    /// no address is bound, so the bind is tried once more here to learn the system's reason
    /// (address already in use, permission denied, no such address).
    static func listenFailure(host: String, port: Int, _ error: any Error) -> String {
        var reason = "\(error)"
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(clamping: port)).bigEndian
        if inet_pton(AF_INET, host, &address.sin_addr) == 1 {
            #if canImport(Glibc)
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            #else
            let descriptor = socket(AF_INET, SOCK_STREAM, 0)
            #endif
            if descriptor >= 0 {
                var on: Int32 = 1
                setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
                let bound = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
                if bound != 0 {
                    let code = errno
                    reason = String(cString: strerror(code)).lowercased()
                    if code == EADDRINUSE { reason += " (another master, or another program, listens there)" }
                }
                close(descriptor)
            }
        }
        return "cannot listen on \(host):\(port): \(reason)"
    }
}

/// Asks a running ``NetworkMaster/run(config:simulation:trainingCount:test:options:metrics:logger:stop:onListening:)``
/// to stop (on SIGTERM, say): the training ends after writing its checkpoint (when one is
/// configured), the server drains, and `run` throws `CancellationError`.
public final class NetworkMasterStop: Sendable {
    let signal = OneShotSignal()
    public init() {}
    public func request() { signal.fire() }
}
