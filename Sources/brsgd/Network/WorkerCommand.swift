import ArgumentParser
import BrSGDCluster
import BrSGDTransportGRPC
import BrSGDRecords
import ByzantineAttacks
import Datasets
import Foundation
import Logging
import NeuralEngine

/// `brsgd worker`: one worker of a networked run.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Join a brsgd master, then compute and upload a gradient every round until training ends.",
        discussion: """
            The master sends the experiment when the worker joins: the worker loads the dataset \
            itself and computes its own partition and batches from the seed, so the batch of \
            round t is the one the simulation gives worker --worker-id. With --attack the \
            worker is Byzantine and sends what the attack crafts instead (attacks that need the \
            other workers' gradients cannot run over the network). When the master restarts, \
            the worker reconnects and joins again by itself.

            Examples:
              brsgd worker --master 10.0.0.1:50051 --worker-id 7 --token-file token
              brsgd worker --master 10.0.0.1:50051 --worker-id 0 --token-file token --attack gaussian --sigma 200
            """)

    @Option(name: .long, help: "The master's host:port.")
    var master = "127.0.0.1:50051"

    @Option(name: .long, parsing: .unconditional, help: "This worker's index, 0..<m (workers 0..<b are the experiment's Byzantine ones).")
    var workerId: Int

    @Option(name: .long, help: "A file holding the shared secret (its first line).")
    var tokenFile: String?

    @OptionGroup(title: "Attack (a Byzantine worker)") var attackOptions: AttackOptions

    @Option(name: .long, help: ArgumentHelp(
        "Where the dataset's IDX files are.",
        discussion: "Searched in order: this directory, $\(DatasetLocator.environmentVariable), /usr/share/datasets/<dataset>, ~/.cache/brsgd/<dataset>."))
    var dataDir: String?

    @OptionGroup(title: "Mutual TLS") var tls: TLSOptions

    @Option(name: .long, help: "Give up when the master has been unreachable for this many seconds.")
    var giveUpAfter = 120.0

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    func validate() throws {
        _ = try parseAddress(master, option: "--master")
        guard workerId >= 0 else { throw ValidationError("--worker-id must be ≥ 0") }
        guard giveUpAfter > 0 && giveUpAfter.isFinite else { throw ValidationError("--give-up-after must be > 0") }
    }

    func run() async throws {
        try await reportingErrors { try await work() }
    }

    private func work() async throws {
        let attack = try attackOptions.apply(to: nil)
        if let attack {
            if attack.kind.isOmniscient {
                throw UsageError("--attack: \(attack.kind) needs every honest gradient of the round (omniscient): a networked worker never sees them")
            }
            do { _ = try attack.makeAttack() } catch { throw UsageError("\(error.parameter?.option ?? "--attack"): \(error.message)") }
        }
        bootstrapLogging(level: logLevel)
        BLAS.setThreadCount(1)
        let (host, port) = try parseAddress(master, option: "--master")
        var options = NetworkWorkerOptions(host: host, port: port, workerID: workerId)
        options.token = try tokenFile.map(readToken)
        options.tls = tls.mutualTLS
        options.recovery.giveUpAfter = .milliseconds(Int(giveUpAfter * 1000))
        var logger = Logger(label: "brsgd.worker")
        logger.logLevel = logLevel
        let locator = DatasetLocator(dataDirectory: dataDir)
        let fixed = options, logger_ = logger, worker = workerId
        do {
            // SIGTERM/SIGINT: the worker stops computing, closes its connection and exits.
            let summary = try await cancellingOnStopSignals {
                let source = EngineGradientSource(worker: worker, attack: attack) { name in
                    try LabeledDataset.load(name, split: .train, from: locator)
                }
                return try await NetworkWorker.run(fixed, source: source, logger: logger_)
            }
            if logLevel <= .info {
                let refused = summary.refusals.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
                Terminal.note("worker \(workerId): \(summary.submitted) gradients uploaded, refused: \(refused.isEmpty ? "none" : refused.joined(separator: ", "))")
            }
        } catch let error as WorkerFailure {
            throw CommandError("worker \(workerId): \(error.message)")
        } catch let error as DatasetError {
            throw CommandError("worker \(workerId): \(error.message)")
        } catch let stop as StoppedBySignal {
            if logLevel <= .info { Terminal.note("worker \(workerId): stopped by \(stop.name)") }
            throw stop.exitCode
        }
    }
}
