import BrSGDCluster
import BrSGDRecords
import Datasets
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import GRPCProtobuf
import Logging
import NeuralEngine
import RobustAggregation
@testable import BrSGDTransportGRPC

/// Quiet unless BRSGD_TEST_LOG is set (then everything goes to standard error).
let silentLogger: Logger = {
    guard ProcessInfo.processInfo.environment["BRSGD_TEST_LOG"] != nil else {
        return Logger(label: "brsgd.test", factory: { _ in SwiftLogNoOpLogHandler() })
    }
    var logger = Logger(label: "brsgd.test", factory: { StreamLogHandler.standardError(label: $0) })
    logger.logLevel = .trace
    return logger
}()

let fashionMNISTAvailable = FileManager.default.fileExists(
    atPath: "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz")

/// A master over a tiny synthetic model that the test drives by hand: logistic regression
/// on 4 features and 2 classes (d = 10), `rounds` rounds of one epoch, rule mean, η = 0.5.
struct TinyRun {
    var workers: Int
    var rounds: Int
    var learningRate: Float = 0.5

    static let model = Model.logisticRegression(inputSize: 4, classCount: 2)

    /// The master's plan: a bare vector (no experiment to tell), rule mean, plain SGD.
    var plan: MasterPlan {
        MasterPlan(initialParameters: Self.model.initialParameters(seed: 3), rule: Mean(),
                   optimizer: SGD(learningRate: learningRate), workerCount: workers, rounds: rounds)
    }

    var parameterCount: Int { Self.model.parameterCount }

    /// Runs the master while `body` plays the workers; with `stopMaster`, the master is
    /// cancelled once `body` returns (its result is then nil). Without it, `body` plays every
    /// worker to the end (a FetchRound answered `finished`), as a real worker does, or the
    /// master waits for it.
    func withMaster<R: Sendable>(
        options: NetworkMasterOptions = NetworkMasterOptions(), metrics: MasterMetrics = MasterMetrics(),
        stopMaster: Bool = false, clientTLS: MutualTLS? = nil,
        _ body: @escaping @Sendable (TestClient) async throws -> R
    ) async throws -> (R, NetworkRunResult?) {
        try await serving(plan, options: options, metrics: metrics, stopMaster: stopMaster, clientTLS: clientTLS, body)
    }
}

/// Runs a master of `plan` on a free loopback port while `body` plays the workers (see
/// ``TinyRun/withMaster(options:metrics:stopMaster:clientTLS:_:)``).
func serving<R: Sendable>(
    _ plan: MasterPlan, options: NetworkMasterOptions = NetworkMasterOptions(), metrics: MasterMetrics = MasterMetrics(),
    stopMaster: Bool = false, clientTLS: MutualTLS? = nil,
    _ body: @escaping @Sendable (TestClient) async throws -> R
) async throws -> (R, NetworkRunResult?) {
    var options = options
    options.host = "127.0.0.1"
    options.port = 0
    // The master stops once every worker has been told that training is over, which each
    // body does last. A short grace raced the test's client: on a loaded machine the final
    // FetchRound came after it and found the server gone ("Stream unexpectedly closed.").
    options.finishGrace = .seconds(600)
    let fixed = options
    let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
    return try await withThrowingTaskGroup(of: MasterOrBody<R>.self) { group in
        group.addTask {
            .master(try await NetworkMaster.run(
                plan: plan, options: fixed,
                metrics: metrics, logger: silentLogger, onListening: { port in portSink.yield(port); portSink.finish() }))
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw TestFailure("the master did not listen") }
        group.addTask {
            .body(try await TestClient.with(port: port, tls: clientTLS) { try await body($0) })
        }
        var bodyResult: R?
        var masterResult: NetworkRunResult?
        while let done = try await group.next() {
            switch done {
            case .body(let r):
                bodyResult = r
                if stopMaster { group.cancelAll() }
            case .master(let m):
                masterResult = m
            }
            if bodyResult != nil && (masterResult != nil || stopMaster) { break }
        }
        group.cancelAll()
        guard let bodyResult else { throw TestFailure("the test body did not finish") }
        return (bodyResult, masterResult)
    }
}

enum MasterOrBody<R: Sendable>: Sendable {
    case master(NetworkRunResult)
    case body(R)
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A hand-driven worker connection: the generated client plus raw calls for garbage.
struct TestClient: Sendable {
    let client: GRPCClient<HTTP2ClientTransport.Posix>
    /// The master's port (for a ``RawHTTP2Client`` beside this one).
    let port: Int
    var training: Brsgd_V1_Training.Client<HTTP2ClientTransport.Posix> { .init(wrapping: client) }

    static func with<R: Sendable>(port: Int, tls: MutualTLS? = nil, _ body: (TestClient) async throws -> R)
        async throws -> R {
        let security: HTTP2ClientTransport.Posix.TransportSecurity = tls.map { tls in
            .mTLS(certificateChain: [.file(path: tls.certificate, format: .pem)],
                  privateKey: .file(path: tls.privateKey, format: .pem)) { config in
                config.trustRoots = .certificates([.file(path: tls.trustRoots, format: .pem)])
                config.serverCertificateVerification = .noHostnameVerification
            }
        } ?? .plaintext
        let transport = try HTTP2ClientTransport.Posix(target: .ipv4(address: "127.0.0.1", port: port),
                                                       transportSecurity: security)
        return try await withGRPCClient(transport: transport) { client in
            try await body(TestClient(client: client, port: port))
        }
    }

