import BrSGDCluster
import Foundation
import GRPCCore
import NeuralEngine
import RobustAggregation
import Logging
import NIOCore
import Synchronization
import TestSupport
import Testing
@testable import BrSGDTransportGRPC

/// What keeps the master's memory near its m × d matrix: uploads decoded without copying
/// the gradient, an open round's reply encoded once, and a budget of uploads read at once.
/// Behaviour only, no memory thresholds (`Scripts/measure-master-memory.sh` measures those).
@Suite struct MasterMemoryTests {
    /// Bytes as the transport hands them to a deserializer.
    struct Bytes: GRPCContiguousBytes {
        var bytes: [UInt8]
        init(repeating byte: UInt8, count: Int) { bytes = [UInt8](repeating: byte, count: count) }
        init<S: Sequence>(_ sequence: S) where S.Element == UInt8 { bytes = Array(sequence) }
        var count: Int { bytes.count }
        func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R { try bytes.withUnsafeBytes(body) }
        mutating func withUnsafeMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
            try bytes.withUnsafeMutableBytes(body)
        }
    }

    static func submission(worker: UInt32, round: UInt64, gradient: [Float], loss: Float) -> Brsgd_V1_GradientSubmission {
        var message = Brsgd_V1_GradientSubmission()
        message.workerID = worker
        message.session = Data((0 ..< 16).map { UInt8($0 * 7) })
        message.round = round
        message.gradient = TensorBytes.pack(gradient)
        message.loss = loss
        return message
    }

    // MARK: - Uploads

    @Test(arguments: [(0, 0, [Float]()), (7, 1, [1, -2.5, .greatestFiniteMagnitude]), (4_000_000_000, 1 << 40, [0.125])])
    func anUploadDecodesAsTheGeneratedDecoderDoesAndPointsIntoTheMessage(worker: UInt32, round: UInt64, gradient: [Float]) throws {
        let message = Self.submission(worker: worker, round: round, gradient: gradient, loss: 0.75)
        let bytes: [UInt8] = try message.serializedBytes()
        let upload = try GradientUpload(decoding: Bytes(bytes))
        #expect(upload.workerID == message.workerID && upload.round == message.round && upload.loss == message.loss)
        #expect(upload.session == message.session)
        #expect(upload.withGradientBytes { Data($0) } == message.gradient)
        // The gradient is where it arrived: its range is the tail of the message before the loss.
        let start = upload.gradientRange.lowerBound
        #expect(Array(bytes[start ..< start + upload.gradientByteCount]) == Array(message.gradient))
    }

    @Test func unknownFieldsAreSkippedAndTheLastOccurrenceWins() throws {
        let first = Self.submission(worker: 1, round: 2, gradient: [1], loss: 1)
        let second = Self.submission(worker: 3, round: 4, gradient: [2, 2], loss: 2)
        let unknown: [UInt8] = [0x90, 0x03, 42, 0x99, 0x03] + [UInt8](repeating: 1, count: 8)  // field 50 varint, field 51 fixed64
        let bytes: [UInt8] = try first.serializedBytes() + unknown + second.serializedBytes()
        let upload = try GradientUpload(decoding: Bytes(bytes))
        let generated = try Brsgd_V1_GradientSubmission(serializedBytes: bytes)
        #expect(upload.workerID == generated.workerID && upload.round == generated.round && upload.loss == generated.loss)
        #expect(upload.withGradientBytes { Data($0) } == generated.gradient)
    }

    @Test(arguments: [
        [0x22, 0x08, 1, 2, 3],  // field 4 declares 8 bytes, 3 follow
        [0x08],  // a varint cut short
        [0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01],  // a varint of 11 bytes
        [0x23, 0x24],  // a group (wire type 3)
        [0x20, 0x01],  // field 4 as a varint
        [0x2D, 0, 0],  // a fixed32 cut short
        [0x00, 0x01],  // field number 0
    ] as [[UInt8]])
    func bytesThatAreNotAGradientSubmissionAreRefused(bytes: [UInt8]) {
        #expect(throws: WireFormatError.self) { try GradientUpload(decoding: Bytes(bytes)) }
        #expect(throws: RPCError.self) { try GradientUploadDeserializer().deserialize(Bytes(bytes)) }
    }

    // MARK: - The round's shared reply

    /// Vectors by their length (i/7 for i < n), so that a case reads as two numbers.
    @Test(arguments: [(0, 3), (1, 1), (300, 1000), (1 << 35, 1)])
    func theSharedReplyIsTheGeneratedEncodingFramed(round: Int, parameterCount: Int) throws {
        let parameters = round == 1 ? [-0.0] : (0 ..< parameterCount).map { Float($0 + 1) / 7 }
        var assignment = Brsgd_V1_RoundAssignment()
        assignment.status = .open
        assignment.round = UInt64(round)
        assignment.parameters = TensorBytes.pack(parameters)
        let framed = RoundBroadcast.framedAssignment(round: UInt64(round), parameters: parameters)
        #expect(Array(framed.readableBytesView) == RoundBroadcast.framed(assignment.bytes))
    }

    @Test func anOpenRoundsPlaceholderIsReplacedAndEveryOtherReplyPasses() throws {
        let broadcast = RoundBroadcast()
        func frame(_ assignment: Brsgd_V1_RoundAssignment) -> ByteBuffer { ByteBuffer(bytes: RoundBroadcast.framed(assignment.bytes)) }
        // Nothing published yet: a placeholder cannot be filled in.
        guard case .stale = broadcast.substitute(frame(RoundBroadcast.placeholder(round: 0))) else { Issue.record("not stale"); return }
        for round in [0, 1, 200] {
            broadcast.publish(round: round, parameters: [Float(round), 1])
            guard case .replace(let whole) = broadcast.substitute(frame(RoundBroadcast.placeholder(round: round))) else {
                Issue.record("round \(round)'s placeholder was not replaced")
                continue
            }
            #expect(whole.readableBytesView.elementsEqual(RoundBroadcast.framedAssignment(round: UInt64(round), parameters: [Float(round), 1]).readableBytesView))
        }
        // An earlier round's placeholder, after the next round was published: the stream ends.
        guard case .stale = broadcast.substitute(frame(RoundBroadcast.placeholder(round: 1))) else { Issue.record("not stale"); return }
        var wait = Brsgd_V1_RoundAssignment()
        wait.status = .wait
        var finished = Brsgd_V1_RoundAssignment()
        finished.status = .finished
        for reply in [wait, finished] {
            guard case .pass = broadcast.substitute(frame(reply)) else { Issue.record("\(reply.status) did not pass"); continue }
        }
    }

    // MARK: - The upload budget

    static func gate(budget: Int) -> RequestGate {
        var limits = NetworkMasterLimits()
        limits.maxUploadBytesInFlight = budget
        return RequestGate(limits: limits, workerCount: 8, maxSubmissionBytes: 1 << 20, metrics: MasterMetrics(),
                           log: RefusalLog(interval: .seconds(10), logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })))
    }

    final class LetIn: Sendable {
        let tickets = Mutex<[Int]>([])
        func callback(_ id: Int) -> @Sendable () -> Void { { self.tickets.withLock { $0.append(id) } } }
        var order: [Int] { tickets.withLock { $0 } }
    }

    @Test func uploadsBeyondTheBudgetWaitAndAreLetInAsUploadsFinish() {
        let gate = Self.gate(budget: 100)
        let letIn = LetIn()
        #expect(gate.acquireUpload(worker: 0, bytes: 60, onGranted: letIn.callback(0)).granted)
        let second = gate.acquireUpload(worker: 1, bytes: 60, onGranted: letIn.callback(1))
        let third = gate.acquireUpload(worker: 2, bytes: 30, onGranted: letIn.callback(2))
        #expect(!second.granted && !third.granted)  // the third fits, but waits behind the second
        #expect(gate.uploadUsage == (60, 2))
        gate.releaseUpload(60, worker: 0)
        #expect(letIn.order == [1, 2])
        #expect(gate.uploadUsage == (90, 0))
        gate.releaseUpload(60, worker: 1)
        gate.releaseUpload(30, worker: 2)
        #expect(gate.uploadUsage == (0, 0))
    }

    @Test func oneUploadIsAlwaysLetInAndASessionReadsOneAtATime() {
        let gate = Self.gate(budget: 10)
        let letIn = LetIn()
        #expect(gate.acquireUpload(worker: 0, bytes: 50, onGranted: letIn.callback(0)).granted)  // larger than the budget, alone
        let own = gate.acquireUpload(worker: 0, bytes: 1, onGranted: letIn.callback(1))
        #expect(!own.granted)
        gate.releaseUpload(50, worker: 0)
        #expect(letIn.order == [1])
        // With room to spare, a session's second upload still waits for its first.
        let roomy = Self.gate(budget: 1000)
        #expect(roomy.acquireUpload(worker: 3, bytes: 10, onGranted: letIn.callback(2)).granted)
        #expect(!roomy.acquireUpload(worker: 3, bytes: 10, onGranted: letIn.callback(3)).granted)
        #expect(roomy.acquireUpload(worker: 4, bytes: 10, onGranted: letIn.callback(4)).granted == false)  // behind the waiter
        roomy.releaseUpload(10, worker: 3)
        #expect(letIn.order == [1, 3, 4])
    }

    @Test func aWithdrawnUploadLeavesTheQueueOrGivesItsBytesBack() {
        let gate = Self.gate(budget: 100)
        let letIn = LetIn()
        #expect(gate.acquireUpload(worker: 0, bytes: 80, onGranted: letIn.callback(0)).granted)
        let waiting = gate.acquireUpload(worker: 1, bytes: 80, onGranted: letIn.callback(1))
        gate.withdrawUpload(ticket: waiting.ticket, bytes: 80, worker: 1)  // its stream closed while it waited
        #expect(gate.uploadUsage == (80, 0))
        let next = gate.acquireUpload(worker: 2, bytes: 80, onGranted: letIn.callback(2))
        gate.releaseUpload(80, worker: 0)
        #expect(letIn.order == [2])
        gate.withdrawUpload(ticket: next.ticket, bytes: 80, worker: 2)  // let in, then closed before it learnt so
        #expect(gate.uploadUsage == (0, 0))
    }

    @Test func theDefaultBudgetIsTwoLargeUploadsOrSixtyFourMebibytes() {
        let lenet = NetworkMaster.maxRequestBytes(parameterCount: 61_706)
        let large = NetworkMaster.maxRequestBytes(parameterCount: 10_000_000)
        #expect(NetworkMasterLimits.defaultUploadBytesInFlight(maxSubmissionBytes: lenet) == 64 << 20)
        let budget = NetworkMasterLimits.defaultUploadBytesInFlight(maxSubmissionBytes: large)
        #expect(budget >= 2 * (40_000_000 + 64) && budget < 3 * 40_000_000)
    }

    // MARK: - End to end

    /// Three uploads of 8 MB (twice an HTTP/2 window) against a budget of one byte: each is
    /// read only once the one before it is done, its reads held back meanwhile; every one is
    /// accepted, and the step is the mean of the three, bit for bit. The round's 8 MB reply
    /// (one shared encoding) reaches every worker whole.
    @Test func largeUploadsBeyondTheBudgetWaitUnreadAndAllArrive() async throws {
        let (d, workers) = (2_000_000, 3)
        let initial = (0 ..< d).map { Float($0 % 5) }
        let plan = MasterPlan(initialParameters: initial, rule: Mean(), optimizer: SGD(learningRate: 0.5),
                              workerCount: workers, rounds: 1)
        var options = NetworkMasterOptions()
        options.limits.maxUploadBytesInFlight = 1
        options.limits.requestDeadline = .seconds(600)
        let rows = (0 ..< workers).map { w in (0 ..< d).map { Float(($0 + w) % 7) - 3 } }
        let (replies, result) = try await serving(plan, options: options) { client in
            try await withThrowingTaskGroup(of: (Bool, Bool).self) { group in
                for worker in 0 ..< workers {
                    group.addTask {
                        let session = try await client.join(worker).session
                        let headers: Metadata = [RequestGate.workerIDHeader: .string("\(worker)"),
                                                 RequestGate.sessionHeader: .string(hexString(session))]
                        let assignment = try await client.fetch(worker, session: session, waitMilliseconds: 10_000, metadata: headers)
                        var request = Brsgd_V1_GradientSubmission()
                        request.workerID = UInt32(worker)
                        request.session = session
                        request.round = assignment.round
                        request.gradient = TensorBytes.pack(rows[worker])
                        let reply = try await client.training.submitGradient(request, metadata: headers, options: TestClient.options)
                        let finished = try await client.fetch(worker, session: session, nextRound: 1, metadata: headers)
                        #expect(finished.status == .finished)
                        return (assignment.parameters == TensorBytes.pack(initial), reply.accepted)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
        }
        #expect(replies.count == workers && replies.allSatisfy { $0.0 && $0.1 })
        let run = try #require(result)
        let expected = try expectedStep(initial, rows: rows, learningRate: 0.5)
        #expect(bitwiseDifference(run.result.finalParameters, expected) == nil)
        #expect(run.refusals.values.allSatisfy { $0 == 0 })
    }
}
