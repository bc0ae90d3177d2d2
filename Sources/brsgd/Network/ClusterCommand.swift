#if Networking  // the networked commands: built only with the Networking trait (see Package.swift)
import ArgumentParser
import BrSGDTransportGRPC
import Foundation
import Synchronization

/// `brsgd cluster`: a master and m worker processes on loopback, in one command.
struct ClusterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster",
        abstract: "Run a networked training on this machine: a master and m worker processes over gRPC on loopback.",
        discussion: """
            Starts the master in this process on --listen (default 127.0.0.1:0, any free port) and \
            m `brsgd worker` processes of this same executable; workers 0..<b run --attack. Each \
            worker gets its own fresh secret (or its line of --worker-tokens; --token-file \
            shares one), so none can join under another's id. The workers are stopped when the command \
            ends, however it ends. With every worker on time the model is byte for byte the \
            one brsgd train saves for the same options.

            Example:
              brsgd cluster --model mlp --workers 4 --byzantine 1 --attack gaussian --rule brsgd --epochs 1 --save-model net.npy
            """)

    @OptionGroup var experiment: NetworkExperimentOptions
    @OptionGroup(title: "Serving") var serving: MasterServingOptions

    @Option(name: .long, help: "host:port the master listens on; its workers connect there (port 0: any free port, printed).")
    var listen = "127.0.0.1:0"

    @Option(name: .long, help: "Write the run record as JSON here.")
    var output: String?

    @Option(name: .long, help: "Write the final model's flat parameters as a 1-D float32 .npy (or .json) here.")
    var saveModel: String?

    @Option(name: .long, help: "The workers' log level.")
    var workerLogLevel = "warning"

    @Option(name: .long, help: "What to print on standard output at the end: table (the epochs and a summary) or json (the run record).")
    var format: OutputFormat = .table

    func validate() throws {
        _ = try parseAddress(listen, option: "--listen")
    }

    func run() async throws {
        try await reportingErrors { try await runCluster() }
    }

    private func runCluster() async throws {
        bootstrapLogging(level: serving.logLevel)
        guard let executable = Bundle.main.executablePath ?? CommandLine.arguments.first else {
            throw CommandError("cannot find this executable to start the workers")
        }
        var serving = self.serving
        let config = try checkedNetworkExperiment(experiment).experiment
        // Without --token-file, every local worker gets its own secret (given by --worker-tokens
        // or made here), in a private directory removed at the end.
        var workerTokenFiles: [Int: String] = [:]
        var tokenDirectory: URL?
        defer { if let tokenDirectory { try? FileManager.default.removeItem(at: tokenDirectory) } }
        if serving.tokenFile == nil {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("brsgd-cluster-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            tokenDirectory = directory
            let tokens: [Int: String]
            if let given = serving.workerTokens {
                tokens = try readWorkerTokens(given, workerCount: config.workers)
            } else {
                var generator = SystemRandomNumberGenerator()
                tokens = Dictionary(uniqueKeysWithValues: (0 ..< config.workers).map { id in
                    (id, (0 ..< 32).map { _ in String(UInt8.random(in: 0 ... 15, using: &generator), radix: 16) }.joined())
                })
                let file = directory.appendingPathComponent("worker-tokens")
                writePrivateFile(file, (0 ..< config.workers).map { "\($0) \(tokens[$0] ?? "")\n" }.joined())
                serving.workerTokens = file.path
            }
            for (id, token) in tokens {
                let file = directory.appendingPathComponent("token-\(id)")
                writePrivateFile(file, token + "\n")
                workerTokenFiles[id] = file.path
            }
        }

        let workers = WorkerProcesses()
        // However the command ends — done, failed, or stopped by SIGTERM/SIGINT (which cancel
        // the master, so that these run) — the workers are stopped and the tokens removed.
        defer { workers.terminateAll() }
        let sharedTokenFile = serving.tokenFile, tokenFiles = workerTokenFiles
        let dataDir = experiment.dataDir
        let workerLogLevel = self.workerLogLevel
        let (host, port) = try parseAddress(listen, option: "--listen")
        let (experiment, fixedServing, output, saveModel, format) = (experiment, serving, output, saveModel, format)
        do {
            let stop = NetworkMasterStop()
            try await cancellingOnStopSignals(onSignal: { stop.request() }) {
                try await runMaster(experiment: experiment, serving: fixedServing, host: host, port: port,
                                    output: output, saveModel: saveModel, format: format, stop: stop, onListening: { port in
                    Terminal.note("brsgd cluster: master on \(host):\(port); starting \(config.workers) workers")
                    for id in 0 ..< config.workers {
                        var arguments = ["worker", "--master", "\(host):\(port)", "--worker-id", "\(id)",
                                         "--log-level", workerLogLevel]
                        if let tokenFile = tokenFiles[id] ?? sharedTokenFile { arguments += ["--token-file", tokenFile] }
                        if let dataDir { arguments += ["--data-dir", dataDir] }
                        if id < config.byzantine, let attack = config.attack { arguments += attack.commandLineArguments }
                        workers.start(executable: executable, arguments: arguments)
                    }
                })
            }
        } catch let stop as StoppedBySignal {
            Terminal.note("brsgd cluster: stopped by \(stop.name); stopping the workers")
            throw stop.exitCode
        }
        workers.waitAll(timeout: 10)
    }
}

/// Writes a secret to a file only its owner can read.
private func writePrivateFile(_ file: URL, _ text: String) {
    _ = FileManager.default.createFile(atPath: file.path, contents: Data(text.utf8),
                                       attributes: [.posixPermissions: 0o600])
}

/// The worker subprocesses of `cluster`, stopped when the command ends.
final class WorkerProcesses: Sendable {
    private let processes = Mutex<[Process]>([])

    func start(executable: String, arguments: [String]) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        do {
            try process.run()
            processes.withLock { $0.append(process) }
        } catch {
            Terminal.note("cannot start a worker (\(executable) \(arguments.joined(separator: " "))): \(error)")
        }
    }

    /// Waits up to `timeout` seconds for the workers to exit by themselves.
    func waitAll(timeout: Double) {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline, processes.withLock({ $0.contains { $0.isRunning } }) {
            Thread.sleep(forTimeInterval: 0.02)
        }
    }

    /// Stops every worker still running: SIGTERM (a worker leaves cleanly), then SIGKILL for
    /// any that has not exited after `grace` seconds.
    func terminateAll(grace: Double = 5) {
        let running = processes.withLock { $0 }.filter(\.isRunning)
        for process in running { process.terminate() }
        let deadline = Date().addingTimeInterval(grace)
        while Date() < deadline, running.contains(where: \.isRunning) { Thread.sleep(forTimeInterval: 0.02) }
        for process in running where process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}
#endif
