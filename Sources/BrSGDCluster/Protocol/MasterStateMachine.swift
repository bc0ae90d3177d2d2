import Foundation
import NeuralEngine
import RobustAggregation

/// The master's side of Algorithm 1 as a plain state machine: it holds the model, the
/// optimizer and one preallocated m × d gradient matrix, accepts gradients into their rows,
/// and when the round closes aggregates them with the robust rule and steps the model.
///
/// It performs no I/O and starts no threads. The in-process simulation and the networked
/// master both drive it (`beginRound` → gradients → `finishRound`), which is why the two
/// modes produce the same model bytes for the same seed.
///
/// ```swift
/// var master = MasterStateMachine(parameters: w0, optimizer: SGD(learningRate: 0.03),
///                                 rule: BrSGD(), workerCount: 20)
/// let round = master.beginRound()
/// _ = master.submit(gradient, from: 7, round: round)       // validated, copied into row 7
/// let outcome = try master.finishRound()                     // aggregate, then w ← w − ηg
/// ```
public struct MasterStateMachine: Sendable {
    public let workerCount: Int
    public let parameterCount: Int
    public let rule: any AggregationRule
    /// The model, w_t.
    public private(set) var parameters: [Float]
    public private(set) var optimizer: SGD
    /// Rounds finished so far; the current (or next) round's index.
    public private(set) var round: Int
    /// True between `beginRound` and `finishRound`.
    public private(set) var isCollecting = false
    /// The last round's aggregate, kept for a rule with history
    /// (``AggregationRule/usesPreviousAggregate``; nil for every other rule, and before the
    /// first round). It is part of the run's state: a checkpoint carries it.
    public private(set) var previousAggregate: [Float]?
    /// Refused submissions so far, by reason.
    public private(set) var rejections: [SubmissionRejection.Code: Int] = [:]

    private var gradients: GradientMatrix
    private var hasSubmitted: [Bool]

    /// - Precondition: `workerCount >= 1`, `parameters` not empty.
    public init(parameters: [Float], optimizer: SGD, rule: any AggregationRule, workerCount: Int, round: Int = 0,
                previousAggregate: [Float]? = nil) {
        self.previousAggregate = previousAggregate
        precondition(workerCount >= 1, "a master needs at least one worker")
        precondition(!parameters.isEmpty, "the model has no parameters")
        self.workerCount = workerCount
        self.parameterCount = parameters.count
        self.rule = rule
        self.parameters = parameters
        self.optimizer = optimizer
        self.round = round
        self.gradients = GradientMatrix(rowCount: workerCount, columnCount: parameters.count)
        self.hasSubmitted = [Bool](repeating: false, count: workerCount)
    }

    /// Opens round `round` for submissions and returns its index (broadcast w_t with it).
    /// - Precondition: not already collecting.
    public mutating func beginRound() -> Int {
        precondition(!isCollecting, "beginRound called twice without finishRound")
        isCollecting = true
        for i in hasSubmitted.indices { hasSubmitted[i] = false }
        return round
    }

    /// Validates a worker's gradient and copies it into the worker's row.
    /// - Returns: nil when accepted, else why it was refused (also counted in `rejections`).
    /// - Complexity: O(d).
    public mutating func submit(_ gradient: UnsafeBufferPointer<Float>, from worker: Int,
                                round submittedRound: Int) -> SubmissionRejection? {
        if let rejection = check(from: worker, round: submittedRound, count: gradient.count)
            ?? finiteCheck(gradient, worker: worker) {
            rejections[rejection.code, default: 0] += 1
            return rejection
        }
        gradients.withUnsafeMutableRow(worker) { row in
            guard let target = row.baseAddress, let source = gradient.baseAddress else { return }
            target.update(from: source, count: row.count)
        }
        hasSubmitted[worker] = true
        return nil
    }