    static var options: CallOptions {
        var options = CallOptions.defaults
        options.timeout = .seconds(20)
        options.maxRequestMessageBytes = 64 << 20
        options.maxResponseMessageBytes = 64 << 20
        return options
    }

    func join(_ worker: Int, token: String = "") async throws -> Brsgd_V1_JoinResponse {
        var request = Brsgd_V1_JoinRequest()
        request.workerID = UInt32(worker)
        request.token = token
        request.protocolVersion = 1
        return try await training.join(request, options: Self.options)
    }

    func fetch(_ worker: Int, session: Data, waitMilliseconds: UInt32 = 5000, nextRound: UInt64 = 0,
               metadata: Metadata = [:]) async throws -> Brsgd_V1_RoundAssignment {
        var request = Brsgd_V1_RoundRequest()
        request.nextRound = nextRound
        request.workerID = UInt32(worker)
        request.session = session
        request.waitMilliseconds = waitMilliseconds
        return try await training.fetchRound(request, metadata: metadata, options: Self.options)
    }

    /// FetchRound again while the master answers `wait` (each call waits at most the
    /// master's 10 s): for a round that opens only when the one before reaches its deadline.
    func fetchPastWaits(_ worker: Int, session: Data, attempts: Int = 6) async throws -> Brsgd_V1_RoundAssignment {
        var answer = try await fetch(worker, session: session, waitMilliseconds: 10_000)
        for _ in 1 ..< attempts where answer.status == .wait {
            answer = try await fetch(worker, session: session, waitMilliseconds: 10_000)
        }
        return answer
    }

    func submit(_ worker: Int, session: Data, round: UInt64, gradient: Data) async throws -> Brsgd_V1_SubmissionReply {
        var request = Brsgd_V1_GradientSubmission()
        request.workerID = UInt32(worker)
        request.session = session
        request.round = round
        request.gradient = gradient
        return try await training.submitGradient(request, options: Self.options)
    }

    func submit(_ worker: Int, session: Data, round: UInt64, _ values: [Float]) async throws -> Brsgd_V1_SubmissionReply {
        try await submit(worker, session: session, round: round, gradient: TensorBytes.pack(values))
    }

    /// Sends `bytes` as the SubmitGradient request message, undecoded.
    func submitRaw(_ bytes: [UInt8]) async throws -> Brsgd_V1_SubmissionReply {
        try await client.unary(
            request: ClientRequest(message: bytes),
            descriptor: Brsgd_V1_Training.Method.SubmitGradient.descriptor,
            serializer: RawBytesSerializer(), deserializer: ProtobufDeserializer<Brsgd_V1_SubmissionReply>(),
            options: Self.options) { try $0.message }
    }
}

struct RawBytesSerializer: MessageSerializer {
    func serialize<Bytes: GRPCContiguousBytes>(_ message: [UInt8]) throws -> Bytes { Bytes(message) }
}

/// w − η·mean(rows), as the master computes it.
func expectedStep(_ parameters: [Float], rows: [[Float]], learningRate: Float) throws -> [Float] {
    var matrix = GradientMatrix(rowCount: rows.count, columnCount: parameters.count)
    for (i, row) in rows.enumerated() {
        matrix.withUnsafeMutableRow(i) { target in
            for j in row.indices { target[j] = row[j] }
        }
    }
    let mean = try Mean().aggregate(matrix).gradient
    var optimizer = SGD(learningRate: learningRate)
    var next = parameters
    optimizer.step(parameters: &next, gradient: mean)
    return next
}

/// The body of `GET path` from 127.0.0.1:port (HTTP/1.1, Content-Length), over a plain socket.
func httpGet(port: Int, path: String) throws -> String {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw TestFailure("socket failed") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { throw TestFailure("cannot connect to port \(port)") }
    let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8)
    guard send(fd, request, request.count, 0) == request.count else { throw TestFailure("send failed") }
    var received: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = recv(fd, &buffer, buffer.count, 0)
        guard n > 0 else { break }
        received += buffer[0 ..< n]
        let text = String(decoding: received, as: UTF8.self)
        if let split = text.range(of: "\r\n\r\n"),
           let lengthLine = text[..<split.lowerBound].split(separator: "\r\n")
               .first(where: { $0.lowercased().hasPrefix("content-length:") }),
           let length = Int(lengthLine.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)),
           text[split.upperBound...].utf8.count >= length {
            return String(text[split.upperBound...])
        }
    }
    throw TestFailure("incomplete HTTP response: \(String(decoding: received, as: UTF8.self))")
}

/// Waits until `condition` holds (checking every 10 ms, for at most 30 s): for an event in
/// the master that a test must see happen before it goes on.
func eventually(_ condition: () async -> Bool) async throws {
    for _ in 0 ..< 3000 {
        if await condition() { return }
        try await Task.sleep(for: .milliseconds(10))
    }
    throw TestFailure("the condition never held")
}
