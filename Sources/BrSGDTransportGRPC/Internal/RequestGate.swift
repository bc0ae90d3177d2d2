import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import NIOCore
import NIOHPACK
import NIOHTTP2
import NIOSSL
import Synchronization

/// The master's door: decides on the event loop, from a stream's headers and the 5-byte
/// gRPC prefix of its message, whether a request may be read at all — before the
/// transport buffers its body. Shared by every connection and stream of one server.
///
/// - A stream whose headers carry `brsgd-worker-id` and `brsgd-session` naming a live
///   session is *authenticated*: its message may be as large as a gradient, and its session
///   may have ``NetworkMasterLimits/maxSubmissionsPerSession`` uploads in flight.
/// - Any other stream reserves its declared message length from one shared budget,
///   ``NetworkMasterLimits/unauthenticatedBufferBytes``, before the message is read.
/// - Every request must arrive whole within ``NetworkMasterLimits/requestDeadline``, carry
///   exactly one uncompressed message, and name one of the three methods.
/// - At most ``NetworkMasterLimits/maxConnections`` TCP connections are open at once.
/// - Authenticated uploads are read at most ``NetworkMasterLimits/maxUploadBytesInFlight``
///   bytes at a time; the others wait unread (see ``acquireUpload(worker:bytes:onGranted:)``).
/// - An open round's reply leaves as the round's one shared encoding (``RoundBroadcast``).
///
/// The session table here mirrors ``TrainingMaster``'s (the actor writes it on every
/// join), so that the check needs no hop to the actor. The body's session is still checked
/// by the actor: the headers only decide what may be buffered.
final class RequestGate: Sendable {
    enum Method: Sendable {
        case join, fetchRound, submitGradient
    }

    static let workerIDHeader = "brsgd-worker-id"
    static let sessionHeader = "brsgd-session"
    static let reasonTrailer = "brsgd-reason"

    let limits: NetworkMasterLimits
    let workerCount: Int
    let connectionLimit: Int
    /// The largest SubmitGradient message (``NetworkMaster/maxRequestBytes(parameterCount:)``).
    let maxSubmissionBytes: Int
    let metrics: MasterMetrics
    let log: RefusalLog
    /// Bytes of authenticated uploads read at once (``NetworkMasterLimits/maxUploadBytesInFlight``).
    let uploadBudget: Int
    /// The open round's shared reply, swapped in by every FetchRound stream.
    let broadcast: RoundBroadcast
    private let methods: [String: Method]

    /// An upload waiting for room in the budget.
    private struct UploadWaiter {
        var ticket: UInt64
        var worker: Int
        var bytes: Int
        var onGranted: @Sendable () -> Void
    }

    private struct State {
        var sessions: [Int: [UInt8]] = [:]
        var submissionsInFlight: [Int: Int] = [:]
        var unauthenticatedBytes = 0
        var connections = 0
        var uploadBytes = 0
        /// Uploads being read, by worker.
        var uploadsReading: [Int: Int] = [:]
        var uploadWaiters: [UploadWaiter] = []
        var nextTicket: UInt64 = 0
    }

    private let state = Mutex(State())

    init(limits: NetworkMasterLimits, workerCount: Int, maxSubmissionBytes: Int, metrics: MasterMetrics, log: RefusalLog,
         broadcast: RoundBroadcast = RoundBroadcast()) {
        self.limits = limits
        self.workerCount = workerCount
        self.connectionLimit = limits.connectionLimit(workerCount: workerCount)
        self.maxSubmissionBytes = maxSubmissionBytes
        self.uploadBudget = limits.uploadBytesInFlight(maxSubmissionBytes: maxSubmissionBytes)
        self.broadcast = broadcast
        self.metrics = metrics
        self.log = log
        methods = [
            "/" + Brsgd_V1_Training.Method.Join.descriptor.fullyQualifiedMethod: .join,
            "/" + Brsgd_V1_Training.Method.FetchRound.descriptor.fullyQualifiedMethod: .fetchRound,
            "/" + Brsgd_V1_Training.Method.SubmitGradient.descriptor.fullyQualifiedMethod: .submitGradient,
        ]
    }