    /// Validates a gradient that arrives as packed little-endian float32 (the wire form of
    /// brsgd.v1, 4 bytes a value, at any alignment) and writes it straight into the worker's
    /// row: the one copy from the message into the matrix, no intermediate array. The checks
    /// and the result are those of ``submit(_:from:round:)`` for the same values, bit for
    /// bit; a refused gradient (a length not a multiple of 4 is `malformed`) leaves the
    /// matrix untouched.
    /// - Returns: nil when accepted, else why it was refused (also counted in `rejections`).
    /// - Complexity: O(d): one pass to check finiteness, one to copy.
    public mutating func submit(packed bytes: UnsafeRawBufferPointer, from worker: Int,
                                round submittedRound: Int) -> SubmissionRejection? {
        let malformed = bytes.count % 4 == 0 ? nil : SubmissionRejection(
            .malformed, "worker \(worker)'s gradient has \(bytes.count) bytes, not a multiple of 4")
        if let rejection = malformed ?? check(from: worker, round: submittedRound, count: bytes.count / 4)
            ?? finiteCheck(packed: bytes, worker: worker) {
            rejections[rejection.code, default: 0] += 1
            return rejection
        }
        gradients.withUnsafeMutableRow(worker) { row in
            #if _endian(little)
            UnsafeMutableRawBufferPointer(row).copyMemory(from: bytes)
            #else
            for i in row.indices {
                row[i] = Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
            }
            #endif
        }
        hasSubmitted[worker] = true
        return nil
    }

    /// Counts a refusal decided outside the machine (a garbage message, a failed handshake).
    public mutating func recordRejection(_ code: SubmissionRejection.Code) {
        rejections[code, default: 0] += 1
    }

    /// Lets the caller write the rows of `workers` in place (the simulation's workers
    /// compute straight into the matrix; no copy). `body` gets the row-major storage; it
    /// may read every row and must write only those of `workers`, which count as
    /// submitted afterwards, finite or not (the rule rejects non-finite rows).
    /// - Precondition: collecting; every worker index valid.
    public mutating func writeRows<R>(of workers: [Int], _ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        precondition(isCollecting, "writeRows outside a round")
        precondition(workers.allSatisfy { $0 >= 0 && $0 < workerCount }, "worker index out of range")
        let result = try gradients.withUnsafeMutableStorage(body)
        for w in workers { hasSubmitted[w] = true }
        return result
    }

    /// A read-only view of the gradient matrix (the honest rows, for omniscient attacks in
    /// simulation). Holding the copy while writing rows would copy the matrix: drop it first.
    public var gradientMatrix: GradientMatrix { gradients }

    /// Workers whose gradient has not arrived this round.
    public var missingWorkers: [Int] { hasSubmitted.indices.filter { !hasSubmitted[$0] } }

    /// True when every worker has submitted.
    public var hasAllGradients: Bool { !hasSubmitted.contains(false) }

    /// Closes the round: rows of missing workers become NaN (so every rule rejects them),
    /// the rule aggregates, and the optimizer steps w ← w − η·g.
    /// - Throws: the rule's error (for example when too few gradients arrived); the round
    ///   then stays open and the model unchanged.
    /// - Precondition: collecting.
    public mutating func finishRound() throws(AggregationError) -> RoundOutcome {
        precondition(isCollecting, "finishRound outside a round")
        let missing = missingWorkers
        for w in missing {
            gradients.withUnsafeMutableRow(w) { $0.update(repeating: .nan) }
        }
        let start = DispatchTime.now().uptimeNanoseconds
        let result = try rule.aggregate(gradients, round: round, previousAggregate: previousAggregate)
        if rule.usesPreviousAggregate { previousAggregate = result.gradient }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        parameters.withUnsafeMutableBufferPointer { w in
            result.gradient.withUnsafeBufferPointer { g in optimizer.step(parameters: w, gradient: g) }
        }
        let outcome = RoundOutcome(round: round, diagnostics: result.diagnostics, missingWorkers: missing,
                                   aggregationSeconds: seconds, skipReason: nil)
        round += 1
        isCollecting = false
        return outcome
    }

