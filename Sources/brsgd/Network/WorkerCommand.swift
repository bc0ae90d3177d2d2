#if Networking  // the networked commands: built only with the Networking trait (see Package.swift)
import ArgumentParser
import BrSGDCluster
import BrSGDTransportGRPC
import BrSGDRecords
import ByzantineAttacks
import Datasets
import Foundation
import Logging
import NeuralEngine
import TensorIO

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

            With worker momentum (the master's --worker-momentum) the worker keeps state: its \
            momenta of the last --momentum-history rounds, so that a master resumed from its \
            checkpoint, which replays the rounds since, gets the same bytes again (give at least \
            the master's --checkpoint-every + 1). With --checkpoint the worker saves them \
            every round, once the round's vector is computed and before it is uploaded, and a \
            restarted worker resumes from the file.

            Examples:
              brsgd worker --master 10.0.0.1:50051 --worker-id 7 --token-file token
              brsgd worker --master 10.0.0.1:50051 --worker-id 0 --token-file token --attack gaussian --sigma 200
              brsgd worker --master 10.0.0.1:50051 --worker-id 7 --token-file token --checkpoint w7.json
            """)

    @Option(name: .long, help: "The master's host:port.")
    var master = "127.0.0.1:50051"

    @Option(name: .long, parsing: .unconditional, help: "This worker's index, 0..<m (workers 0..<b are the experiment's Byzantine ones).")
    var workerId: Int

    @Option(name: .long, help: "A file holding the shared secret (its first line).")
    var tokenFile: String?

    @OptionGroup(title: "Attack (a Byzantine worker)") var attackOptions: AttackOptions<AttacksOfOneWorker>

    @Option(name: .long, help: DataDirectoryHelp.help)
    var dataDir: String?

    @Option(name: .long, help: ArgumentHelp(
        "Save this worker's momentum to this JSON file every round, and resume from it when it exists.",
        discussion: "Written atomically once each round's vector is computed, before it is uploaded; it belongs to one worker of one run, and is refused for any other. Without worker momentum the worker has no state and writes nothing."))
    var checkpoint: String?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp(
        "How many rounds of momentum the worker keeps, at least 2.",
        discussion: "A master resumed from its checkpoint replays up to --checkpoint-every rounds: keep at least that + 1, or the worker stops (momentum_lost) rather than send other bytes."))
    var momentumHistory = EngineGradientSource.defaultMomentumHistory

    @OptionGroup(title: "Mutual TLS") var tls: TLSOptions

    @Option(name: .long, help: "Give up when the master has been unreachable for this many seconds.")
    var giveUpAfter = 120.0

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    func validate() throws {
        _ = try parseAddress(master, option: "--master")
        guard workerId >= 0 else { throw ValidationError("--worker-id must be ≥ 0") }
        guard giveUpAfter > 0 && giveUpAfter.isFinite else { throw ValidationError("--give-up-after must be > 0") }
        guard (2 ... 100_000).contains(momentumHistory) else {
            throw ValidationError("--momentum-history: is \(momentumHistory); it must lie in 2...100000")
        }
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
        let (host, port) = try parseAddress(master, option: "--master")
        var options = NetworkWorkerOptions(host: host, port: port, workerID: workerId)
        options.token = try tokenFile.map(readToken)
        options.tls = tls.mutualTLS
        options.recovery.giveUpAfter = .milliseconds(Int(giveUpAfter * 1000))
        var logger = Logger(label: "brsgd.worker")
        logger.logLevel = logLevel
        let locator = DatasetLocator(dataDirectory: dataDir)
        let checkpointFile = checkpoint.map { URL(fileURLWithPath: $0) }
        if let checkpointFile {
            do { try AtomicFile.checkWritable(checkpointFile) } catch {
                throw UsageError("--checkpoint \(checkpointFile.path): \(error.message)")
            }
        }
        let fixed = options, logger_ = logger, worker = workerId, history = momentumHistory
        do {
            // SIGTERM/SIGINT: the worker stops computing, closes its connection and exits.
            let summary = try await cancellingOnStopSignals {
                let source = EngineGradientSource(worker: worker, attack: attack, momentumHistory: history,
                                                  checkpoint: checkpointFile) { name in
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
#endif