    // MARK: - Sessions (written by the master actor)

    /// Records worker `worker`'s live session (replacing any earlier one).
    func setSession(_ session: Data, for worker: Int) {
        state.withLock { $0.sessions[worker] = Array(session) }
    }

    /// True when `session` is worker `worker`'s live session.
    func isLive(worker: Int, session: [UInt8]) -> Bool {
        guard let held = state.withLock({ $0.sessions[worker] }) else { return false }
        return constantTimeEquals(held, session)
    }

    // MARK: - Budgets

    func method(path: String) -> Method? { methods[path] }

    func messageLimit(_ method: Method) -> Int {
        method == .submitGradient ? maxSubmissionBytes : limits.smallRequestBytes
    }

    func acquireSubmission(worker: Int) -> Bool {
        state.withLock { state in
            let held = state.submissionsInFlight[worker, default: 0]
            guard held < limits.maxSubmissionsPerSession else { return false }
            state.submissionsInFlight[worker] = held + 1
            return true
        }
    }

    func releaseSubmission(worker: Int) {
        state.withLock { state in
            let held = state.submissionsInFlight[worker, default: 0]
            state.submissionsInFlight[worker] = held > 1 ? held - 1 : nil
        }
    }

    /// Asks to read an upload of `bytes` of worker `worker`. Granted at once (returns a ticket
    /// and `true`) when no upload waits and either none is being read, or it fits beside
    /// those being read and its worker is reading none (a session reads one upload at a
    /// time, so b Byzantine sessions hold at most b places); otherwise it waits (returns
    /// `false`) and `onGranted` is called once it is let in (from ``releaseUpload(_:worker:)``,
    /// on whatever thread calls that). Waiters are let in in order, passing over those that
    /// do not fit yet. Give the bytes back with
    /// ``releaseUpload(_:worker:)`` after a grant, or ``withdrawUpload(ticket:bytes:worker:)``.
    /// - Complexity: O(1) granted at once; a release is O(waiters).
    func acquireUpload(worker: Int, bytes: Int, onGranted: @escaping @Sendable () -> Void) -> (ticket: UInt64, granted: Bool) {
        state.withLock { state in
            state.nextTicket += 1
            let ticket = state.nextTicket
            if state.uploadWaiters.isEmpty && fits(bytes, worker: worker, in: state) {
                grant(bytes, worker: worker, in: &state)
                return (ticket, true)
            }
            state.uploadWaiters.append(UploadWaiter(ticket: ticket, worker: worker, bytes: bytes, onGranted: onGranted))
            return (ticket, false)
        }
    }

    /// Gives back a granted upload's bytes and lets in the waiters that now fit.
    func releaseUpload(_ bytes: Int, worker: Int) {
        let granted = state.withLock { state in
            state.uploadBytes -= bytes
            let reading = state.uploadsReading[worker, default: 0]
            state.uploadsReading[worker] = reading > 1 ? reading - 1 : nil
            return admitWaiters(&state)
        }
        for onGranted in granted { onGranted() }
    }

    /// Ends an upload's wait (its stream closed): removes it while it waits, or gives its
    /// bytes back when it was granted in the meantime.
    func withdrawUpload(ticket: UInt64, bytes: Int, worker: Int) {
        let waiting = state.withLock { state in
            guard let index = state.uploadWaiters.firstIndex(where: { $0.ticket == ticket }) else { return false }
            state.uploadWaiters.remove(at: index)
            return true
        }
        if !waiting { releaseUpload(bytes, worker: worker) }
    }

    /// Bytes of uploads being read now, and uploads waiting (for tests).
    var uploadUsage: (bytes: Int, waiting: Int) {
        state.withLock { ($0.uploadBytes, $0.uploadWaiters.count) }
    }

    private func fits(_ bytes: Int, worker: Int, in state: State) -> Bool {
        state.uploadBytes == 0 || (state.uploadBytes + bytes <= uploadBudget && state.uploadsReading[worker] == nil)
    }

    private func grant(_ bytes: Int, worker: Int, in state: inout State) {
        state.uploadBytes += bytes
        state.uploadsReading[worker, default: 0] += 1
    }

