import ArgumentParser
import BrSGDCluster
import BrSGDExperiments
import Datasets
import Foundation
import NeuralEngine

/// `brsgd reproduce table1`: the grid of the paper's Table 1, its Markdown/CSV/JSON table
/// beside the paper's numbers, and a Figure-3-like SVG.
struct ReproduceTable1Command: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "table1",
        abstract: "Run the grid of the paper's Table 1 (LeNet, FashionMNIST, m = 20, η = 0.03, β = ½) and write the table and Figure 3.",
        discussion: """
            The paper's grid: BrSGD at α = 0, 10, 25, 50% of Byzantine workers; Median, Mean \
            and Krum at 10, 25, 50%; attacks gaussian (σ = 200), model-negation (−1e10 × Σ \
            honest), gradient-scale (1e10 ×) and label-flip (y → 9 − y); plus a clean run of the \
            mean (plain SGD) as the baseline: 50 runs per seed.

            Writes into --output-dir: runs/<id>.json (one run record each), table1.md (laid \
            out like the paper, each cell "ours (paper)"), table1.csv, table1.json, \
            differences.md (cells more than 5 points from the paper), figure3.svg (test \
            accuracy against epoch: rows are attacks, columns rules, one line per α) and \
            grid.json (what ran, what failed, how long it took).

            It resumes: runs already in runs/ are not run again. Runs go --jobs at a time.

            Defaults: 10 epochs at 8 examples per worker per round (375 rounds an epoch; the \
            paper gives neither number) — chosen so that the α = 0 run reaches the paper's \
            84–86%.

            Examples:
              brsgd reproduce table1
              brsgd reproduce table1 --seeds 3 --add-rules trimmed-mean,multi-krum --add-attacks alie,ipm
              brsgd reproduce table1 --attacks alie,ipm --fractions 0.25 --add-rules trimmed-mean,multi-krum --output-dir results/modern
            """)

    @Option(name: .long, help: "Where the runs, tables and figure go.")
    var outputDir = "results/table1"

    @Option(name: .long, help: "Epochs per run.")
    var epochs = 10

    @Option(name: .long, help: "Examples per worker per round.")
    var batchSize = 8

    @Option(name: .long, help: "Seeds per cell (1, 2, …, N): cells show mean ± std.")
    var seeds = 1

    @Option(name: .long, help: "More rules for the grid (comma-separated): trimmed-mean, multi-krum, geometric-median, bulyan, centered-clipping.")
    var addRules = ""

    @Option(name: .long, help: "More attacks for the grid (comma-separated): alie, ipm, sign-flip, mimic.")
    var addAttacks = ""

    @Option(name: .long, help: "Replace the grid's rules (comma-separated; default: the paper's brsgd, median, mean, krum).")
    var rules: String?

    @Option(name: .long, help: "Replace the grid's attacks (comma-separated; default: the paper's four).")
    var attacks: String?

    @Option(name: .long, help: "Replace the grid's Byzantine fractions α (comma-separated; default 0.1,0.25,0.5).")
    var fractions: String?

    @Option(name: .long, help: "Evaluate on a seeded subset of this many test examples (default: all 10,000).")
    var testSubset: Int?

    @Option(name: .long, help: ArgumentHelp(
        "Where the dataset's IDX files are.",
        discussion: "Searched in order: this directory, $\(DatasetLocator.environmentVariable), /usr/share/datasets/fashion-mnist, ~/.cache/brsgd/fashion-mnist."))
    var dataDir: String?

    @Option(name: .long, help: "Runs at once (default: one per core, one thread each).")
    var jobs = ProcessInfo.processInfo.activeProcessorCount

    @Flag(name: .long, help: "List the runs the grid would make, and stop.")
    var dryRun = false

    func validate() throws {
        guard epochs >= 1, batchSize >= 1, seeds >= 1, jobs >= 1 else {
            throw ValidationError("--epochs, --batch-size, --seeds and --jobs must be ≥ 1")
        }
        if let fractions {
            let values = list(fractions).map { Double($0) }
            guard !values.isEmpty, values.allSatisfy({ $0.map { $0 > 0 && $0 <= 1 } ?? false }) else {
                throw ValidationError("--fractions must be numbers in (0, 1], got '\(fractions)'")
            }
        }
        for (name, value) in [("--rules", rules), ("--attacks", attacks)] where value.map(list)?.isEmpty == true {
            throw ValidationError("\(name) must name at least one")
        }
    }

    var grid: Table1Grid {
        var grid = Table1Grid(epochs: epochs, batchSize: batchSize)
        grid.seeds = (1 ... seeds).map { UInt64($0) }
        if let rules { grid.rules = list(rules) }
        if let attacks { grid.attacks = list(attacks) }
        if let fractions { grid.fractions = list(fractions).compactMap(Double.init) }
        grid.rules += list(addRules).filter { !grid.rules.contains($0) }
        grid.attacks += list(addAttacks).filter { !grid.attacks.contains($0) }
        grid.testSubsetSize = testSubset
        return grid
    }

    private func list(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    func run() throws {
        let configs = grid.configurations
        for config in configs.prefix(64) {
            do {
                _ = try ExperimentRunner.rule(for: config)
                _ = try ExperimentRunner.attack(for: config)
            } catch let error as ExperimentError where config.byzantineCount > 0 && !error.message.contains("unknown") {
                continue  // a rule that cannot run at this α: reported as a failed cell
            } catch let error as ExperimentError {
                throw ValidationError(error.message)
            }
        }
        if dryRun {
            for config in configs { print(config.id) }
            Terminal.note("\(configs.count) runs")
            return
        }
        let root = URL(fileURLWithPath: outputDir)
        let runs = root.appendingPathComponent("runs")
        let threadsPerJob = max(1, ProcessInfo.processInfo.activeProcessorCount / jobs)
        BLAS.setThreadCount(1)
        Terminal.note("Table 1 grid: \(configs.count) runs (\(epochs) epochs, batch \(batchSize) per worker, m = 20), "
                      + "\(jobs) at a time → \(outputDir)")
        let runner = GridRunner(directory: runs, jobs: jobs, threadsPerJob: threadsPerJob,
                                locator: DatasetLocator(dataDirectory: dataDir))
        let started = Date()
        let outcome: GridRunner.Outcome
        do {
            outcome = try runner.run(configs) { event in
                let c = event.config
                let cell = "\(c.rule) α=\(Int((c.byzantineFraction * 100).rounded()))% \(c.attack) seed \(c.seed)"
                let elapsed = Date().timeIntervalSince(started)
                switch event.kind {
                case .resumed:
                    break
                case .finished:
                    let r = event.record
                    Terminal.note(String(format: "[%d/%d] %@: %.2f%% (%@)  elapsed %@", event.done, event.total, cell,
                                         (r?.finalTestAccuracy ?? 0) * 100, clock(r?.totalSeconds ?? 0), clock(elapsed)))
                case .failed(let message):
                    Terminal.note("[\(event.done)/\(event.total)] \(cell): not run: \(message)")
                }
            }
        } catch let error as DatasetError {
            throw CommandError("\(error)")
        }
        if outcome.resumed > 0 { Terminal.note("\(outcome.resumed) runs were already in \(runs.path) and were not run again") }
        try writeReports(outcome, root: root)
        Terminal.note("grid finished: \(outcome.records.count) runs, \(outcome.failures.count) not run, "
                      + "\(clock(outcome.seconds)) wall time → \(root.appendingPathComponent("table1.md").path)")
    }

    func writeReports(_ outcome: GridRunner.Outcome, root: URL) throws {
        let records = outcome.records
        let report = Table1Report(records: records)
        try write(report.markdown(), root, "table1.md")
        try write(report.csv(), root, "table1.csv")
        try report.jsonData().write(to: root.appendingPathComponent("table1.json"), options: .atomic)
        try write(report.differenceMarkdown(), root, "differences.md")
        try write(Figure3Plot(records: records).svg(), root, "figure3.svg")
        struct GridSummary: Encodable {
            var runs: Int
            var resumed: Int
            var wallSeconds: Double
            var epochs: Int
            var batchSize: Int
            var jobs: Int
            var failures: [[String: String]]
            enum CodingKeys: String, CodingKey {
                case runs, resumed, epochs, jobs, failures
                case wallSeconds = "wall_seconds"
                case batchSize = "batch_size"
            }
        }
        let summary = GridSummary(
            runs: records.count, resumed: outcome.resumed, wallSeconds: outcome.seconds, epochs: epochs,
            batchSize: batchSize, jobs: jobs,
            failures: outcome.failures.map { ["run": $0.config.id, "reason": $0.message] })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(summary).write(to: root.appendingPathComponent("grid.json"), options: .atomic)
        print(report.markdown())
    }

    private func write(_ text: String, _ root: URL, _ name: String) throws {
        try text.write(to: root.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }
}
