import Foundation
import GRPCCore
import Testing
@testable import BrSGDTransportGRPC

let opensslAvailable = FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl")

/// Certificates made with openssl for one test: a CA, the master's and a worker's
/// certificates signed by it, and a rogue worker certificate signed by another CA.
struct TestCertificates {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("brsgd-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        for ca in ["ca", "rogue-ca"] {
            try openssl(["req", "-x509"] + ec + ["-keyout", "\(ca).key", "-out", "\(ca).pem", "-days", "1", "-subj", "/CN=\(ca)"])
        }
        for (name, ca) in [("master", "ca"), ("worker", "ca"), ("rogue", "rogue-ca")] {
            try openssl(["req"] + ec + ["-keyout", "\(name).key", "-out", "\(name).csr", "-subj", "/CN=\(name)"])
            try openssl(["x509", "-req", "-in", "\(name).csr", "-CA", "\(ca).pem", "-CAkey", "\(ca).key",
                         "-CAcreateserial", "-out", "\(name).pem", "-days", "1"])
        }
    }

    func tls(_ name: String, trusting ca: String = "ca") -> MutualTLS {
        MutualTLS(certificate: path("\(name).pem"), privateKey: path("\(name).key"), trustRoots: path("\(ca).pem"))
    }

    func path(_ file: String) -> String { directory.appendingPathComponent(file).path }

    func remove() { try? FileManager.default.removeItem(at: directory) }

    private func openssl(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TestFailure("openssl \(arguments.joined(separator: " ")) failed") }
    }
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
