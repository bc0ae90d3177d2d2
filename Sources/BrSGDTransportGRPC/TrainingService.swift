import Foundation
import GRPCCore

/// The gRPC face of ``TrainingMaster``: decodes, forwards, encodes. No decisions here.
struct TrainingService: Brsgd_V1_Training.SimpleServiceProtocol {
    let master: TrainingMaster
    /// The longest a FetchRound call is held before the worker is told to ask again.
    static let maxWait: Duration = .seconds(10)

    func join(request: Brsgd_V1_JoinRequest, context: ServerContext) async throws -> Brsgd_V1_JoinResponse {
        try await master.join(worker: Int(request.workerID), token: request.token,
                              protocolVersion: request.protocolVersion, peer: context.remotePeer)
    }

    func fetchRound(request: Brsgd_V1_RoundRequest, context: ServerContext) async throws -> Brsgd_V1_RoundAssignment {
        let worker = Int(request.workerID)
        let deadline = ContinuousClock.now + min(.milliseconds(Int(request.waitMilliseconds)), Self.maxWait)
        var assignment = Brsgd_V1_RoundAssignment()
        while true {
            switch try await master.poll(worker: worker, session: request.session, nextRound: request.nextRound,
                                         peer: context.remotePeer) {
            case .finished:
                assignment.status = .finished
                return assignment
            case .open(let round, let parameters):
                assignment.status = .open
                assignment.round = UInt64(round)
                assignment.parameters = parameters
                return assignment
            case .wait(let roundOpened, let pending):
                let remaining = deadline - ContinuousClock.now
                if remaining > .zero { await OneShotSignal.first(of: [roundOpened, pending.wake], timeout: remaining) }
                await master.endWait(worker: worker, ticket: pending.ticket)
                try Task.checkCancellation()
                // Replaced by a newer call of the session (or the session by a rejoin), or no
                // round opened in time: ask again.
                if pending.wake.isFired || !roundOpened.isFired {
                    assignment.status = .wait
                    return assignment
                }
            }
        }
    }

    func submitGradient(request: Brsgd_V1_GradientSubmission, context: ServerContext) async throws
        -> Brsgd_V1_SubmissionReply {
        await master.submit(worker: Int(request.workerID), session: request.session, round: request.round,
                            gradient: request.gradient, loss: request.loss, peer: context.remotePeer)
    }
}

/// Counts the requests the gRPC layer refuses after the ``RequestGate`` let them through:
/// a message that does not decode as protobuf (`invalidArgument`), or any other refusal the
/// gRPC runtime makes itself (`resourceExhausted`, `internalError`). Refusals the master made
/// carry a ``CountedRefusal`` cause and pass as they are; other errors (a cancelled call)
/// are not refusals. The caller gets the status with a `malformed:` message and the
/// `brsgd-reason: malformed` trailer. Decided on the error's code and cause, never its text.
struct MalformedRequestInterceptor: ServerInterceptor {
    let master: TrainingMaster

    func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>,
        context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        do {
            let response = try await next(request, context)
            if case .failure(let error) = response.accepted, let counted = await count(error, context) {
                return StreamingServerResponse(error: counted)
            }
            return response
        } catch let error as RPCError {
            throw await count(error, context) ?? error
        }
    }

    static let malformedCodes: Set<RPCError.Code> = [.invalidArgument, .resourceExhausted, .internalError]

    private func count(_ error: RPCError, _ context: ServerContext) async -> RPCError? {
        guard !(error.cause is CountedRefusal), Self.malformedCodes.contains(error.code) else { return nil }
        let message = "\(context.descriptor.method): \(error.message)"
        await master.recordMalformed(message, peer: context.remotePeer)
        return TrainingMaster.refusal(error.code, .malformed, message)
    }
}