    /// Closes the round without moving the model, every row counted as rejected.
    /// - Precondition: collecting.
    public mutating func skipRound(because reason: AggregationError) -> RoundOutcome {
        precondition(isCollecting, "skipRound outside a round")
        let outcome = RoundOutcome(
            round: round,
            diagnostics: AggregationDiagnostics(rule: rule.name, rejectedRows: Array(0 ..< workerCount), acceptedRows: [],
                                                selectedRows: []),
            missingWorkers: missingWorkers, aggregationSeconds: 0, skipReason: reason)
        round += 1
        isCollecting = false
        return outcome
    }

    /// Closes the round under the one policy every driver follows: aggregate and step if the
    /// rule can; a round that cannot be aggregated — no finite gradient at all (a diverged
    /// model), or fewer accepted rows than the rule needs (Krum after rejections) — is
    /// *skipped*: the model stays as it is, the round counts, and the outcome's
    /// ``RoundOutcome/skipReason`` says why. (A rule parameter out of range cannot reach
    /// here: experiments are validated, and the rule tried on m rows, before any round.)
    /// - Precondition: collecting.
    public mutating func finishOrSkipRound() -> RoundOutcome {
        do {
            return try finishRound()
        } catch {
            return skipRound(because: error)
        }
    }

    /// Restores a checkpoint's model, optimizer and round (between rounds only).
    public mutating func restore(parameters: [Float], optimizer: SGD, round: Int, previousAggregate: [Float]? = nil) {
        precondition(!isCollecting && parameters.count == parameterCount)
        precondition(previousAggregate == nil || previousAggregate?.count == parameterCount)
        self.parameters = parameters
        self.optimizer = optimizer
        self.round = round
        self.previousAggregate = previousAggregate
    }

    private func check(from worker: Int, round submittedRound: Int, count: Int) -> SubmissionRejection? {
        guard isCollecting else {
            return SubmissionRejection(.notCollecting, "no round is open (round \(round) has not begun)")
        }
        guard submittedRound == round else {
            return SubmissionRejection(.wrongRound, "gradient for round \(submittedRound), but the current round is \(round)")
        }
        guard worker >= 0 && worker < workerCount else {
            return SubmissionRejection(.unknownWorker, "worker \(worker) is not in 0..<\(workerCount)")
        }
        guard !hasSubmitted[worker] else {
            return SubmissionRejection(.duplicate, "worker \(worker) already submitted for round \(round)")
        }
        guard count == parameterCount else {
            return SubmissionRejection(.wrongLength, "gradient has \(count) values, the model has \(parameterCount)")
        }
        return nil
    }

    private func finiteCheck(_ gradient: UnsafeBufferPointer<Float>, worker: Int) -> SubmissionRejection? {
        guard let index = gradient.firstIndex(where: { !$0.isFinite }) else { return nil }
        return Self.nonFinite(gradient[index], at: index, worker: worker)
    }

    /// The packed form's check: a float32 is NaN or ±Inf exactly when its 8 exponent bits are all ones.
    /// - Complexity: O(d), unaligned 4-byte loads.
    private func finiteCheck(packed bytes: UnsafeRawBufferPointer, worker: Int) -> SubmissionRejection? {
        let exponent: UInt32 = 0x7F80_0000
        for index in 0 ..< bytes.count / 4 {
            let bits = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4 * index, as: UInt32.self))
            if bits & exponent == exponent { return Self.nonFinite(Float(bitPattern: bits), at: index, worker: worker) }
        }
        return nil
    }

    private static func nonFinite(_ value: Float, at index: Int, worker: Int) -> SubmissionRejection {
        SubmissionRejection(.nonFinite, "worker \(worker)'s gradient holds \(value) at index \(index)")
    }
}
