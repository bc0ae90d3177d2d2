import ArgumentParser
import BrSGDCluster
import BrSGDExperiments
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

            Examples:
              brsgd master --listen 0.0.0.0:50051 --worker-tokens tokens.txt --model lenet --workers 20 --byzantine 5 --attack gaussian --rule brsgd --output run.json
              (tokens.txt: one line '<id> <token>' per worker; worker i runs with --token-file holding its token)
              brsgd master --listen 127.0.0.1:50051 --workers 4 --checkpoint ck.json --checkpoint-every 10 --resume
            """)

    @OptionGroup var experiment: ExperimentOptions
    @OptionGroup(title: "Serving") var serving: MasterServingOptions
    @OptionGroup(title: "Mutual TLS") var tls: TLSOptions

    @Option(name: .long, help: "host:port to listen on (port 0: any free port, printed).")
    var listen = "127.0.0.1:50051"

    @Option(name: .long, help: "Write the run record as JSON here.")
    var output: String?

    @Option(name: .long, help: "Write the final model's flat parameters as a 1-D float32 .npy (or .json) here.")
    var saveModel: String?

    func validate() throws {
        _ = try parseAddress(listen, option: "--listen")
        try experiment.validateForNetwork()
    }

    func run() async throws {
        bootstrapLogging(level: serving.logLevel)
        let (host, port) = try parseAddress(listen, option: "--listen")
        let (experiment, serving, output, saveModel, tls) = (experiment, serving, output, saveModel, tls.mutualTLS)
        do {
            // SIGTERM/SIGINT: the master writes its checkpoint (with --checkpoint) and stops.
            let stop = NetworkMasterStop()
            try await cancellingOnStopSignals(onSignal: { stop.request() }) {
                try await runMaster(experiment: experiment, serving: serving, host: host, port: port, output: output,
                                    saveModel: saveModel, tls: tls, stop: stop, onListening: { port in
                                        Terminal.note("brsgd master listening on \(host):\(port)")
                                    })
            }
        } catch let stop as StoppedBySignal {
            Terminal.note("brsgd master: stopped by \(stop.name)"
                          + (serving.checkpoint.map { "; checkpoint in \($0) (continue with --resume)" } ?? ""))
            throw stop.exitCode
        }
    }
}

/// Loads the data, serves the run, writes the record and the model. Shared by `master` and `cluster`.
func runMaster(experiment: ExperimentOptions, serving: MasterServingOptions, host: String, port: Int,
               output: String?, saveModel: String?, tls: MutualTLS? = nil, metrics: MasterMetrics = MasterMetrics(),
               stop: NetworkMasterStop? = nil, onListening: @escaping @Sendable (Int) -> Void) async throws {
    let config = try experiment.experimentConfig()
    // The secrets first: a bad --worker-tokens file fails before the data is loaded.
    var options = try serving.masterOptions(host: host, port: port, threads: experiment.threads,
                                            workerCount: config.workers)
    options.tls = tls
    BLAS.setThreadCount(1)
    let runner = ExperimentRunner(locator: experiment.locator, threads: experiment.threads)
    let simulation: SimulationConfiguration
    let data: (train: LabeledDataset, test: LabeledDataset)
    do {
        simulation = try runner.simulation(for: config)
        data = try runner.data(config.dataset)
    } catch let error as ExperimentError {
        throw CommandError(error.message)
    }
    var logger = Logger(label: "brsgd.master")
    logger.logLevel = serving.logLevel
    let started = Date()
    var endpoint: MetricsEndpoint?
    if let metricsPort = serving.metricsPort {
        do {
            endpoint = try await MetricsEndpoint(host: host, port: metricsPort, metrics: metrics)
        } catch {
            throw CommandError("cannot serve metrics on \(host):\(metricsPort): \(error)")
        }
        Terminal.note("metrics at http://\(host):\(endpoint!.port)/metrics")
    }
    let outcome: NetworkRunResult
    do {
        outcome = try await NetworkMaster.run(
            config: config, simulation: simulation, trainingCount: data.train.count, test: data.test,
            options: options, metrics: metrics, logger: logger, stop: stop, onListening: onListening)
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
    let record = ExperimentRunner.record(config, outcome.result, started: started, finished: Date())
    if let output {
        try record.write(to: URL(fileURLWithPath: output))
    }
    if let saveModel {
        do {
            try TensorFile.writeVector(outcome.result.finalParameters, to: URL(fileURLWithPath: saveModel))
        } catch {
            throw CommandError("cannot write --save-model: \(error)")
        }
    }
    let refused = (outcome.rejections.filter { $0.value > 0 }.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        + outcome.refusals.filter { $0.value > 0 }.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" })
        .joined(separator: ", ")
    Terminal.note(String(format: "final test accuracy %.2f%% after %d rounds in %@; aggregation %.2f ms per round (median); refused: %@",
                         record.finalTestAccuracy * 100, outcome.result.rounds, clock(record.totalSeconds),
                         record.aggregationTiming.median, refused.isEmpty ? "none" : refused)
                  + (output.map { " → \($0)" } ?? ""))
}