    /// Grants, in order, every waiter that fits now; returns their callbacks (called outside the lock).
    private func admitWaiters(_ state: inout State) -> [@Sendable () -> Void] {
        var granted: [@Sendable () -> Void] = []
        var index = 0
        while index < state.uploadWaiters.count {
            let waiter = state.uploadWaiters[index]
            if fits(waiter.bytes, worker: waiter.worker, in: state) {
                grant(waiter.bytes, worker: waiter.worker, in: &state)
                granted.append(waiter.onGranted)
                state.uploadWaiters.remove(at: index)
            } else {
                index += 1
            }
        }
        return granted
    }

    func reserveUnauthenticated(_ bytes: Int) -> Bool {
        state.withLock { state in
            guard state.unauthenticatedBytes + bytes <= limits.unauthenticatedBufferBytes else { return false }
            state.unauthenticatedBytes += bytes
            return true
        }
    }

    func releaseUnauthenticated(_ bytes: Int) {
        state.withLock { $0.unauthenticatedBytes -= bytes }
    }

    func openConnection() -> Bool {
        state.withLock { state in
            guard state.connections < connectionLimit else { return false }
            state.connections += 1
            return true
        }
    }

    func closeConnection() {
        state.withLock { $0.connections -= 1 }
    }

    /// Bytes the unauthenticated streams hold now, and open connections (for tests and metrics).
    var usage: (unauthenticatedBytes: Int, connections: Int) {
        state.withLock { ($0.unauthenticatedBytes, $0.connections) }
    }

    // MARK: - Refusals

    /// Counts and (rate-limited) logs a refusal.
    func refused(_ refusal: RequestRefusal, sender: String) {
        metrics.refused(refusal.reason)
        log.refused(sender: sender, reason: refusal.reason.name, refusal.message)
    }

    // MARK: - Installing into the transport

    /// The transport's per-channel hooks: a connection limiter and an HTTP/2 error counter
    /// on every connection, a ``StreamGate`` in front of every stream.
    var callbacks: HTTP2ServerTransport.Config.ChannelDebuggingCallbacks {
        HTTP2ServerTransport.Config.ChannelDebuggingCallbacks(
            onBindTCPListener: nil,
            onAcceptTCPConnection: { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    try sync.addHandler(ConnectionGate(gate: self), position: .first)
                    let http2 = try sync.handler(type: NIOHTTP2Handler.self)
                    try sync.addHandler(HTTP2ErrorCounter(gate: self), position: .after(http2))
                    if let tls = try? sync.handler(type: NIOSSLServerHandler.self) {
                        try sync.addHandler(TLSFailureLog(gate: self), position: .after(tls))
                    }
                }
            },
            onAcceptHTTP2Stream: { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(StreamGate(gate: self), position: .first)
                }
            })
    }
}

/// The host a channel's peer connects from (the stream's parent connection for a stream).
private func senderHost(_ channel: any Channel) -> String {
    let address = channel.remoteAddress ?? channel.parent?.remoteAddress
    return address?.ipAddress ?? address.map { "\($0)" } ?? "unknown"
}

/// Closes every TCP connection beyond the limit as soon as it is active.
final class ConnectionGate: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    private let gate: RequestGate
    private var isCounted = false

    init(gate: RequestGate) { self.gate = gate }

    func channelActive(context: ChannelHandlerContext) {
        isCounted = gate.openConnection()
        context.fireChannelActive()
        if !isCounted {
            gate.refused(RequestRefusal(.connectionLimit, "more than \(gate.connectionLimit) connections; closed"),
                         sender: senderHost(context.channel))
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if isCounted { gate.closeConnection(); isCounted = false }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(data)
    }
}

/// Logs and counts a failed TLS handshake: the worker only sees its connection closed, so
/// the master says why (a plaintext client, a certificate its CA did not sign).
final class TLSFailureLog: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    private let gate: RequestGate
    private var isReported = false

    init(gate: RequestGate) { self.gate = gate }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if !isReported, error is NIOSSLError || error is BoringSSLError {
            isReported = true
            gate.refused(RequestRefusal(.tlsHandshake, "TLS handshake failed: \(ConnectionFailure.tlsReason("\(error)")) (a worker without TLS, or with a certificate this master's CA did not sign?)"),
                         sender: senderHost(context.channel))
        }
        context.fireErrorCaught(error)
    }
}

