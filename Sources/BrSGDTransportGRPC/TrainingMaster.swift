import BrSGDCluster
import BrSGDRecords
import Datasets
import Foundation
import GRPCCore
import Logging
import NeuralEngine
import RobustAggregation

/// The networked master: an actor that owns the ``MasterStateMachine`` and drives it exactly
/// as `Simulation.run` does (same initial model, optimizer, rounds per epoch, aggregation
/// order, evaluation), while the gradients arrive over gRPC instead of from threads.
///
/// The gRPC layer (``TrainingService``) only decodes requests and calls `join`, `poll` and
/// `submit` here; every decision (who may join, which round is open, whether a gradient is
/// accepted) is made by the actor or by the state machine, which does no I/O.
actor TrainingMaster {
    let plan: MasterPlan
    let options: NetworkMasterOptions
    let workerCount: Int
    let byzantineCount: Int
    /// The workers not counted as Byzantine, in increasing order: whose losses make the train loss.
    let honestWorkers: [Int]
    let roundsPerEpoch: Int
    let totalRounds: Int
    let configJSON: String
    let logger: Logger
    let metrics: MasterMetrics

    private var machine: MasterStateMachine
    private let evaluator: Evaluator?

    private struct Session {
        var token: Data
        var lastSeen: ContinuousClock.Instant
        /// The session's one FetchRound waiting for a round (a newer one replaces it).
        var pending: PendingFetch?
    }

    /// A FetchRound held until a round opens: `wake` ends its wait early (replaced).
    struct PendingFetch: Sendable {
        var ticket: UInt64
        var wake: OneShotSignal
    }

    private var sessions: [Int: Session] = [:]
    private var nextTicket: UInt64 = 0
    /// The transport's gate, told every session so that it can authenticate on the headers.
    private var gate: RequestGate?
    /// Logs refusals once per sender and reason per interval (nil: every one, to `logger`).
    private var refusalLog: RefusalLog?
    /// The last round each worker submitted to (accepted or not), so it is not served twice.
    private var attempted: [Int]
    private var openRound: Int?
    /// The open round's assignment, encoded once for every worker (see ``RoundBroadcast``).
    let broadcast: RoundBroadcast
    private var roundComplete = OneShotSignal()
    private var roundOpened = OneShotSignal()
    /// Fired when all m workers are ready: joined, data loaded, asking for a round.
    private var everyoneReady = OneShotSignal()
    private var ready: Set<Int> = []
    private var isFinished = false
    /// Workers told that training is over.
    private var released: Set<Int> = []
    private var losses: [Float?]

    /// The run's books, kept exactly as the simulation keeps them.
    private var ledger: RunLedger
    private var elapsedBefore = 0.0
    private(set) var resumedAtRound = 0

    init(plan: MasterPlan, options: NetworkMasterOptions, logger: Logger, metrics: MasterMetrics,
         broadcast: RoundBroadcast = RoundBroadcast()) throws {
        self.plan = plan
        self.broadcast = broadcast
        self.options = options
        self.logger = logger
        self.metrics = metrics
        workerCount = plan.workerCount
        byzantineCount = plan.byzantineWorkers.count
        let byzantine = Set(plan.byzantineWorkers)
        honestWorkers = (0 ..< plan.workerCount).filter { !byzantine.contains($0) }
        roundsPerEpoch = plan.roundsPerEpoch
        totalRounds = plan.totalRounds
        // The workers are told the experiment but not the attack: a Byzantine worker is
        // configured on its own command line, as a real attacker would be. A master of a
        // bare vector tells nothing (an empty config_json).
        configJSON = try plan.experiment.map { String(decoding: try $0.withoutAttack.jsonData(), as: UTF8.self) } ?? ""
        machine = MasterStateMachine(parameters: plan.initialParameters, optimizer: plan.optimizer, rule: plan.rule,
                                     workerCount: plan.workerCount)
        evaluator = plan.evaluator
        attempted = [Int](repeating: -1, count: plan.workerCount)
        losses = [Float?](repeating: nil, count: plan.workerCount)
        ledger = RunLedger(byzantineWorkers: plan.byzantineWorkers, roundsPerEpoch: roundsPerEpoch)
        metrics.setWorkers(expected: workerCount, connected: 0)
    }

    // MARK: - Driving the rounds

    /// Restores the checkpoint at `url` (model, momentum, round, books).
    func restore(from url: URL) throws(CheckpointError) {
        let checkpoint = try MasterCheckpoint.read(from: url)
        guard checkpoint.identity == plan.identity else {
            throw CheckpointError("the checkpoint \(url.path) belongs to another run (\(checkpoint.identity), not \(plan.identity))")
        }
        guard let parameters = TensorBytes.unpack(checkpoint.parameters), parameters.count == machine.parameterCount,
              let velocity = TensorBytes.unpack(checkpoint.velocity),
              velocity.isEmpty || velocity.count == machine.parameterCount,
              (0 ... totalRounds).contains(checkpoint.round), checkpoint.ledger.rounds == checkpoint.round,
              checkpoint.ledger.roundsPerEpoch == roundsPerEpoch
        else { throw CheckpointError("the checkpoint \(url.path) does not fit this model or run") }
        let previousAggregate = checkpoint.previousAggregate.flatMap(TensorBytes.unpack)
        guard previousAggregate == nil || previousAggregate?.count == machine.parameterCount,
              previousAggregate == nil || plan.rule.usesPreviousAggregate
        else { throw CheckpointError("the checkpoint \(url.path) does not hold the state this rule keeps") }
        let optimizer = machine.optimizer
        machine.restore(parameters: parameters,
                        optimizer: SGD(learningRate: optimizer.learningRate, momentum: optimizer.momentum,
                                       weightDecay: optimizer.weightDecay, velocity: velocity),
                        round: checkpoint.round, previousAggregate: previousAggregate)
        ledger = checkpoint.ledger
        elapsedBefore = checkpoint.elapsedSeconds
        resumedAtRound = checkpoint.round
        metrics.setRounds(checkpoint.round)
        logger.notice("resumed from checkpoint", metadata: ["path": "\(url.path)", "round": "\(checkpoint.round)"])
    }

    /// `0-3, 7`: sorted ids, runs of consecutive ids as ranges.
    static func idList(_ ids: Set<Int>) -> String {
        var parts: [String] = []
        var sorted = ids.sorted()[...]
        while let first = sorted.first {
            var last = first
            sorted = sorted.dropFirst()
            while sorted.first == last + 1 { last += 1; sorted = sorted.dropFirst() }
            parts.append(last == first ? "\(first)" : "\(first)-\(last)")
        }
        return parts.joined(separator: ", ")
    }

    /// Waits for the m workers, runs every remaining round, evaluates after each epoch, and
    /// returns what the run measured.
    func train() async throws -> SimulationResult {
        let clock = ContinuousClock()
        let start = clock.now
        logger.info("waiting for workers", metadata: ["expected": "\(workerCount)"])
        let everyone = everyoneReady
        // Wait in slices, saying who has joined after each: a master whose workers do not
        // come says so, rather than staying silent.
        let deadline = options.startTimeout.map { start + $0 }
        while true {
            let slice = deadline.map { min(options.joinReportInterval, $0 - clock.now) } ?? options.joinReportInterval
            guard slice > .zero else {
                throw NetworkMasterError("only \(ready.count) of \(workerCount) workers were ready within \(options.startTimeout ?? .zero)"
                                         + (ready.isEmpty ? "" : " (joined: \(Self.idList(ready)))"))
            }
            if await everyone.wait(timeout: slice) { break }
            try Task.checkCancellation()
            logger.info("waiting for workers", metadata: [
                "joined": "\(ready.count) of \(workerCount)", "ids": "\(ready.isEmpty ? "none" : Self.idList(ready))",
            ])
        }
        try Task.checkCancellation()
        logger.info("all workers ready; training", metadata: [
            "rounds": "\(totalRounds)", "rounds_per_epoch": "\(roundsPerEpoch)", "from_round": "\(machine.round)",
        ])
        var epochStart = clock.now
        // The evaluations during training (`evaluate_every`), as the simulation makes them.
        func evaluateIfDue() {
            guard let evaluator, ledger.isEvaluationDue(every: plan.evaluateEvery, totalRounds: totalRounds) else { return }
            ledger.recordEvaluation(evaluator.evaluate(machine.parameters))
        }
        if machine.round == 0 && ledger.evaluations == nil && totalRounds > 0 { evaluateIfDue() }
        // Stopped (SIGTERM/SIGINT cancel the task): the rounds finished so far are kept.
        func stopIfCancelled() throws {
            guard Task.isCancelled else { return }
            if let url = options.checkpoint {
                writeCheckpoint(to: url, epochSeconds: (clock.now - epochStart).seconds,
                                elapsedSeconds: elapsedBefore + (clock.now - start).seconds, reason: "stopped")
            }
            throw CancellationError()
        }
        while machine.round < totalRounds {
            try stopIfCancelled()
            let roundStart = clock.now
            let round = machine.beginRound()
            openRound = round
            broadcast.publish(round: round, parameters: machine.parameters)
            for w in losses.indices { losses[w] = nil }
            let complete = OneShotSignal()
            roundComplete = complete
            let opened = roundOpened
            roundOpened = OneShotSignal()
            opened.fire()

            let everyoneSubmitted = await complete.wait(timeout: options.roundTimeout)
            // Cut short by a stop: this round is not aggregated; the checkpoint keeps w_t.
            try stopIfCancelled()
            openRound = nil
            // The one policy of every driver: a round that cannot be aggregated is skipped.
            let outcome = machine.finishOrSkipRound()
            if let reason = outcome.skipReason {
                logger.error("round cannot be aggregated; skipped", metadata: ["round": "\(round)", "reason": "\(reason)"])
            }
            if !everyoneSubmitted {
                logger.warning("round closed at its deadline without every gradient", metadata: [
                    "round": "\(round)", "missing": "\(outcome.missingWorkers)",
                ])
            }
            // The train loss over the honest workers, in worker order, as the simulation sums it.
            let roundSeconds = (clock.now - roundStart).seconds
            ledger.record(outcome, honestLosses: honestWorkers.lazy.compactMap { self.losses[$0] },
                          roundSeconds: roundSeconds)
            metrics.roundFinished(seconds: roundSeconds, aggregationSeconds: outcome.aggregationSeconds,
                                  missing: outcome.missingWorkers.count, skipped: outcome.isSkipped)
            logger.debug("round finished", metadata: [
                "round": "\(round)", "seconds": "\(roundSeconds)", "selected": "\(outcome.diagnostics.selectedRows)",
            ])

            let done = machine.round
            if let crash = options.crashAfterRounds, done >= crash { throw SimulatedCrash() }
            evaluateIfDue()
            // A run counted in rounds ends with a shorter epoch, closed after its last round.
            if ledger.isEpochComplete || (done == totalRounds && ledger.openRounds > 0) {
                let evaluation = ledger.evaluationAfterLastRound ?? evaluator?.evaluate(machine.parameters)
                let summary = ledger.closeEpoch(evaluation: evaluation, seconds: (clock.now - epochStart).seconds)
                logger.info("epoch finished", metadata: [
                    "epoch": "\(summary.epoch)", "test_accuracy": "\(summary.testAccuracy)",
                    "test_loss": "\(summary.testLoss)", "train_loss": "\(summary.trainLoss)",
                ])
                epochStart = clock.now
            }
            if let url = options.checkpoint, options.checkpointEvery > 0,
               done % options.checkpointEvery == 0 || done == totalRounds {
                writeCheckpoint(to: url, epochSeconds: (clock.now - epochStart).seconds,
                                elapsedSeconds: elapsedBefore + (clock.now - start).seconds)
            }
        }
        isFinished = true
        roundOpened.fire()
        return SimulationResult(ledger: ledger, finalParameters: machine.parameters,
                                totalSeconds: elapsedBefore + (clock.now - start).seconds)
    }

    /// Writes the checkpoint of the first `machine.round` rounds — between rounds, or during
    /// a round cut short by a stop, before it is aggregated (the model is still w_round).
    /// A failure is logged, not fatal.
    private func writeCheckpoint(to url: URL, epochSeconds: Double, elapsedSeconds: Double, reason: String = "every") {
        let checkpoint = MasterCheckpoint(
            identity: plan.identity, round: machine.round, parameters: TensorBytes.pack(machine.parameters),
            velocity: TensorBytes.pack(machine.optimizer.velocity),
            previousAggregate: machine.previousAggregate.map(TensorBytes.pack), ledger: ledger.carrying(epochSeconds: epochSeconds),
            elapsedSeconds: elapsedSeconds)
        do {
            try checkpoint.write(to: url)
            logger.info("checkpoint written", metadata: ["round": "\(machine.round)", "path": "\(url.path)", "when": "\(reason)"])
        } catch {
            logger.error("checkpoint failed", metadata: ["error": "\(error)"])
        }
    }

    /// The model now (between rounds: w_t of the next round).
    var parameters: [Float] { machine.parameters }

    /// Refusals so far, by reason.
    var rejections: [SubmissionRejection.Code: Int] { machine.rejections }

    /// True when every worker holding a session has been told that training is over.
    var everyWorkerReleased: Bool { sessions.keys.allSatisfy { released.contains($0) } }

    // MARK: - Requests

    /// Connects the transport's gate: from now on every session is also checked there, on
    /// the headers of a request, and refusals are logged through the gate's rate limit.
    func attach(_ gate: RequestGate) {
        self.gate = gate
        refusalLog = gate.log
        for (worker, session) in sessions { gate.setSession(session.token, for: worker) }
    }

    /// Admits worker `worker` when the token matches (the shared one, or worker `worker`'s own
    /// with per-worker tokens) and its id is free (or its previous session lapsed). A worker
    /// presenting its own per-worker token replaces its earlier session at once (it is that
    /// worker, restarted). Throws an `RPCError` naming the reason otherwise (counted).
    func join(worker: Int, token: String, protocolVersion: UInt32, peer: String = "")
        throws(RPCError) -> Brsgd_V1_JoinResponse {
        guard protocolVersion == 1 else {
            reject(.malformed, "worker \(worker) speaks protocol \(protocolVersion), the master 1", peer: peer)
            throw Self.refusal(.failedPrecondition, .malformed, "protocol version \(protocolVersion) is not 1",
                               prefixed: false)
        }
        var ownsID = false
        if let workerTokens = options.workerTokens {
            // Per-worker secrets: the id must be known before its secret can be checked.
            try requireKnown(worker, peer: peer)
            guard let expected = workerTokens[worker],
                  constantTimeEquals(Array(token.utf8), Array(expected.utf8)) else {
                reject(.unauthenticated, "worker \(worker) presented a token that is not worker \(worker)'s", peer: peer)
                throw Self.refusal(.unauthenticated, .unauthenticated, "the token is not worker \(worker)'s")
            }
            ownsID = true
        } else if let expected = options.token, !constantTimeEquals(Array(token.utf8), Array(expected.utf8)) {
            reject(.unauthenticated, "worker \(worker) presented a wrong token", peer: peer)
            throw Self.refusal(.unauthenticated, .unauthenticated, "the token does not match the master's")
        }
        try requireKnown(worker, peer: peer)
        let now = ContinuousClock.now
        if !ownsID, let held = sessions[worker], held.pending != nil || now - held.lastSeen < options.lease {
            reject(.unauthenticated, "worker id \(worker) is already taken by a live session", peer: peer)
            throw Self.refusal(.alreadyExists, .unauthenticated, "worker id \(worker) is taken by a live session")
        }
        var token = Data(count: 16)
        var generator = SystemRandomNumberGenerator()
        for i in token.indices { token[i] = UInt8.random(in: .min ... .max, using: &generator) }
        let earlier = sessions[worker]
        // The earlier session's waiting FetchRound, if any, is answered at once.
        earlier?.pending?.wake.fire()
        sessions[worker] = Session(token: token, lastSeen: now, pending: nil)
        gate?.setSession(token, for: worker)
        metrics.joined(connected: sessions.count)
        logger.info(earlier == nil ? "worker joined" : "worker rejoined", metadata: [
            "worker": "\(worker)", "joined": "\(sessions.count)/\(workerCount)",
            "replaced_live_session": "\(earlier.map { $0.pending != nil || now - $0.lastSeen < options.lease } ?? false)",
        ])
        var response = Brsgd_V1_JoinResponse()
        response.session = token
        response.configJson = configJSON
        response.parameterCount = UInt32(machine.parameterCount)
        response.totalRounds = UInt64(totalRounds)
        return response
    }

    /// Refuses (and counts) a worker id outside 0..<m.
    private func requireKnown(_ worker: Int, peer: String) throws(RPCError) {
        guard worker >= 0 && worker < workerCount else {
            reject(.unknownWorker, "worker id \(worker) is not in 0..<\(workerCount)", peer: peer)
            throw Self.refusal(.invalidArgument, .unknownWorker, "worker id \(worker) is not in 0..<\(workerCount)")
        }
    }

    enum Poll: Sendable {
        /// Answer with ``RoundBroadcast/placeholder(round:)``: the gate sends the parameters.
        case open(round: Int)
        case finished
        /// Wait for `roundOpened` (or `pending.wake`: replaced), then call ``endWait(worker:ticket:)``.
        case wait(roundOpened: OneShotSignal, pending: PendingFetch)
    }

    /// The round for `worker` to compute now (open, not yet submitted to, and not before
    /// `nextRound`), or a signal to wait on for the next one. A session waits in one call at
    /// a time: a second call replaces the first, which is woken and answered `wait`.
    /// `nextRound` beyond the round after the current one is refused (`wrong_round`).
    func poll(worker: Int, session: Data, nextRound: UInt64 = 0, peer: String = "") throws(RPCError) -> Poll {
        try requireKnown(worker, peer: peer)
        try authenticate(worker: worker, session: session, peer: peer)
        // A worker asks for its first round once its data is loaded: round 0 waits for all.
        if ready.insert(worker).inserted && ready.count == workerCount { everyoneReady.fire() }
        if isFinished {
            released.insert(worker)
            return .finished
        }
        let upcoming = UInt64(machine.round)
        guard nextRound <= upcoming + 1 else {
            reject(.wrongRound, "worker \(worker) asked for round \(nextRound); the master is at round \(upcoming)", peer: peer)
            throw Self.refusal(.outOfRange, .wrongRound,
                               "next_round \(nextRound) is beyond round \(upcoming + 1), the latest that can open next")
        }
        if let round = openRound, attempted[worker] != round, UInt64(round) >= nextRound {
            return .open(round: round)
        }
        if let earlier = sessions[worker]?.pending {
            earlier.wake.fire()
            let refusal = RequestRefusal(.superseded, "worker \(worker) asked for a round while its earlier FetchRound still waited; that one is answered wait")
            metrics.refused(refusal.reason)
            logRefusal(refusal.reason.name, refusal.message, peer: peer)
        }
        nextTicket += 1
        let pending = PendingFetch(ticket: nextTicket, wake: OneShotSignal())
        sessions[worker]?.pending = pending
        return .wait(roundOpened: roundOpened, pending: pending)
    }

    /// Ends a wait that `poll` began (a replaced one has nothing left to end).
    func endWait(worker: Int, ticket: UInt64) {
        guard var session = sessions[worker] else { return }
        if session.pending?.ticket == ticket { session.pending = nil }
        session.lastSeen = .now
        sessions[worker] = session
    }

    /// Validates and records a gradient. Every refusal is answered with its reason and counted.
    /// The gradient goes from the upload's message buffer straight into the worker's row of
    /// the matrix (``MasterStateMachine/submit(packed:from:round:)``): one copy, none kept.
    func submit(_ upload: GradientUpload, peer: String = "") -> Brsgd_V1_SubmissionReply {
        let worker = Int(upload.workerID)
        do {
            try requireKnown(worker, peer: peer)
        } catch {
            return Self.reply(SubmissionRejection(.unknownWorker, error.message))  // counted by requireKnown
        }
        do {
            try authenticate(worker: worker, session: upload.session, peer: peer)
        } catch {
            return Self.reply(SubmissionRejection(.unauthenticated, error.message))  // counted by authenticate
        }
        let round = upload.round > UInt64(Int.max) ? Int.max : Int(upload.round)
        // Bytes that are not whole float32 are refused before the round counts as attempted.
        if round == openRound && upload.gradientByteCount % 4 == 0 { attempted[worker] = round }
        let rejection = upload.withGradientBytes { machine.submit(packed: $0, from: worker, round: round) }
        if let rejection {
            // The state machine counted it; the metrics and the log still must.
            metrics.rejected(rejection.code)
            logRefusal(rejection.code.name, "gradient refused: \(rejection.message)", peer: peer,
                       metadata: ["worker": "\(worker)"])
            return Self.reply(rejection)
        }
        losses[worker] = upload.loss
        metrics.accepted()
        if machine.hasAllGradients { roundComplete.fire() }
        var reply = Brsgd_V1_SubmissionReply()
        reply.accepted = true
        return reply
    }

    /// Counts a refusal decided by the gRPC layer (an undecodable message).
    func recordMalformed(_ message: String, peer: String = "") {
        reject(.malformed, message, peer: peer)
    }

    private func authenticate(worker: Int, session: Data, peer: String) throws(RPCError) {
        guard let held = sessions[worker], constantTimeEquals(Array(held.token), Array(session)) else {
            reject(.unauthenticated, "worker \(worker) called without a valid session", peer: peer)
            throw Self.refusal(.unauthenticated, .unauthenticated, "no valid session for worker \(worker); join first")
        }
        sessions[worker]?.lastSeen = .now
    }

    private func reject(_ code: SubmissionRejection.Code, _ message: String, peer: String) {
        machine.recordRejection(code)
        metrics.rejected(code)
        logRefusal(code.name, message, peer: peer)
    }

    private func logRefusal(_ reason: String, _ message: String, peer: String, metadata: Logger.Metadata = [:]) {
        if let refusalLog {
            refusalLog.refused(sender: peerHost(peer), reason: reason, message, metadata: metadata)
        } else {
            logger.warning("refused", metadata: metadata.merging(["reason": "\(reason)", "detail": "\(message)"]) { a, _ in a })
        }
    }

    /// The error a refused call ends with: `status`, the message (after "reason: " unless
    /// `prefixed` is false), the reason in the `brsgd-reason` trailer, and a cause that
    /// tells ``MalformedRequestInterceptor`` the refusal is counted already.
    static func refusal(_ status: RPCError.Code, _ code: SubmissionRejection.Code, _ message: String,
                        prefixed: Bool = true) -> RPCError {
        var trailers = Metadata()
        trailers.addString(code.name, forKey: RequestGate.reasonTrailer)
        return RPCError(code: status, message: prefixed ? "\(code.name): \(message)" : message,
                        metadata: trailers, cause: CountedRefusal(code: code))
    }

    private static func reply(_ rejection: SubmissionRejection) -> Brsgd_V1_SubmissionReply {
        var reply = Brsgd_V1_SubmissionReply()
        reply.accepted = false
        reply.code = rejection.code.name
        reply.message = rejection.message
        return reply
    }
}

/// The cause of an `RPCError` the master threw itself: the refusal is counted, under `code`.
struct CountedRefusal: Error, Sendable {
    var code: SubmissionRejection.Code
}

/// Compares secrets in time independent of where they differ (their lengths may leak).
func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for i in a.indices { difference |= a[i] ^ b[i] }
    return difference == 0
}

extension Duration {
    var seconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) / 1e18
    }
}
