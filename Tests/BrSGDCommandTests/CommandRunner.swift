import Foundation

/// Runs the built `brsgd` executable (it sits beside the test bundle in the build folder)
/// and captures what it prints and how it exits.
struct CommandRun {
    var status: Int32
    var stdout: String
    var stderr: String
    /// True when the process ended by a signal (a crash), not by exit().
    var crashed: Bool
}

enum CommandRunner {
    static var executable: URL {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        // On Linux the test runner is .build/<config>/brsgdPackageTests.xctest; on macOS it is
        // inside the .xctest bundle: walk up until a `brsgd` binary appears.
        for _ in 0 ..< 4 {
            let candidate = dir.appendingPathComponent("brsgd")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: ".build/debug/brsgd")
    }

    /// Runs `brsgd` with `arguments`, in `directory` when given, with `environment` added to
    /// this process's (a `nil` value removes the variable).
    static func run(_ arguments: [String], in directory: URL? = nil, environment: [String: String?] = [:]) throws -> CommandRun {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        if !environment.isEmpty {
            var merged = ProcessInfo.processInfo.environment
            for (key, value) in environment { merged[key] = value }
            process.environment = merged
        }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CommandRun(status: process.terminationStatus,
                          stdout: String(decoding: outData, as: UTF8.self),
                          stderr: String(decoding: errData, as: UTF8.self),
                          crashed: process.terminationReason == .uncaughtSignal)
    }

    /// A fresh temporary directory, removed by the caller.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("brsgd-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
