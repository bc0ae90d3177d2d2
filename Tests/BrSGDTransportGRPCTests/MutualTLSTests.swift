import Foundation
import GRPCCore
import TestSupport
import Testing
@testable import BrSGDTransportGRPC

let opensslAvailable = TestSupport.TestCertificates.isAvailable

/// A CA, the master's and a worker's certificates signed by it, and a rogue worker
/// certificate signed by another CA (``TestSupport/TestCertificates``).
struct TestCertificates {
    private let made: TestSupport.TestCertificates

    init() throws {
        made = try TestSupport.TestCertificates(signed: [("master", "ca"), ("worker", "ca"), ("rogue", "rogue-ca")])
    }

    func tls(_ name: String, trusting ca: String = "ca") -> MutualTLS {
        MutualTLS(certificate: path("\(name).pem"), privateKey: path("\(name).key"), trustRoots: path("\(ca).pem"))
    }

    func path(_ file: String) -> String { made.path(file) }

    func remove() { made.remove() }
}

@Suite("Mutual TLS", .enabled(if: opensslAvailable))
struct MutualTLSTests {
    @Test func aWorkerWithACertificateOfTheCAJoins() async throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        var options = NetworkMasterOptions()
        options.tls = certificates.tls("master")
        let (session, _) = try await TinyRun(workers: 1, rounds: 1).withMaster(
            options: options, stopMaster: true, clientTLS: certificates.tls("worker")) { client in
            try await client.join(0).session
        }
        #expect(session.count == 16)
    }

    @Test func aWorkerWithAnotherCAsCertificateOrNoneIsRefused() async throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        var options = NetworkMasterOptions()
        options.tls = certificates.tls("master")
        for client in [certificates.tls("rogue"), nil] as [MutualTLS?] {
            let (refusal, _) = try await TinyRun(workers: 1, rounds: 1).withMaster(
                options: options, stopMaster: true, clientTLS: client) { client -> String in
                var request = Brsgd_V1_JoinRequest()
                request.workerID = 0
                request.protocolVersion = 1
                var callOptions = TestClient.options
                callOptions.timeout = .seconds(3)
                callOptions.waitForReady = false
                do {
                    _ = try await client.training.join(request, options: callOptions)
                    return "joined"
                } catch let error as RPCError {
                    return "\(error.code)"
                }
            }
            #expect(refusal != "joined", "client certificate: \(client?.certificate ?? "none")")
        }
    }
}