/// Counts the refusals SwiftNIO's HTTP/2 layer makes on its own (a stream beyond
/// SETTINGS_MAX_CONCURRENT_STREAMS is reset with REFUSED_STREAM; floods end the connection).
final class HTTP2ErrorCounter: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTP2Frame
    private let gate: RequestGate

    init(gate: RequestGate) { self.gate = gate }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is any NIOHTTP2Error {
            gate.refused(RequestRefusal(.http2, "HTTP/2: \(error)"), sender: senderHost(context.channel))
        }
        context.fireErrorCaught(error)
    }
}

/// Stands in front of one HTTP/2 stream's gRPC handler. Reads the headers and each
/// message's 5-byte prefix (compressed flag, length) as they arrive and refuses — with a
/// trailers-only gRPC status carrying `brsgd-reason`, then a reset — a request that may not
/// be buffered, before the body behind the prefix is passed on. Nothing of a refused
/// stream reaches the gRPC layer after the refusal.
///
/// Two more duties, for memory: an authenticated upload is read only once the gate lets it
/// into the upload budget (until then the gate passes no `read` on, so the stream's HTTP/2
/// window stops the sender; the request deadline starts when it is let in), and a FetchRound
/// reply that is an open round's placeholder leaves as the round's shared encoding
/// (``RoundBroadcast``).
final class StreamGate: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTP2Frame.FramePayload
    typealias InboundOut = HTTP2Frame.FramePayload
    typealias OutboundIn = HTTP2Frame.FramePayload
    typealias OutboundOut = HTTP2Frame.FramePayload

    private enum Phase { case awaitingHeaders, open, complete, refused }

    private let gate: RequestGate
    private var phase = Phase.awaitingHeaders
    private var method = RequestGate.Method.join
    private var sender = "unknown"
    private var worker: Int?
    private var holdsSubmission = false
    private var reserved = 0
    private var deadline: Scheduled<Void>?
    // The message framing: the prefix read so far, the body bytes still to come, messages begun.
    private var prefix: [UInt8] = []
    private var remaining = 0
    private var messages = 0
    // The upload budget: the bytes this stream was let in with, or the ticket it waits on.
    private var uploadGranted = 0
    private var uploadWait: (ticket: UInt64, bytes: Int)?
    /// A `read` held back while the upload waits.
    private var readHeld = false

    init(gate: RequestGate) { self.gate = gate }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch phase {
        case .refused:
            return
        case .complete:
            context.fireChannelRead(data)
        case .awaitingHeaders:
            guard case .headers(let headers) = frame else { return context.fireChannelRead(data) }
            if let refusal = admit(headers.headers, endStream: headers.endStream, context: context) {
                return refuse(refusal, context: context)
            }
            phase = .open
            startDeadline(context: context)
            context.fireChannelRead(data)
        case .open:
            var endStream = false
            switch frame {
            case .data(let payload):
                if case .byteBuffer(let buffer) = payload.data, let refusal = consume(buffer, context: context) {
                    return refuse(refusal, context: context)
                }
                endStream = payload.endStream
            case .headers(let trailers):
                endStream = trailers.endStream
            default:
                break
            }
            if endStream {
                if let refusal = finish() { return refuse(refusal, context: context) }
                phase = .complete
                deadline?.cancel()
            }
            context.fireChannelRead(data)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        release()
        context.fireChannelInactive()
    }

    /// Holds reads back while the upload waits for the budget.
    func read(context: ChannelHandlerContext) {
        if uploadWait != nil { readHeld = true } else { context.read() }
    }

    /// Sends an open round's placeholder reply as the round's shared encoding.
    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard method == .fetchRound, case .data(var payload) = unwrapOutboundIn(data),
              case .byteBuffer(let buffer) = payload.data else { return context.write(data, promise: promise) }
        switch gate.broadcast.substitute(buffer) {
        case .pass:
            context.write(data, promise: promise)
        case .replace(let whole):
            payload.data = .byteBuffer(whole)
            context.write(wrapOutboundOut(.data(payload)), promise: promise)
        case .stale:
            // The round closed while this reply was on its way: the worker asks again.
            promise?.fail(ChannelError.ioOnClosedChannel)
            context.close(promise: nil)
        }
    }

    /// The request must arrive whole within the deadline from now (its headers, or its
    /// upload's admission into the budget).
    private func startDeadline(context: ChannelHandlerContext) {
        deadline?.cancel()
        let seconds = gate.limits.requestDeadline
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(Int64(seconds.seconds * 1e9))) {
            [self] in
            if phase == .open {
                refuse(RequestRefusal(.deadline, "the request did not arrive whole within \(seconds)"), context: context)
            }
        }
    }

    /// Asks the budget to let in this stream's upload of `bytes`; while it waits, no read
    /// is passed on and the deadline does not run.
    private func acquireUpload(_ bytes: Int, worker: Int, context: ChannelHandlerContext) {
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let (ticket, granted) = gate.acquireUpload(worker: worker, bytes: bytes) {
            bound.eventLoop.execute { bound.value.0.uploadLetIn(context: bound.value.1) }
        }
        if granted {
            uploadGranted = bytes
        } else {
            uploadWait = (ticket, bytes)
            deadline?.cancel()
        }
    }

    private func uploadLetIn(context: ChannelHandlerContext) {
        guard let wait = uploadWait else { return }  // released meanwhile: the bytes went back there
        uploadWait = nil
        uploadGranted = wait.bytes
        guard phase == .open else { return }
        startDeadline(context: context)
        if readHeld {
            readHeld = false
            context.read()
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        release()
    }

    /// Decides on the headers; nil admits the stream.
    private func admit(_ headers: HPACKHeaders, endStream: Bool, context: ChannelHandlerContext) -> RequestRefusal? {
        sender = senderHost(context.channel)
        let path = headers.first(name: ":path") ?? ""
        guard let method = gate.method(path: path) else {
            return RequestRefusal(.unknownMethod, "no method \(path.prefix(100)) here")
        }
        self.method = method
        guard let type = headers.first(name: "content-type"), type.hasPrefix("application/grpc") else {
            return RequestRefusal(.notGRPC, "content-type is not application/grpc")
        }
        if let encoding = headers.first(name: "grpc-encoding"), encoding != "identity" {
            return RequestRefusal(.compressed, "grpc-encoding \(encoding.prefix(40)) is not accepted (none is)")
        }
        if endStream {
            return RequestRefusal(.noMessage, "the request ended with its headers, without a message")
        }
        guard method != .join else { return nil }
        let workerText = headers.first(name: RequestGate.workerIDHeader)
        let sessionText = headers.first(name: RequestGate.sessionHeader)
        if workerText != nil || sessionText != nil {
            guard let workerText, let sessionText, let worker = Int(workerText),
                  let session = hexBytes(sessionText), gate.isLive(worker: worker, session: session)
            else {
                return RequestRefusal(.badCredentials, "unauthenticated: the \(RequestGate.sessionHeader) header names no live session of worker \(workerText?.prefix(20) ?? "?"); join first")
            }
            self.worker = worker
            if method == .submitGradient {
                guard gate.acquireSubmission(worker: worker) else {
                    return RequestRefusal(.streamLimit, "worker \(worker) already has \(gate.limits.maxSubmissionsPerSession) uploads in flight")
                }
                holdsSubmission = true
            }
        }
        return nil
    }

    /// Follows the message framing through `buffer`; refuses at the first prefix that may not
    /// be read, and asks the upload budget for an authenticated gradient's message.
    private func consume(_ buffer: ByteBuffer, context: ChannelHandlerContext) -> RequestRefusal? {
        let bytes = buffer.readableBytesView
        var index = bytes.startIndex
        while index < bytes.endIndex {
            if remaining > 0 {
                let step = min(remaining, bytes.endIndex - index)
                remaining -= step
                index += step
                continue
            }
            if prefix.isEmpty && messages >= 1 {
                return RequestRefusal(.tooManyMessages, "a second message on a call that takes one")
            }
            prefix.append(bytes[index])
            index += 1
            guard prefix.count == 5 else { continue }
            let length = prefix[1 ... 4].reduce(0) { $0 << 8 | Int($1) }
            let compressed = prefix[0] != 0
            prefix.removeAll(keepingCapacity: true)
            messages += 1
            if compressed {
                return RequestRefusal(.compressed, "a compressed message (no compression is accepted)")
            }
            let limit = gate.messageLimit(method)
            if length > limit {
                return RequestRefusal(.oversized, "a message of \(length) bytes; the limit of \(method) is \(limit)")
            }
            if let worker {
                if method == .submitGradient { acquireUpload(length, worker: worker, context: context) }
            } else {
                guard gate.reserveUnauthenticated(length) else {
                    return RequestRefusal(.bufferLimit, "a message of \(length) bytes without a session in its headers, while unauthenticated requests already hold the \(gate.limits.unauthenticatedBufferBytes) bytes they may")
                }
                reserved += length
            }
            remaining = length
        }
        return nil
    }

    /// At the end of the stream: exactly one whole message, or a refusal.
    private func finish() -> RequestRefusal? {
        if messages == 0 && prefix.isEmpty { return RequestRefusal(.noMessage, "the request ended without a message") }
        if !prefix.isEmpty {
            return RequestRefusal(.incomplete, "the request ended inside a message's 5-byte prefix")
        }
        if remaining > 0 {
            return RequestRefusal(.incomplete, "the request ended \(remaining) bytes short of the message its prefix declared")
        }
        return nil
    }

    private func refuse(_ refusal: RequestRefusal, context: ChannelHandlerContext) {
        guard phase != .refused else { return }
        phase = .refused
        release()
        gate.refused(refusal, sender: sender)
        var headers = HPACKHeaders()
        headers.add(name: ":status", value: "200")
        headers.add(name: "content-type", value: "application/grpc")
        headers.add(name: "grpc-status", value: "\(refusal.reason.statusCode.rawValue)")
        headers.add(name: "grpc-message", value: percentEncoded(refusal.message))
        headers.add(name: RequestGate.reasonTrailer, value: refusal.reason.name)
        context.writeAndFlush(wrapOutboundOut(.headers(.init(headers: headers, endStream: true))), promise: nil)
        context.close(promise: nil)
    }

    private func release() {
        deadline?.cancel()
        deadline = nil
        if reserved > 0 { gate.releaseUnauthenticated(reserved); reserved = 0 }
        if holdsSubmission, let worker { gate.releaseSubmission(worker: worker); holdsSubmission = false }
        if let worker {
            if let wait = uploadWait { gate.withdrawUpload(ticket: wait.ticket, bytes: wait.bytes, worker: worker) }
            if uploadGranted > 0 { gate.releaseUpload(uploadGranted, worker: worker) }
        }
        uploadWait = nil
        uploadGranted = 0
    }
}

