import ArgumentParser
import BrSGDCluster
import BrSGDExperiments
import Datasets
import Foundation
import NeuralEngine
import BrSGDRecords
import ByzantineAttacks
import RobustAggregation
import TensorIO

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

            It resumes: runs already in runs/ are not run again, and the tables are rebuilt \
            from every run in runs/ (so two partial grids into one directory add up). Runs go \
            --jobs at a time. It exits non-zero when any run failed (grid.json lists why).

            --config gives the base experiment every cell starts from (an experiment file or a \
            run record: model, dataset, m, epochs, batch size, η, momentum, …); each cell then \
            sets its rule, attack, b and seed. --epochs, --batch-size and --test-subset replace \
            the base's.

            Defaults: 10 epochs at 8 examples per worker per round (375 rounds an epoch; the \
            paper gives neither number) — chosen so that the α = 0 run reaches the paper's \
            84–86%.

            Examples:
              brsgd reproduce table1
              brsgd reproduce table1 --seeds 3 --add-rules trimmed-mean,multi-krum --add-attacks alie,ipm
              brsgd reproduce table1 --attacks alie,ipm --fractions 0.25 --add-rules trimmed-mean,multi-krum --output-dir results/modern
              brsgd reproduce table1 --config base.json --rules brsgd,centered-clipping --attacks ipm --fractions 0.45
            """)

    @Option(name: .long, help: "Where the runs, tables and figure go.")
    var outputDir = "results/table1"

    @Option(name: .long, help: "The base experiment of every cell (an experiment file or a run record).")
    var config: String?

    @Option(name: .long, parsing: .unconditional, help: "Epochs per run (default 10, or the base's).")
    var epochs: Int?

    @Option(name: .long, parsing: .unconditional, help: "Examples per worker per round (default 8, or the base's).")
    var batchSize: Int?

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

    @Option(name: .long, parsing: .unconditional, help: "Evaluate on a seeded subset of this many test examples (default: all 10,000).")
    var testSubset: Int?

    @OptionGroup var gridOptions: GridRunOptions

    @Option(name: .long, help: "What to print on standard output at the end: table (Table 1 in Markdown) or json (table1.json).")
    var format: OutputFormat = .table

    func validate() throws {
        guard seeds >= 1, gridOptions.jobs >= 1 else { throw ValidationError("--seeds and --jobs must be ≥ 1") }
    }

    /// The grid, its every cell checked before any run: a bad option fails at once; a cell
    /// whose rule cannot run at its α (Krum at 50%) is reported as a failed run.
    func grid() throws -> Table1Grid {
        var grid: Table1Grid
        if let config {
            grid = Table1Grid(base: try Experiment.read(from: URL(fileURLWithPath: config)))
            if let epochs { grid.base.epochs = epochs }
            if let batchSize { grid.base.batchSize = batchSize }
        } else {
            grid = Table1Grid(epochs: epochs ?? 10, batchSize: batchSize ?? 8)
        }
        grid.base.dataDirectory = nil
        if let testSubset { grid.base.testSubset = testSubset }
        grid.seeds = (1 ... seeds).map { UInt64($0) }
        if let rules { grid.rules = try GridList.rules(rules, option: "--rules") }
        if let attacks { grid.attacks = try GridList.attacks(attacks, option: "--attacks") }
        if let fractions { grid.fractions = try GridList.fractions(fractions, option: "--fractions") }
        if !addRules.isEmpty { grid.rules += try GridList.rules(addRules, option: "--add-rules").filter { !grid.rules.contains($0) } }
        if !addAttacks.isEmpty {
            grid.attacks += try GridList.attacks(addAttacks, option: "--add-attacks").filter { !grid.attacks.contains($0) }
        }
        try GridRunOptions.validate(base: grid.base)
        return grid
    }

    func run() throws {
        try reportingErrors { try reproduce() }
    }

    private func reproduce() throws {
        let grid = try grid()
        let configs = grid.configurations
        if gridOptions.listedOnly(configs) { return }
        let execution = GridExecution(outputDirectory: outputDir, jobs: gridOptions.jobs, dataDirectory: gridOptions.dataDir,
                                      replace: gridOptions.replace, reportOnly: gridOptions.reportOnly) { c in
            "\(c.ruleName) α=\(Int((c.byzantineFraction * 100).rounded()))% \(c.attackName) seed \(c.seed)"
        }
        // The title is the first line printed, after the output directory is known to be usable.
        let result = try execution.run(grid, title: "Table 1 grid (\(Terminal.counting(grid.base.epochs, "epoch")), batch \(grid.base.batchSize) per worker, "
                                                      + "m = \(grid.base.workers))")
        try writeReports(result.records, root: result.root)
        try execution.finish(result, base: grid.base, total: configs.count, report: "table1.md")
    }

    func writeReports(_ records: [RunRecord], root: URL) throws {
        let report = Table1Report(records: records)
        try write(report.markdown(), root, "table1.md")
        try write(report.csv(), root, "table1.csv")
        try AtomicFile.write(try report.jsonData(), to: root.appendingPathComponent("table1.json"))
        try write(report.differenceMarkdown(), root, "differences.md")
        try write(Figure3Plot(records: records).svg(), root, "figure3.svg")
        switch format {
        case .table: print(report.markdown())
        case .json: print(String(decoding: try report.jsonData(), as: UTF8.self))
        }
    }

    private func write(_ text: String, _ root: URL, _ name: String) throws {
        try AtomicFile.write(text, to: root.appendingPathComponent(name))
    }
}
