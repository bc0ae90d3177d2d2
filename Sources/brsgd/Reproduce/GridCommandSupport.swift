import ArgumentParser
import BrSGDCluster
import BrSGDRecords
import ByzantineAttacks
import Datasets
import Foundation
import NeuralEngine
import RobustAggregation
import TensorIO

/// The comma-separated lists the grid commands (`reproduce table1`, `reproduce robustness`)
/// take, each checked against its known names with the option in the message.
enum GridList {
    static func items(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    static func rules(_ text: String, option: String) throws -> [RuleName] {
        try parse(text, option: option, what: "rule", RuleName.self)
    }

    /// Rules with their stages, as ``RuleConfiguration/init(pipeline:)`` reads them:
    /// `median`, `collapse+brsgd-robust`, `clipping=2+nnm+trimmed-mean`.
    static func pipelines(_ text: String, option: String) throws -> [RuleConfiguration] {
        let names = items(text)
        guard !names.isEmpty else { throw UsageError("\(option): name at least one rule") }
        return try names.map { name in
            do throws(AggregationError) {
                return try RuleConfiguration(pipeline: name)
            } catch {
                throw UsageError("\(option): \(error.message)")
            }
        }
    }

    static func attacks(_ text: String, option: String) throws -> [AttackKind] {
        try parse(text, option: option, what: "attack", AttackKind.self)
    }

    /// Byzantine fractions α in (0, 1].
    static func fractions(_ text: String, option: String) throws -> [Double] {
        let values = items(text).map { Double($0) }
        guard !values.isEmpty, values.allSatisfy({ $0.map { $0 > 0 && $0 <= 1 } ?? false }) else {
            throw UsageError("\(option): must be numbers in (0, 1], got '\(text)'")
        }
        return values.compactMap { $0 }
    }

    /// Numbers of Byzantine workers, each ≥ 1 (`1,2,3,4`).
    static func counts(_ text: String, option: String) throws -> [Int] {
        let values = items(text).map { Int($0) }
        guard !values.isEmpty, values.allSatisfy({ ($0 ?? 0) >= 1 }) else {
            throw UsageError("\(option): must be whole numbers ≥ 1, got '\(text)'")
        }
        return values.compactMap { $0 }
    }

    /// Heterogeneities: `iid`, a Dirichlet α > 0 (`1.0`, `0.1`, or `dirichlet-0.1`), or a
    /// gamma similarity γ in [0, 1] (`gamma-0.33`).
    static func heterogeneities(_ text: String, option: String) throws -> [PartitionScheme] {
        let names = items(text)
        guard !names.isEmpty else {
            throw UsageError("\(option): name at least one (iid, a Dirichlet α such as 0.1, or a gamma similarity such as gamma-0.33)")
        }
        return try names.map { name in
            let lowered = name.lowercased()
            if lowered == "iid" { return .iid }
            if lowered.hasPrefix("gamma") {
                return .gammaSimilarity(gamma: try gamma(String(lowered.dropFirst("gamma".count)), given: name, option: option))
            }
            let number = lowered.hasPrefix("dirichlet-") ? String(name.dropFirst("dirichlet-".count)) : name
            guard let alpha = Double(number), alpha > 0, alpha.isFinite else {
                throw UsageError("\(option): '\(name)' is neither iid, a Dirichlet α > 0 nor a gamma similarity such as gamma-0.33")
            }
            return .dirichlet(alpha: alpha)
        }
    }

    /// Gamma similarities γ in [0, 1] (`1,0.66,0.33,0`).
    static func gammas(_ text: String, option: String) throws -> [Double] {
        let names = items(text)
        guard !names.isEmpty else { throw UsageError("\(option): name at least one γ in [0, 1] (for example 1,0.33,0)") }
        return try names.map { try gamma($0, given: $0, option: option) }
    }

    /// γ from the text after `gamma` in `gamma-0.33` (or a bare number): a number in [0, 1].
    private static func gamma(_ text: String, given name: String, option: String) throws -> Double {
        let number = text.hasPrefix("-") ? String(text.dropFirst()) : text
        guard let gamma = Double(number), gamma >= 0, gamma <= 1 else {
            throw UsageError("\(option): '\(name)': γ must be a number in [0, 1] (gamma-0.33 in --heterogeneity)")
        }
        return gamma
    }

    private static func parse<T: RawRepresentable & CaseIterable>(_ text: String, option: String, what: String, _: T.Type) throws -> [T]
    where T.RawValue == String {
        let names = items(text)
        guard !names.isEmpty else { throw UsageError("\(option): name at least one \(what)") }
        return try names.map { name in
            guard let value = T(rawValue: name) else {
                throw UsageError("\(option): unknown \(what) '\(name)'; known: \(T.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return value
        }
    }
}

/// The options of every grid command: where the data is, runs at once, and a dry run.
struct GridRunOptions: ParsableArguments {
    @Option(name: .long, help: DataDirectoryHelp.help)
    var dataDir: String?

    @Option(name: .long, help: "Runs at once, one thread each; the default is one per core.")
    var jobs = ProcessInfo.processInfo.activeProcessorCount

    @Flag(name: .long, help: "List the runs the grid would make, and stop.")
    var dryRun = false

    @Flag(name: .long, help: ArgumentHelp(
        "Delete the runs of another experiment found in --output-dir, then run this grid.",
        discussion: "Without it, a folder holding runs over another base (other epochs, batch size, test subset, …) is refused before any work, so that no table mixes two experiments."))
    var replace = false

    @Flag(name: .long, help: ArgumentHelp(
        "Run nothing: write the reports of the runs already in --output-dir.",
        discussion: "For a grid stopped early (or still to finish elsewhere): its tables, CSV, JSON and figures over the runs that are done, each cell saying how many seeds it has; cells without runs are left out."))
    var reportOnly = false

    /// With --dry-run, prints every run's id and their count, and returns true (the command stops).
    func listedOnly(_ configs: [Experiment]) -> Bool {
        guard dryRun else { return false }
        for config in configs { print(config.id) }
        Terminal.note("\(configs.count) runs")
        return true
    }

    /// Checks that a grid's base stands on its own (sizes, η, …) as a clean run of the mean, so
    /// that its errors name the option before any cell is built or run.
    static func validate(base: Experiment) throws {
        var base = base
        base.byzantine = 0
        base.attack = nil
        base.rule = RuleConfiguration(name: .mean)
        _ = try base.validated()
    }
}

/// Runs a grid's experiments into `<output-dir>/runs`, with one line of progress per run
/// (its cell, accuracy, time, and the time elapsed and left), and writes `grid.json`.
///
/// The folder holds one experiment, and one grid works in it at a time: the run takes
/// `<output-dir>/.lock` and refuses records over another base before any work (unless
/// `replace`, which deletes them). Ctrl-C says what was saved and how to go on.
struct GridExecution {
    var outputDirectory: String
    var jobs: Int
    var dataDirectory: String?
    var replace = false
    /// Run nothing: the reports cover the grid's runs already in `runs/`.
    var reportOnly = false
    /// A run's cell in progress lines, e.g. `brsgd α=25% alie seed 1`.
    var describe: (Experiment) -> String

    struct Result {
        var outcome: GridRunner.Outcome
        /// This grid's records: the runs made now and the ones found done.
        var records: [RunRecord]
        var root: URL
        /// Held until the reports are written.
        var lock: DirectoryLock
    }

    func run(_ grid: some ExperimentGrid, title: String) throws -> Result {
        let root = URL(fileURLWithPath: outputDirectory)
        let runs = root.appendingPathComponent("runs")
        let all = grid.configurations
        let configs = reportOnly
            ? all.filter { FileManager.default.fileExists(atPath: runs.appendingPathComponent($0.id + ".json").path) }
            : all
        do {
            try FileManager.default.createDirectory(at: runs, withIntermediateDirectories: true)
        } catch {
            throw UsageError("--output-dir \(outputDirectory): cannot create it: \(describeDirectoryCreationError(error, creating: outputDirectory))")
        }
        let lock: DirectoryLock
        do {
            lock = try DirectoryLock(directory: root)
        } catch let held as DirectoryLock.Held {
            throw UsageError("--output-dir \(outputDirectory): another grid is running into it\(held.holder.map { " (process \($0))" } ?? ""); "
                             + "wait for it to end, or choose another --output-dir")
        }
        try checkOneExperiment(in: GridFolder(runs: runs), grid: grid)
        let threadsPerJob = max(1, ProcessInfo.processInfo.activeProcessorCount / jobs)
        if reportOnly {
            Terminal.note("\(title): --report-only: the reports of the \(configs.count) of \(all.count) runs already in \(runs.path); nothing is run")
        } else {
            Terminal.note("\(title): \(configs.count) runs, \(jobs) at a time → \(outputDirectory)")
        }
        let runner = GridRunner(directory: runs, jobs: jobs, threadsPerJob: threadsPerJob,
                                locator: DatasetLocator(dataDirectory: dataDirectory))
        let started = Date()
        var made = 0
        let outcome: GridRunner.Outcome
        let interruption = InterruptionNote(runs: runs, ids: configs.map(\.id))
        defer { interruption.cancel() }
        do {
            outcome = try runner.run(configs) { event in
                let cell = describe(event.config)
                let elapsed = Date().timeIntervalSince(started)
                switch event.kind {
                case .resumed:
                    return
                case .finished:
                    made += 1
                    let r = event.record
                    Terminal.note(String(format: "[%d/%d] %@: %.2f%% (%@)  elapsed %@, left ≈ %@", event.done, event.total, cell,
                                         (r?.finalTestAccuracy ?? 0) * 100, clock(r?.totalSeconds ?? 0), clock(elapsed),
                                         clock(elapsed / Double(made) * Double(event.total - event.done))))
                case .failed(let message):
                    made += 1
                    Terminal.note("[\(event.done)/\(event.total)] \(cell): not run: \(message)")
                }
            }
        } catch let error as DatasetError {
            throw CommandError(error.message)
        }
        if outcome.resumed > 0 { Terminal.note("\(outcome.resumed) runs were already in \(runs.path) and were not run again") }
        return Result(outcome: outcome, records: outcome.records, root: root, lock: lock)
    }

    /// Refuses (or, with `replace`, deletes) records in `folder` over another base than
    /// `grid`'s, naming what differs.
    private func checkOneExperiment(in folder: GridFolder, grid: some ExperimentGrid) throws {
        let foreign = try folder.foreignRuns(of: grid)
        guard !foreign.fileNames.isEmpty else { return }
        let what = foreign.differences.prefix(6).map { "\($0.field) \($0.there) there, \($0.here) asked for" }.joined(separator: "; ")
        let count = Terminal.counting(foreign.fileNames.count, "run")
        if replace {
            try folder.remove(foreign.fileNames)
            Terminal.note("--replace: deleted \(count) of another experiment from \(folder.runs.path) (\(what))")
            return
        }
        throw UsageError("--output-dir \(outputDirectory) holds \(count) of another experiment (\(what)); "
                         + "choose another --output-dir, or add --replace to delete them and run this grid")
    }

    /// After the command's own reports: writes `grid.json`, says the grid is done and where
    /// `report` is, and throws when a run failed.
    func finish(_ result: Result, base: Experiment, total: Int, report: String) throws {
        try writeSummary(result, base: base)
        Terminal.note("grid finished: \(result.outcome.records.count) runs, \(result.outcome.failures.count) not run, "
                      + "\(clock(result.outcome.seconds)) wall time → \(result.root.appendingPathComponent(report).path)")
        try checkFailures(result, total: total)
    }

    /// `grid.json`: what ran, what was resumed, what failed and why, the wall time.
    private func writeSummary(_ result: Result, base: Experiment) throws {
        struct GridSummary: Encodable {
            var runs: Int
            var resumed: Int
            var wallSeconds: Double
            /// The run's length: epochs, or rounds for a grid counted in rounds.
            var epochs: Int?
            var rounds: Int?
            var batchSize: Int
            var testSubset: Int?
            var learningRate: Double
            var momentum: Double
            var workerMomentum: Double
            var jobs: Int
            var failures: [[String: String]]
            enum CodingKeys: String, CodingKey {
                case runs, resumed, epochs, rounds, jobs, failures, momentum
                case wallSeconds = "wall_seconds"
                case batchSize = "batch_size"
                case testSubset = "test_subset"
                case learningRate = "lr"
                case workerMomentum = "worker_momentum"
            }
        }
        let summary = GridSummary(
            runs: result.records.count, resumed: result.outcome.resumed, wallSeconds: result.outcome.seconds,
            epochs: base.rounds == nil ? base.epochs : nil, rounds: base.rounds, batchSize: base.batchSize, testSubset: base.testSubset, learningRate: base.learningRate,
            momentum: base.momentum, workerMomentum: base.workerMomentum, jobs: jobs,
            failures: result.outcome.failures.map { ["run": $0.config.id, "reason": $0.message] })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(summary), to: result.root.appendingPathComponent("grid.json"))
    }

    /// Throws when a run failed (the command exits 1; grid.json lists why).
    private func checkFailures(_ result: Result, total: Int) throws {
        guard !result.outcome.failures.isEmpty else { return }
        throw CommandError("\(result.outcome.failures.count) of \(total) runs failed (listed in \(result.root.appendingPathComponent("grid.json").path))")
    }
}

/// While a grid runs, Ctrl-C (SIGINT) says how many of its runs are saved and how to go on,
/// then ends the process (exit 130): the runs in progress are lost, the saved ones are kept.
final class InterruptionNote {
    private let source: any DispatchSourceSignal

    init(runs: URL, ids: [String]) {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler {
            let saved = ids.filter { FileManager.default.fileExists(atPath: runs.appendingPathComponent($0 + ".json").path) }.count
            Terminal.note("\ninterrupted: \(saved) of \(ids.count) runs are saved in \(runs.path); "
                          + "run the same command again to go on from there (runs in progress start over)")
            exit(130)
        }
        source.resume()
        self.source = source
    }

    func cancel() {
        source.cancel()
        signal(SIGINT, SIG_DFL)
    }
}