/// The bytes of a hex string (two digits a byte); nil when it is not one.
func hexBytes(_ text: String) -> [UInt8]? {
    let digits = Array(text.utf8)
    guard digits.count % 2 == 0, digits.count <= 256 else { return nil }
    func value(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0") ... UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a") ... UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A") ... UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(digits.count / 2)
    for i in stride(from: 0, to: digits.count, by: 2) {
        guard let high = value(digits[i]), let low = value(digits[i + 1]) else { return nil }
        bytes.append(high << 4 | low)
    }
    return bytes
}

/// Lower-case hex of `bytes` (the form of the `brsgd-session` header).
func hexString(_ bytes: some Sequence<UInt8>) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    for byte in bytes { out.append(digits[Int(byte >> 4)]); out.append(digits[Int(byte & 15)]) }
    return String(decoding: out, as: UTF8.self)
}

/// `grpc-message` encoding: printable ASCII except '%' as is, every other byte as %XX.
func percentEncoded(_ text: String) -> String {
    var out = ""
    for byte in text.utf8 {
        if byte >= 0x20 && byte <= 0x7E && byte != UInt8(ascii: "%") {
            out.unicodeScalars.append(Unicode.Scalar(byte))
        } else {
            out += "%" + hexString([byte]).uppercased()
        }
    }
    return out
}
