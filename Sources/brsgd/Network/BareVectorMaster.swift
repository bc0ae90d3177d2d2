#if Networking  // the networked commands: built only with the Networking trait (see Package.swift)
import BrSGDCluster
import BrSGDRecords
import BrSGDTransportGRPC
import Foundation
import NeuralEngine
import TensorIO

/// A master for any model (`brsgd master --parameters init.npy --rounds T`), checked before
/// the server starts: the vector w₀ read from its file and the experiment of a bare vector
/// of its d parameters (``ModelName/parameters``).
struct BareVectorRun {
    var initialParameters: [Float]
    var checked: Experiment.Checked
    /// The file `--parameters` named (an output may not overwrite it).
    var parametersPath: String

    /// Reads the vector and builds the experiment.
    /// - Throws: ``UsageError`` (one line, exit 64) naming `--parameters` for a file that
    ///   cannot be read, is not a 1-D float array, is empty or holds NaN or ±Inf; naming
    ///   `--rounds` when it is missing; naming the option that does not apply to a bare
    ///   vector, or the option at fault in the experiment.
    static func check(parameters path: String, rounds: Int?, experiment: NetworkExperimentOptions) throws -> BareVectorRun {
        let values = try readInitialParameters(path)
        guard let rounds else {
            throw UsageError("--rounds: --parameters needs the number of rounds to run (for example --rounds 100)")
        }
        let checked = try experiment.checkedBareVector(parameterCount: values.count, rounds: rounds)
        return BareVectorRun(initialParameters: values, checked: checked, parametersPath: path)
    }

    /// w₀ from `path`: a 1-D .npy (float32, or float64 rounded to float32) or a .json array,
    /// not empty, every value finite.
    static func readInitialParameters(_ path: String) throws -> [Float] {
        let values: [Float]
        do {
            values = try TensorFile.readVector(at: URL(fileURLWithPath: path))
        } catch {
            throw UsageError("--parameters \(path): \(error.message)")
        }
        if let index = values.firstIndex(where: { !$0.isFinite }) {
            let count = values.lazy.filter { !$0.isFinite }.count
            throw UsageError("--parameters \(path): element \(index) is \(values[index])"
                             + (count > 1 ? " (and \(count - 1) more are not finite)" : "")
                             + "; the initial parameters must be finite (a float64 beyond ±3.4e38 becomes ±Inf in float32)")
        }
        return values
    }
}

/// Serves a bare vector to its m workers and writes the record (evaluated false), the final
/// vector and the summary.
func runBareVectorMaster(_ run: BareVectorRun, serving: MasterServingOptions, host: String, port: Int,
                         output: String?, saveModel: String?, format: OutputFormat, tls: MutualTLS?,
                         metrics: MasterMetrics = MasterMetrics(), stop: NetworkMasterStop?,
                         onListening: @escaping @Sendable (Int) -> Void) async throws {
    let experiment = run.checked.experiment
    var options = try serving.masterOptions(host: host, port: port, threads: 1, workerCount: experiment.workers)
    options.tls = tls
    let recordFile = try OutputFile.check(output, option: "--output", extensions: ["json"], notOver: [("--parameters", run.parametersPath)])
    let modelFile = try OutputFile.check(saveModel, option: "--save-model", extensions: ["npy", "json"],
                                         notOver: [("--parameters", run.parametersPath), ("--output", output)])
    Terminal.note("serving a vector of \(experiment.dimension) parameters: m = \(experiment.workers), "
                  + "\(experiment.rounds ?? 0) rounds, rule \(experiment.ruleName), no evaluation")
    try await serveAndReport(plan: MasterPlan(bareVector: run.checked, initialParameters: run.initialParameters),
                             recorded: experiment, evaluated: false, options: options, serving: serving, host: host,
                             recordFile: recordFile, modelFile: modelFile, format: format, metrics: metrics, stop: stop,
                             onListening: onListening)
}
#endif
