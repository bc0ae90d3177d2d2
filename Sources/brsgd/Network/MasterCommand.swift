#if Networking  // the networked commands: built only with the Networking trait (see Package.swift)
import ArgumentParser
import BrSGDCluster
import BrSGDExperiments
import BrSGDRecords
import ByzantineAttacks
import BrSGDTransportGRPC
import Datasets
import Foundation
import Logging
import NeuralEngine
import TensorIO

/// `brsgd master`: the master of a networked run, over gRPC.
struct MasterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "master",
        abstract: "Serve a training run to m networked workers over gRPC and write the same run record as train.",
        discussion: """
            Listens on --listen, waits until the m workers (brsgd worker) have joined, then runs \
            the rounds: each round it sends the model, waits for every gradient or \
            --round-timeout, aggregates what arrived with --rule, and steps. The test set is \
            evaluated after each epoch. Every training option means what it means for brsgd \
            train; with every worker on time the model is byte for byte the one brsgd train \
            saves. The Byzantine workers (0..<b) are configured on their own command lines.

            Any model: with --parameters init.npy the master holds a flat float32 vector of \
            any length d and no model or dataset; workers of any framework (the Python package \
            in python/, or your own client of Protos/brsgd/v1/training.proto) compute the \
            gradients. Each of the --rounds rounds it sends w, collects m gradients and steps \
            w ← w − η·rule(G) (with --momentum, heavy ball). It evaluates nothing: the record \
            says evaluated false. --byzantine b only counts how often the rule selects workers \
            0..<b; --assumed-byzantine gives f to the rules that need it. The options of a \
            built-in model (--model, --dataset, --epochs, --batch-size, --attack, …) are refused.

            Examples:
              brsgd master --listen 0.0.0.0:50051 --worker-tokens tokens.txt --model lenet --workers 20 --byzantine 5 --attack gaussian --rule brsgd --output run.json
              (tokens.txt: one line '<id> <token>' per worker; worker i runs with --token-file holding its token)
              brsgd master --listen 127.0.0.1:50051 --workers 4 --checkpoint ck.json --checkpoint-every 10 --resume
              brsgd master --parameters init.npy --workers 8 --rule krum --assumed-byzantine 2 --lr 0.05 --rounds 300 --save-model w.npy
            """)

    @Option(name: .long, help: ArgumentHelp(
        "Serve any model: its initial parameters as a flat vector (.npy, 1-D float32 or float64, or .json); the workers define the model.",
        discussion: "Needs --rounds (T, the rounds to run). No dataset is read and nothing is evaluated."))
    var parameters: String?

    @OptionGroup var experiment: NetworkExperimentOptions
    @OptionGroup(title: "Serving") var serving: MasterServingOptions
    @OptionGroup(title: "Mutual TLS") var tls: TLSOptions

    @Option(name: .long, help: "host:port to listen on (port 0: any free port, printed).")
    var listen = "127.0.0.1:50051"

    @Option(name: .long, help: "Write the run record as JSON here.")
    var output: String?

    @Option(name: .long, help: "Write the final model's flat parameters as a 1-D float32 .npy (or .json) here.")
    var saveModel: String?

    @Option(name: .long, help: "What to print on standard output at the end: table (the epochs and a summary) or json (the run record).")
    var format: OutputFormat = .table

    func validate() throws {
        _ = try parseAddress(listen, option: "--listen")
    }

    func run() async throws {
        bootstrapLogging(level: serving.logLevel)
        let (host, port) = try parseAddress(listen, option: "--listen")
        let (experiment, serving, output, saveModel, format, tls) = (experiment, serving, output, saveModel, format, tls.mutualTLS)
        let (parameters, rounds) = (parameters, experiment.rounds)
        do {
            // SIGTERM/SIGINT: the master writes its checkpoint (with --checkpoint) and stops.
            let stop = NetworkMasterStop()
            try await reportingErrors {
                let onListening: @Sendable (Int) -> Void = { port in Terminal.note("brsgd master listening on \(host):\(port)") }
                if let parameters {
                    // Everything checked before the server starts: the vector, the options, the outputs.
                    let bare = try BareVectorRun.check(parameters: parameters, rounds: rounds, experiment: experiment)
                    try await cancellingOnStopSignals(onSignal: { stop.request() }) {
                        try await runBareVectorMaster(bare, serving: serving, host: host, port: port, output: output,
                                                      saveModel: saveModel, format: format, tls: tls, stop: stop,
                                                      onListening: onListening)
                    }
                } else {
                    try await cancellingOnStopSignals(onSignal: { stop.request() }) {
                        try await runMaster(experiment: experiment, serving: serving, host: host, port: port, output: output,
                                            saveModel: saveModel, format: format, tls: tls, stop: stop, onListening: onListening)
                    }
                }
            }
        } catch let stop as StoppedBySignal {
            Terminal.note("brsgd master: stopped by \(stop.name)"
                          + (serving.checkpoint.map { "; checkpoint in \($0) (continue with --resume)" } ?? ""))
            throw stop.exitCode
        }
    }
}

