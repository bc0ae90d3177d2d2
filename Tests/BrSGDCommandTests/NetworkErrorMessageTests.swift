#if Networking
import Foundation
import Testing
import TensorIO
import TestSupport

/// What a networked command says when the network goes wrong, with real processes: the
/// cause in words, at once, on the side that can act on it.
@Suite struct NetworkErrorMessageTests {
    static let hasOpenSSL = TestCertificates.isAvailable

    /// A TCP port nothing listens on (bound, then closed), or one held by `hold`.
    final class Port {
        let number: Int
        private var descriptor: Int32 = -1

        init(listening: Bool) throws {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0, !listening || listen(fd, 4) == 0 else { close(fd); throw CommandTestFailure("no free port") }
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            }
            number = Int(UInt16(bigEndian: address.sin_port))
            if listening { descriptor = fd } else { close(fd) }
        }

        deinit { if descriptor >= 0 { close(descriptor) } }
    }

    /// A 10-parameter vector for `master --parameters`.
    static func vector(in directory: URL) throws -> String {
        let path = directory.appendingPathComponent("init.npy")
        try TensorFile.writeVector([Float](repeating: 0, count: 10), to: path)
        return path.path
    }

    @Test func aWorkerAtAPortWhereNothingListensSaysConnectionRefusedAtOnce() throws {
        let port = try Port(listening: false)
        let run = try CommandRunner.run(["worker", "--master", "127.0.0.1:\(port.number)", "--worker-id", "0", "--give-up-after", "2"])
        #expect(run.status == 1 && !run.crashed, "\(run.stderr)")
        let lines = run.stderr.split(separator: "\n")
        #expect(lines.first?.contains("cannot reach the master at 127.0.0.1:\(port.number): connection refused: nothing listens there") == true,
                "\(run.stderr)")
        #expect(lines.last?.contains("the master has been unreachable for 2.0 seconds: connection refused") == true, "\(run.stderr)")
    }

    @Test func aSecondMasterOnAPortInUseSaysAddressAlreadyInUse() throws {
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let port = try Port(listening: true)
        let run = try CommandRunner.run(["master", "--parameters", try Self.vector(in: directory), "--rounds", "2", "--workers", "1",
                                         "--listen", "127.0.0.1:\(port.number)"])
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.stderr.contains("error: cannot listen on 127.0.0.1:\(port.number): address already in use"), "\(run.stderr)")
        #expect(!run.stderr.contains("serverIsStopped"))
        withExtendedLifetime(port) {}
    }

    @Test func aMasterWaitingForWorkersSaysWhoHasJoined() throws {
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try CommandRunner.run(["master", "--parameters", try Self.vector(in: directory), "--rounds", "2", "--workers", "2",
                                         "--listen", "127.0.0.1:0", "--start-timeout", "6"])
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.stderr.contains("ids=none joined=0 of 2") && run.stderr.contains("waiting for workers"), "\(run.stderr)")
        #expect(run.stderr.contains("only 0 of 2 workers were ready within 6"), "\(run.stderr)")
    }

    /// A plaintext worker, and a worker whose certificate another CA signed, against a TLS
    /// master: each worker names the cause, and the master logs the failed handshake.
    @Test(.enabled(if: hasOpenSSL, "needs openssl to make certificates"))
    func aTLSHandshakeFailureIsSaidOnBothSides() throws {
        let certificates = try TestCertificates(signed: [("master", "ca"), ("rogue", "rogue-ca")])
        defer { certificates.remove() }
        let directory = certificates.directory
        func file(_ name: String) -> String { certificates.path(name) }
        let port = try Port(listening: false).number
        let master = BackgroundProcess(["master", "--parameters", try Self.vector(in: directory), "--rounds", "2", "--workers", "1",
                                        "--listen", "127.0.0.1:\(port)", "--tls-cert", file("master.pem"), "--tls-key", file("master.key"),
                                        "--tls-ca", file("ca.pem")])
        try master.waitUntil { master.stderr.contains("listening on") }
        let plaintext = try CommandRunner.run(["worker", "--master", "127.0.0.1:\(port)", "--worker-id", "0", "--give-up-after", "2"])
        #expect(plaintext.status == 1)
        #expect(plaintext.stderr.contains("the master closed the connection before HTTP/2 began: it may use TLS (give --tls-cert, --tls-key and --tls-ca)"),
                "\(plaintext.stderr)")
        let rogue = try CommandRunner.run(["worker", "--master", "127.0.0.1:\(port)", "--worker-id", "0", "--give-up-after", "2",
                                           "--tls-cert", file("rogue.pem"), "--tls-key", file("rogue.key"), "--tls-ca", file("ca.pem")])
        #expect(rogue.status == 1)
        #expect(rogue.stderr.contains("TLS handshake failed: TLSV1_ALERT_UNKNOWN_CA"), "\(rogue.stderr)")
        let stopped = master.stop(SIGTERM)
        #expect(stopped.stderr.contains("TLS handshake failed: WRONG_VERSION_NUMBER") && stopped.stderr.contains("reason=tls_handshake"),
                "\(stopped.stderr)")
    }
}
#endif
