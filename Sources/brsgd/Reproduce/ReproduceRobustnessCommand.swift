import ArgumentParser
import BrSGDCluster
import BrSGDExperiments
import BrSGDRecords
import Datasets
import Foundation
import TensorIO

/// `brsgd reproduce robustness`: rules × attacks × Byzantine fractions × heterogeneity ×
/// seeds, and the worst case over attacks as a table and heatmaps.
struct ReproduceRobustnessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "robustness",
        abstract: "Run rules × attacks × Byzantine fractions × heterogeneity, and report each rule's worst case over attacks as a table and heatmaps.",
        discussion: """
            The measure of a defence in today's literature (ByzFL's benchmark): for each rule, \
            Byzantine fraction α and heterogeneity, the test accuracy under the attack that \
            hurts it most. Each (rule, α, heterogeneity, attack) runs once per seed; a cell is \
            the worst attack's mean ± std over seeds. A clean run of the mean (no Byzantine \
            worker) per heterogeneity and seed is the reference.

            Defaults: rules \(RobustnessGrid.defaultRules.map(\.pipeline).joined(separator: ", ")) \
            (centered-clipping centred on the last aggregate, τ = 1, one iteration); attacks \
            \(RobustnessGrid.defaultAttacks.map(\.rawValue).joined(separator: ", ")) \
            (mimic copies the honest worker of largest variance); α = 25, 45%; heterogeneity \
            IID and Dirichlet 0.5; 3 seeds. Every run: LeNet-5 on standardised FashionMNIST, \
            m = 20, worker momentum 0.9, η = 0.1, one epoch at 16 examples per worker per \
            round, test accuracy on 2,000 test examples; the defender knows b (rules that take \
            f get f = b). --config gives another base.

            A rule is a pipeline: its pre-aggregations in the order they run, then the rule, \
            joined by + (collapse, clipping=c, arc, bucketing=s, nnm; for example \
            clipping=2+nnm+trimmed-mean). A rule asked to run with more Byzantine workers than \
            it assumes (Krum m ≥ 2f + 3, Bulyan m ≥ 4f + 3, any other robust rule an honest \
            majority) is refused before any run, naming the bound.

            Writes into --output-dir: runs/<id>.json (one run record each), robustness.md (the \
            worst-case table, then every attack's mean per heterogeneity), robustness.csv and \
            robustness.json (every (rule, α, heterogeneity, attack), accuracies as fractions), \
            heatmaps.svg (one panel per rule), heatmap-<rule>.svg, and grid.json (what ran, \
            what failed, how long it took).

            It resumes: runs already in runs/ are not run again, and the reports are rebuilt \
            from every run in runs/. Runs go --jobs at a time, with one line of progress each. \
            It exits non-zero when any run failed (grid.json lists why).

            Examples:
              brsgd reproduce robustness
              brsgd reproduce robustness --rules brsgd-robust --heterogeneity iid,0.5 --fractions 0.25,0.45 --seeds 1
              brsgd reproduce robustness --attacks alie-opt,ipm-opt --epochs 3 --output-dir results/robustness-3ep
              brsgd reproduce robustness --config base.json --rules brsgd,centered-clipping --dry-run
            """)

    @Option(name: .long, help: "Where the runs, tables and heatmaps go.")
    var outputDir = "results/robustness"

    @Option(name: .long, help: "The base experiment of every cell (an experiment file or a run record); default: the grid's own (see above).")
    var config: String?

    @Option(name: .long, help: "The rules (comma-separated), each a rule or a pipeline such as collapse+brsgd-robust or arc+nnm+trimmed-mean.")
    var rules = RobustnessGrid.defaultRules.map(\.pipeline).joined(separator: ",")

    @Option(name: .long, help: "The attacks (comma-separated).")
    var attacks = RobustnessGrid.defaultAttacks.map(\.rawValue).joined(separator: ",")

    @Option(name: .long, help: "The Byzantine fractions α (comma-separated; b = round(α·m)).")
    var fractions = "0.25,0.45"

    @Option(name: .long, help: "The heterogeneities (comma-separated): iid, a Dirichlet α such as 1.0 or 0.1, or ByzFL's gamma similarity such as gamma-0.33 (smaller: more heterogeneous).")
    var heterogeneity = "iid,0.5"

    @Option(name: .long, help: "Seeds per cell (1, 2, …, N): cells show mean ± std.")
    var seeds = 3

    @Option(name: .long, parsing: .unconditional, help: "Epochs per run (default 1, or the base's).")
    var epochs: Int?

    @Option(name: .long, parsing: .unconditional, help: "Examples per worker per round (default 16, or the base's).")
    var batchSize: Int?

    @Option(name: .long, parsing: .unconditional, help: "The honest workers' momentum β, in [0, 1) (default 0.9, or the base's).")
    var workerMomentum: Double?

    @Option(name: .long, parsing: .unconditional, help: "Evaluate on a seeded subset of this many test examples (default 2,000, or the base's).")
    var testSubset: Int?

    @OptionGroup var gridOptions: GridRunOptions

    @Option(name: .long, help: "What to print on standard output at the end: table (robustness.md) or json (robustness.json).")
    var format: OutputFormat = .table

    func validate() throws {
        guard seeds >= 1, gridOptions.jobs >= 1 else { throw ValidationError("--seeds and --jobs must be ≥ 1") }
    }

    /// The grid, every option checked before any run; the base must validate on its own.
    func grid() throws -> RobustnessGrid {
        var grid = try config.map { RobustnessGrid(base: try Experiment.read(from: URL(fileURLWithPath: $0))) } ?? RobustnessGrid()
        if let epochs { grid.base.epochs = epochs }
        if let batchSize { grid.base.batchSize = batchSize }
        if let workerMomentum { grid.base.workerMomentum = workerMomentum }
        if let testSubset { grid.base.testSubset = testSubset }
        grid.base.dataDirectory = nil
        // A pipeline of the defaults keeps the default's parameters (centered-clipping is the
        // authors' rule here: centred on the last aggregate, τ = 1, one iteration).
        grid.rules = try GridList.pipelines(rules, option: "--rules").map { rule in
            RobustnessGrid.defaultRules.first { $0.pipeline == rule.pipeline } ?? rule
        }
        grid.attacks = try GridList.attacks(attacks, option: "--attacks")
        grid.fractions = try GridList.fractions(fractions, option: "--fractions")
        grid.heterogeneities = try GridList.heterogeneities(heterogeneity, option: "--heterogeneity")
        grid.seeds = (1 ... seeds).map { UInt64($0) }
        try GridRunOptions.validate(base: grid.base)
        let outside = grid.rules.flatMap { rule in
            grid.fractions.compactMap { rule.assumptionViolation(workers: grid.base.workers, byzantine: grid.byzantineCount($0)) }
        }
        if !outside.isEmpty {
            throw UsageError("--rules: " + outside.joined(separator: "; ") + "; remove the rule or the --fractions beyond its bound")
        }
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
            let heterogeneity = RobustnessReport.Heterogeneity(c.partition).title
            return "\(c.rule.pipeline) α=\(Int((c.byzantineFraction * 100).rounded()))% \(c.attackName) \(heterogeneity) seed \(c.seed)"
        }
        let result = try execution.run(grid, title: "Robustness grid (\(grid.base.model.rawValue), m = \(grid.base.workers), "
                                       + "\(grid.base.epochs) epoch(s), batch \(grid.base.batchSize), worker momentum \(grid.base.workerMomentum))")
        try writeReports(result.records, root: result.root, rules: grid.rules.map(\.pipeline))
        try execution.finish(result, base: grid.base, total: configs.count, report: "robustness.md")
    }

    func writeReports(_ records: [RunRecord], root: URL, rules: [String]) throws {
        let report = RobustnessReport(records: records, preferredRules: rules)
        try AtomicFile.write(report.markdown(), to: root.appendingPathComponent("robustness.md"))
        try AtomicFile.write(report.csv(), to: root.appendingPathComponent("robustness.csv"))
        try AtomicFile.write(try report.jsonData(), to: root.appendingPathComponent("robustness.json"))
        try AtomicFile.write(RobustnessHeatmap(report: report).svg(), to: root.appendingPathComponent("heatmaps.svg"))
        for rule in report.rules {
            try AtomicFile.write(RobustnessHeatmap(report: report, rules: [rule]).svg(title: "\(rule): worst-case test accuracy over \(report.attacks.count) attacks"),
                                 to: root.appendingPathComponent("heatmap-\(rule).svg"))
        }
        switch format {
        case .table: print(report.markdown())
        case .json: print(String(decoding: try report.jsonData(), as: UTF8.self))
        }
    }
}
