import BrSGDCluster
import Foundation
import GRPCCore
import Testing
@testable import BrSGDTransportGRPC

@Suite("Who may join")
struct AuthenticationTests {
    static let token = "correct-horse-battery-staple"

    /// The code a join is refused with; nil when it is admitted.
    static func refusal(_ client: TestClient, _ worker: Int, _ token: String) async -> RPCError.Code? {
        do {
            _ = try await client.join(worker, token: token)
            return nil
        } catch let error as RPCError {
            return error.code
        } catch {
            return nil
        }
    }

    @Test func wrongOrMissingTokenUnknownIdAndTakenIdAreRefused() async throws {
        let run = TinyRun(workers: 2, rounds: 1)
        var options = NetworkMasterOptions()
        options.token = Self.token
        let (codes, _) = try await run.withMaster(options: options, stopMaster: true) { client in
            var codes: [String: RPCError.Code] = [:]
            codes["no token"] = await Self.refusal(client, 0, "")
            codes["wrong token"] = await Self.refusal(client, 0, "correct-horse-battery-stapler")
            codes["unknown id"] = await Self.refusal(client, 2, Self.token)
            let first = try await client.join(0, token: Self.token)
            #expect(first.session.count == 16)
            codes["taken id"] = await Self.refusal(client, 0, Self.token)
            // A call with a made-up session is refused too.
            do {
                _ = try await client.fetch(1, session: first.session)
            } catch let error as RPCError {
                codes["foreign session"] = error.code
            }
            return codes
        }
        #expect(codes["no token"] == .unauthenticated)
        #expect(codes["wrong token"] == .unauthenticated)
        #expect(codes["unknown id"] == .invalidArgument)
        #expect(codes["taken id"] == .alreadyExists)
        #expect(codes["foreign session"] == .unauthenticated)
    }

    /// With one secret per worker, a worker's own secret admits it under its own id only.
    @Test func aWorkersOwnTokenDoesNotAdmitItUnderAnotherId() async throws {
        let run = TinyRun(workers: 2, rounds: 1)
        var options = NetworkMasterOptions()
        options.workerTokens = [0: "secret-of-worker-zero", 1: "secret-of-worker-one"]
        options.token = Self.token  // ignored: the per-worker secrets take precedence
        let (codes, _) = try await run.withMaster(options: options, stopMaster: true) { client in
            var codes: [String: RPCError.Code] = [:]
            codes["another worker's token"] = await Self.refusal(client, 0, "secret-of-worker-one")
            codes["the shared token"] = await Self.refusal(client, 1, Self.token)
            codes["unknown id"] = await Self.refusal(client, 2, "secret-of-worker-one")
            let own = try await client.join(1, token: "secret-of-worker-one")
            #expect(own.session.count == 16)
            // Its own token again (a restarted worker 1): the live session is replaced at once.
            let again = try await client.join(1, token: "secret-of-worker-one")
            #expect(again.session != own.session)
            do {
                _ = try await client.fetch(1, session: own.session, waitMilliseconds: 10)
            } catch let error as RPCError {
                codes["replaced session"] = error.code
            }
            codes["new session"] = try await client.fetch(1, session: again.session, waitMilliseconds: 10).status == .wait
                ? nil : .unknown
            return codes
        }
        #expect(codes["another worker's token"] == .unauthenticated)
        #expect(codes["the shared token"] == .unauthenticated)
        #expect(codes["unknown id"] == .invalidArgument)
        #expect(codes["replaced session"] == .unauthenticated)
        #expect(codes["new session"] == nil)
    }

    @Test func aLapsedSessionsIdCanBeTakenByARestartedWorker() async throws {
        let run = TinyRun(workers: 2, rounds: 1)
        var options = NetworkMasterOptions()
        options.sessionLease = .milliseconds(200)
        let (rejoined, _) = try await run.withMaster(options: options, stopMaster: true) { client in
            _ = try await client.join(0)
            try await Task.sleep(for: .milliseconds(400))
            return try await client.join(0).session.count
        }
        #expect(rejoined == 16)
    }
}
