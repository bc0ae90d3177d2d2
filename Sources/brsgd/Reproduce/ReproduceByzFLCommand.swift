import ArgumentParser
import BrSGDCluster
import BrSGDExperiments
import BrSGDRecords
import Datasets
import Foundation
import RobustAggregation
import TensorIO

/// `brsgd reproduce byzfl`: ByzFL's default benchmark (LPD-EPFL/byzfl, `byzfl/benchmark`),
/// run by brsgd, and its heatmaps as tables.
struct ReproduceByzFLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "byzfl",
        abstract: "Run ByzFL's default benchmark (its CNN, 10 honest workers, f = 1…4, gamma similarity, 800 rounds) and report it as ByzFL's heatmaps.",
        discussion: """
            ByzFL's benchmark configuration (byzfl/benchmark/benchmark.py, default_config), \
            cell by cell: 10 honest workers and f = 1, 2, 3, 4 Byzantine ones (m = 10 + f; the \
            defender is told f); the training set split over the honest workers by gamma \
            similarity γ = 1, 0.66, 0.33, 0 (1 is IID; 0 sorts by label); ByzFL's MNIST CNN \
            (byzfl-cnn); DSGD for 800 rounds at η = 0.1, weight decay 1e-4, batch 25 per worker, \
            worker momentum 0.9; trimmed mean and geometric median (ν = 0.1, 3 iterations), \
            each after Clipping (c = 2) then NNM; attacks sign-flip, ipm-opt and alie-opt \
            (line-searched IPM and ALIE); test accuracy every 50 rounds on the whole test set; \
            3 seeds.

            A cell is ByzFL's measure: the seed-mean test-accuracy curve's best point, under \
            the attack for which it is lowest. Tables are laid out as ByzFL's heatmaps: rows γ \
            (0 at the top), columns f; the "best method" table takes the best defence per \
            cell. On MNIST, ByzFL's published values (its documentation's heatmaps) stand in \
            brackets beside ours.

            The dataset is MNIST when its four files are found (--data-dir, $BRSGD_DATA_DIR or \
            the usual places), else FashionMNIST; the output says which. ByzFL tunes the \
            learning rate for the worst case when its config lists several; its default lists \
            one, 0.1, and we tune nothing either. ByzFL trains on 80% of the training set \
            (20% is kept for that tuning); we train on all of it.

            Writes into --output-dir: runs/<id>.json (one run record each, with the \
            evaluations during training), byzfl.md, byzfl.csv and byzfl.json (every defence, \
            f, γ and attack; accuracies as fractions), heatmaps.svg, and grid.json. It \
            resumes: runs already in runs/ are not run again.

            Examples:
              brsgd reproduce byzfl
              brsgd reproduce byzfl --rules clipping=2+nnm+trimmed-mean --gammas 1,0 --byzantine 1,4 --seeds 1
              brsgd reproduce byzfl --rounds 200 --test-subset 2000 --output-dir results/byzfl-short
              brsgd reproduce byzfl --dry-run
            """)

    @Option(name: .long, help: "Where the runs, tables and heatmaps go.")
    var outputDir = "results/byzfl"

    @Option(name: .long, help: "The defences (comma-separated), each a rule or a pipeline as reproduce robustness spells them; ByzFL's are its rules after Clipping (c = 2) then NNM. A geometric median takes ByzFL's ν = 0.1 and 3 iterations.")
    var rules = ByzFLGrid.defaultRules.map(\.pipeline).joined(separator: ",")

    @Option(name: .long, help: "The attacks (comma-separated).")
    var attacks = ByzFLGrid.defaultAttacks.map(\.rawValue).joined(separator: ",")

    @Option(name: .long, help: "The numbers of Byzantine workers f (comma-separated), beside --honest-workers honest ones.")
    var byzantine = "1,2,3,4"

    @Option(name: .long, parsing: .unconditional, help: "Honest workers in every cell (ByzFL: 10).")
    var honestWorkers = 10

    @Option(name: .long, help: "The gamma similarities γ in [0, 1] (comma-separated; 1 is IID, 0 sorts by label).")
    var gammas = "1,0.66,0.33,0"

    @Option(name: .long, help: "Seeds per cell (1, 2, …, N): a cell's curve is their mean.")
    var seeds = 3

    @Option(name: .long, parsing: .unconditional, help: "Rounds per run (ByzFL's steps: 800).")
    var rounds = 800

    @Option(name: .long, parsing: .unconditional, help: "Evaluate on the test set every this many rounds (ByzFL's evaluation_delta: 50).")
    var evaluateEvery = 50

    @Option(name: .long, parsing: .unconditional, help: "Evaluate on a seeded subset of this many test examples (default: all, as ByzFL).")
    var testSubset: Int?

    @Option(name: .long, help: "The dataset: mnist or fashion-mnist (default: mnist when its files are found, else fashion-mnist).")
    var dataset: DatasetName?

    @OptionGroup var gridOptions: GridRunOptions

    @Option(name: .long, help: "What to print on standard output at the end: table (byzfl.md) or json (byzfl.json).")
    var format: OutputFormat = .table

    func validate() throws {
        guard seeds >= 1, gridOptions.jobs >= 1 else { throw ValidationError("--seeds and --jobs must be ≥ 1") }
        guard honestWorkers >= 1 else { throw ValidationError("--honest-workers must be ≥ 1") }
    }

    /// MNIST where its files are found, else FashionMNIST (unless --dataset says).
    func chosenDataset() -> DatasetName {
        if let dataset { return dataset }
        let locator = DatasetLocator(dataDirectory: gridOptions.dataDir)
        let hasMNIST = (try? locator.locate(.mnist, split: .train)) != nil && (try? locator.locate(.mnist, split: .test)) != nil
        return hasMNIST ? .mnist : .fashionMNIST
    }

    /// The grid, every option checked before any run.
    func grid(dataset: DatasetName) throws -> ByzFLGrid {
        var base = ByzFLGrid.defaultBase(dataset: dataset)
        base.rounds = rounds
        base.evaluateEvery = evaluateEvery
        base.testSubset = testSubset
        var grid = ByzFLGrid(base: base)
        grid.honestWorkers = honestWorkers
        grid.rules = try GridList.pipelines(rules, option: "--rules").map(ByzFLGrid.withByzFLParameters)
        grid.attacks = try GridList.attacks(attacks, option: "--attacks")
        grid.byzantineCounts = try GridList.counts(byzantine, option: "--byzantine")
        grid.gammas = try GridList.gammas(gammas, option: "--gammas")
        grid.seeds = (1 ... seeds).map { UInt64($0) }
        var clean = base
        clean.workers = honestWorkers
        clean.partition = .gammaSimilarity(gamma: grid.gammas[0])
        try GridRunOptions.validate(base: clean)
        let outside = grid.rules.flatMap { rule in
            grid.byzantineCounts.compactMap { rule.assumptionViolation(workers: honestWorkers + $0, byzantine: $0) }
        }
        if !outside.isEmpty {
            throw UsageError("--rules: " + outside.joined(separator: "; ") + "; remove the rule or the --byzantine counts beyond its bound")
        }
        return grid
    }

    func run() throws {
        try reportingErrors { try reproduce() }
    }

    private func reproduce() throws {
        let dataset = chosenDataset()
        let grid = try grid(dataset: dataset)
        let configs = grid.configurations
        if gridOptions.listedOnly(configs) { return }
        let execution = GridExecution(outputDirectory: outputDir, jobs: gridOptions.jobs, dataDirectory: gridOptions.dataDir,
                                      replace: gridOptions.replace, reportOnly: gridOptions.reportOnly) { c in
            "\(ByzFLReport.ruleLabel(c.rule)) f=\(c.byzantine) γ=\(c.partition.gamma.map { String(format: "%g", $0) } ?? "?") \(c.attackName) seed \(c.seed)"
        }
        let result = try execution.run(grid, title: "ByzFL's benchmark on \(dataset.displayName) (\(grid.base.model.rawValue), "
                                       + "\(grid.honestWorkers) honest workers, \(grid.base.lengthDescription), batch \(grid.base.batchSize), "
                                       + "worker momentum \(grid.base.workerMomentum))")
        try writeReports(result.records, root: result.root, grid: grid)
        try execution.finish(result, base: grid.base, total: configs.count, report: "byzfl.md")
    }

    /// What the tables must say about how they were made.
    func notes(dataset: DatasetName, grid: ByzFLGrid) -> [String] {
        var notes = ["Dataset: \(dataset.displayName)"
            + (dataset == .mnist ? " (as ByzFL)." : " (MNIST's files were not found; ByzFL's published values are for MNIST, so none are shown).")]
        notes.append("Settings: \(grid.base.model.rawValue), \(grid.honestWorkers) honest workers, \(grid.base.lengthDescription), "
                     + "η = \(grid.base.learningRate), weight decay \(grid.base.weightDecay), "
                     + "batch \(grid.base.batchSize), worker momentum \(grid.base.workerMomentum), "
                     + "evaluated every \(grid.base.evaluateEvery ?? 0) rounds on "
                     + (grid.base.testSubset.map { "\($0) test examples" } ?? "the whole test set") + ".")
        var departures: [String] = []
        if Set(grid.attacks) != Set(ByzFLGrid.defaultAttacks) { departures.append("attacks \(grid.attacks.map(\.rawValue).joined(separator: ", "))") }
        if grid.base.rounds != 800 { departures.append(grid.base.lengthDescription) }
        if grid.base.evaluateEvery != 50 { departures.append("evaluated every \(grid.base.evaluateEvery ?? 0) rounds") }
        if grid.base.testSubset != nil { departures.append("a test subset") }
        if dataset == .mnist && !departures.isEmpty {
            notes.append("This grid departs from ByzFL's default (\(departures.joined(separator: "; "))): the values in brackets are ByzFL's for its own.")
        }
        notes.append("Learning rate: 0.1 for every cell, not tuned. ByzFL tunes it for the worst attack when its config lists "
                     + "several (its default lists only 0.1), on a validation fifth of the training set that we train on.")
        return notes
    }

    func writeReports(_ records: [RunRecord], root: URL, grid: ByzFLGrid) throws {
        let report = ByzFLReport(records: records, preferredRules: grid.rules.map(ByzFLReport.ruleLabel))
        let markdown = report.markdown(notes: notes(dataset: grid.base.dataset, grid: grid))
        try AtomicFile.write(markdown, to: root.appendingPathComponent("byzfl.md"))
        try AtomicFile.write(report.csv(), to: root.appendingPathComponent("byzfl.csv"))
        try AtomicFile.write(try report.jsonData(), to: root.appendingPathComponent("byzfl.json"))
        try AtomicFile.write(ByzFLHeatmap(report: report).svg(), to: root.appendingPathComponent("heatmaps.svg"))
        switch format {
        case .table: print(markdown)
        case .json: print(String(decoding: try report.jsonData(), as: UTF8.self))
        }
    }
}
