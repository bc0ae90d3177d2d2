import Foundation
import GRPCCore
import GRPCProtobuf

/// The gRPC face of ``TrainingMaster``: decodes, forwards, encodes. No decisions here.
///
/// It registers brsgd.v1's three methods itself rather than through the generated service
/// protocol, for one reason: `SubmitGradient` is decoded by ``GradientUploadDeserializer``,
/// which leaves the gradient in the transport's buffer (the generated decoder copies it into
/// a `Data`), so that the master copies each upload once, into its matrix row.
struct TrainingService: RegistrableRPCService {
    let master: TrainingMaster
    /// The longest a FetchRound call is held before the worker is told to ask again.
    static let maxWait: Duration = .seconds(10)

    func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
        typealias Method = Brsgd_V1_Training.Method
        router.registerUnary(Method.Join.descriptor, ProtobufDeserializer<Brsgd_V1_JoinRequest>(),
                             ProtobufSerializer<Brsgd_V1_JoinResponse>(), join)
        router.registerUnary(Method.FetchRound.descriptor, ProtobufDeserializer<Brsgd_V1_RoundRequest>(),
                             ProtobufSerializer<Brsgd_V1_RoundAssignment>(), fetchRound)
        router.registerUnary(Method.SubmitGradient.descriptor, GradientUploadDeserializer(),
                             ProtobufSerializer<Brsgd_V1_SubmissionReply>(), submitGradient)
    }

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
            case .open(let round):
                return RoundBroadcast.placeholder(round: round)
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

    func submitGradient(request: GradientUpload, context: ServerContext) async throws -> Brsgd_V1_SubmissionReply {
        await master.submit(request, peer: context.remotePeer)
    }
}

extension RPCRouter {
    /// Registers a unary method: one request message in, one response message out.
    mutating func registerUnary<Input: Sendable, Output: Sendable>(
        _ method: MethodDescriptor, _ deserializer: some MessageDeserializer<Input>,
        _ serializer: some MessageSerializer<Output>,
        _ body: @escaping @Sendable (Input, ServerContext) async throws -> Output
    ) {
        registerHandler(forMethod: method, deserializer: deserializer, serializer: serializer) { request, context in
            let single = try await ServerRequest(stream: request)
            return StreamingServerResponse(single: ServerResponse(message: try await body(single.message, context)))
        }
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