/// The experiment of a networked run, validated, with the check every networked command
/// adds: no omniscient attack (a networked worker never sees the other gradients).
func checkedNetworkExperiment(_ options: NetworkExperimentOptions) throws -> Experiment.Checked {
    let checked = try options.checkedExperiment()
    if let attack = checked.attack, attack.isOmniscient {
        let possible = AttackKind.allCases.filter { !$0.isOmniscient }.map(\.rawValue).joined(separator: ", ")
        throw UsageError("--attack: \(checked.experiment.attackName) needs every honest gradient of the round (omniscient), which a networked worker never sees; use brsgd train, or one of \(possible)")
    }
    return checked
}

/// Loads the data, serves the run, writes the record and the model. Shared by `master` and `cluster`.
func runMaster(experiment: NetworkExperimentOptions, serving: MasterServingOptions, host: String, port: Int,
               output: String?, saveModel: String?, format: OutputFormat = .table, tls: MutualTLS? = nil,
               metrics: MasterMetrics = MasterMetrics(), stop: NetworkMasterStop? = nil,
               onListening: @escaping @Sendable (Int) -> Void) async throws {
    // Everything checked before any data is loaded: the experiment, the secrets, the outputs.
    let checked = try checkedNetworkExperiment(experiment)
    var options = try serving.masterOptions(host: host, port: port, threads: checked.experiment.threads,
                                            workerCount: checked.experiment.workers)
    options.tls = tls
    let recordFile = try OutputFile.check(output, option: "--output", extensions: ["json"])
    let modelFile = try OutputFile.check(saveModel, option: "--save-model", extensions: ["npy", "json"],
                                       notOver: [("--output", output)])
    let data: LoadedData
    do {
        data = try LoadedData.load(checked.experiment.dataset, from: experiment.locator)
        try data.check(workers: checked.experiment.workers)
    } catch let error as ExperimentError {
        throw UsageError(error)
    } catch {
        throw CommandError("\(error)")
    }
    var recorded = checked.experiment
    recorded.dataDirectory = data.directory
    let plan = MasterPlan(checked, trainingCount: data.train.count, test: data.test,
                          evaluationThreads: options.evaluationThreads)
    try await serveAndReport(plan: plan, recorded: recorded, evaluated: true, options: options, serving: serving, host: host,
                             recordFile: recordFile, modelFile: modelFile, format: format, metrics: metrics, stop: stop,
                             onListening: onListening)
}

/// Serves `plan`, then writes the record of `recorded` (with `evaluated`), the model, and
/// the summary. Shared by the master of a built-in model and of a bare vector.
func serveAndReport(plan: MasterPlan, recorded: Experiment, evaluated: Bool, options: NetworkMasterOptions,
                    serving: MasterServingOptions, host: String, recordFile: OutputFile?, modelFile: OutputFile?,
                    format: OutputFormat, metrics: MasterMetrics, stop: NetworkMasterStop?,
                    onListening: @escaping @Sendable (Int) -> Void) async throws {
    var logger = Logger(label: "brsgd.master")
    logger.logLevel = serving.logLevel
    let started = Date()
    var endpoint: MetricsEndpoint?
    if let metricsPort = serving.metricsPort {
        do {
            endpoint = try await MetricsEndpoint(host: host, port: metricsPort, metrics: metrics)
        } catch {
            throw CommandError("--metrics-port \(metricsPort): cannot serve metrics on \(host): \(error)")
        }
        Terminal.note("metrics at http://\(host):\(endpoint!.port)/metrics")
    }
    let outcome: NetworkRunResult
    do {
        outcome = try await NetworkMaster.run(
            plan: plan, options: options, metrics: metrics, logger: logger, stop: stop, onListening: onListening)
    } catch let error as CheckpointError {
        await endpoint?.close()
        throw CommandError(error.message)
    } catch let error as NetworkMasterError {
        await endpoint?.close()
        throw CommandError(error.message)
    } catch {
        await endpoint?.close()
        throw error
    }
    await endpoint?.close()
    let record = outcome.result.ledger.runRecord(for: recorded, totalSeconds: outcome.result.totalSeconds,
                                                 started: started, finished: Date(), evaluated: evaluated)
    var written: [OutputFile] = [], failed = false
    if let recordFile { if recordFile.write(try record.jsonData()) { written.append(recordFile) } else { failed = true } }
    if let modelFile {
        if modelFile.writeVector(outcome.result.finalParameters) { written.append(modelFile) } else { failed = true }
    }
    try printResults(record, format: format, outputs: written)
    let refused = (outcome.rejections.filter { $0.value > 0 }.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        + outcome.refusals.filter { $0.value > 0 }.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" })
        .joined(separator: ", ")
    Terminal.note("refused: \(refused.isEmpty ? "none" : refused)")
    if failed { throw OutputsFailed() }
}
#endif
