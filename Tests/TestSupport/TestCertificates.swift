import Foundation

/// Certificates made with openssl for one test: a CA, certificates it signs, and a rogue CA
/// with certificates it signs (which the first CA's holders must refuse). Each name gets
/// `<name>.pem` and `<name>.key` in ``directory``.
public struct TestCertificates {
    public let directory: URL

    /// True where `/usr/bin/openssl` exists (tests that need certificates are enabled on it).
    public static let isAvailable = FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl")

    /// Makes `ca` and `rogue-ca`, then each of `signed` (name, signing CA) in a fresh
    /// temporary directory.
    public init(signed: [(name: String, ca: String)]) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("brsgd-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        for ca in ["ca", "rogue-ca"] {
            try openssl(["req", "-x509"] + ec + ["-keyout", "\(ca).key", "-out", "\(ca).pem", "-days", "1", "-subj", "/CN=\(ca)"])
        }
        for (name, ca) in signed {
            try openssl(["req"] + ec + ["-keyout", "\(name).key", "-out", "\(name).csr", "-subj", "/CN=\(name)"])
            try openssl(["x509", "-req", "-in", "\(name).csr", "-CA", "\(ca).pem", "-CAkey", "\(ca).key",
                         "-CAcreateserial", "-out", "\(name).pem", "-days", "1"])
        }
    }

    public func path(_ file: String) -> String { directory.appendingPathComponent(file).path }

    public func remove() { try? FileManager.default.removeItem(at: directory) }

    private func openssl(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CertificateFailure(arguments: arguments) }
    }

    struct CertificateFailure: Error, CustomStringConvertible {
        var arguments: [String]
        var description: String { "openssl \(arguments.joined(separator: " ")) failed" }
    }
}
