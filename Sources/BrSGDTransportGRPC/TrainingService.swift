import Foundation
import GRPCCore

/// The gRPC face of ``TrainingMaster``: decodes, forwards, encodes. No decisions here.
struct TrainingService: Brsgd_V1_Training.SimpleServiceProtocol {
    let master: TrainingMaster
    /// The longest a FetchRound call is held before the worker is told to ask again.
    static let maxWait: Duration = .seconds(10)

    func join(request: Brsgd_V1_JoinRequest, context: ServerContext) async throws -> Brsgd_V1_JoinResponse {
        try await master.join(worker: Int(request.workerID), token: request.token,
                              protocolVersion: request.protocolVersion)
    }

    func fetchRound(request: Brsgd_V1_RoundRequest, context: ServerContext) async throws -> Brsgd_V1_RoundAssignment {
        let worker = Int(request.workerID)
        let deadline = ContinuousClock.now + min(.milliseconds(Int(request.waitMilliseconds)), Self.maxWait)
        var assignment = Brsgd_V1_RoundAssignment()
        while true {
            switch try await master.poll(worker: worker, session: request.session, nextRound: request.nextRound) {
            case .finished:
                assignment.status = .finished
                return assignment
            case .open(let round, let parameters):
                assignment.status = .open
                assignment.round = UInt64(round)
                assignment.parameters = parameters
                return assignment
            case .wait(let signal):
                let remaining = deadline - ContinuousClock.now
                let opened = remaining > .zero ? await signal.wait(timeout: remaining) : false
                await master.endWait(worker: worker)
                try Task.checkCancellation()
                if !opened {
                    assignment.status = .wait
                    return assignment
                }
            }
        }
    }

    func submitGradient(request: Brsgd_V1_GradientSubmission, context: ServerContext) async throws
        -> Brsgd_V1_SubmissionReply {
        await master.submit(worker: Int(request.workerID), session: request.session, round: request.round,
                            gradient: request.gradient, loss: request.loss)
    }
}

/// Counts the requests the gRPC layer refuses before the service sees them: a message that
/// does not decode (`invalidArgument`) or exceeds the payload limit (`resourceExhausted`, or
/// the transport's `internalError` "Failed to decode message" when its deframer refuses
/// the frame). The caller gets the status with a `malformed:` reason — except for an
/// oversized message, whose stream the transport resets, so the caller sees `unavailable`.
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

    private func count(_ error: RPCError, _ context: ServerContext) async -> RPCError? {
        let undecodable = error.code == .invalidArgument || error.code == .resourceExhausted
            || (error.code == .internalError && error.message.contains("decode"))
        guard undecodable, !error.message.hasPrefix("unknown_worker") else { return nil }
        let message = "malformed: \(context.descriptor.method): \(error.message)"
        await master.recordMalformed(message)
        return RPCError(code: error.code, message: message)
    }
}
