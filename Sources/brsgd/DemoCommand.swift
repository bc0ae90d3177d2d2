import ArgumentParser
import BrSGDCluster
import BrSGDExperiments
import Datasets
import Foundation
import NeuralEngine

/// `brsgd demo`: the project's point in a few minutes on two cores.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "BrSGD, Median, Krum and Mean side by side on FashionMNIST with 20 workers, a quarter of them Byzantine.",
        discussion: """
            Trains LeNet-5 four times (m = 20 workers, 5 of them sending Gaussian noise with \
            σ = 200, the paper's first attack), once per aggregation rule, and writes a small \
            table (summary.md) and a plot of test accuracy against epoch (accuracy.svg) into \
            --output-dir. Runs already there are not run again. The full reproduction of the \
            paper's Table 1 is `brsgd reproduce table1`.
            """)

    @Option(name: .long, help: "Where the runs, the table and the plot go.")
    var outputDir = "results/demo"

    @Option(name: .long, help: "The attack of the 5 Byzantine workers.")
    var attack = "gaussian"

    @Option(name: .long, help: "Epochs per run.")
    var epochs = 5

    @Option(name: .long, help: "Examples per worker per round.")
    var batchSize = 8

    @Option(name: .long, help: "Where the dataset's IDX files are (default: $BRSGD_DATA_DIR, then /usr/share/datasets/fashion-mnist).")
    var dataDir: String?

    func validate() throws {
        guard epochs >= 1, batchSize >= 1 else { throw ValidationError("--epochs and --batch-size must be ≥ 1") }
    }

    func run() throws {
        let configs = ["brsgd", "median", "krum", "mean"].map { rule in
            ExperimentConfig(
                dataset: "fashion-mnist", model: "lenet", workers: 20, byzantineCount: 5, attack: attack, rule: rule,
                ruleParameters: rule == "brsgd" ? ["beta": 0.5] : [:], epochs: epochs, batchSize: batchSize,
                learningRate: 0.03, seed: 1)
        }
        for config in configs {
            do { _ = try ExperimentRunner.attack(for: config) } catch let error as ExperimentError {
                throw ValidationError(error.message)
            }
        }
        let root = URL(fileURLWithPath: outputDir)
        let cores = ProcessInfo.processInfo.activeProcessorCount
        BLAS.setThreadCount(1)
        Terminal.note("LeNet-5 on FashionMNIST, m = 20 workers, 5 Byzantine (\(attack)), \(epochs) epochs of batch \(batchSize) per worker: "
                      + "brsgd, median, krum and mean, \(min(cores, 4)) at a time…")
        let runner = GridRunner(directory: root.appendingPathComponent("runs"), jobs: min(cores, 4), threadsPerJob: 1,
                                locator: DatasetLocator(dataDirectory: dataDir))
        let outcome: GridRunner.Outcome
        do {
            outcome = try runner.run(configs) { event in
                guard let record = event.record else {
                    if case .failed(let message) = event.kind { Terminal.note("\(event.config.rule): \(message)") }
                    return
                }
                Terminal.note(String(format: "  %-6@ %.2f%% after %d epochs (%@)", record.config.rule as NSString,
                                     record.finalTestAccuracy * 100, record.epochs.count, clock(record.totalSeconds)))
            }
        } catch let error as DatasetError {
            throw CommandError("\(error)")
        }
        let order = ["brsgd", "median", "krum", "mean"]
        let records = outcome.records.sorted { (order.firstIndex(of: $0.config.rule) ?? 9) < (order.firstIndex(of: $1.config.rule) ?? 9) }
        var table = SummaryTable(headers: ["rule", "final test accuracy", "Byzantine rows selected", "aggregation per round", "run time"],
                                 alignments: [.left, .right, .right, .right, .right])
        for r in records {
            let selected = r.config.rule == "krum" || r.config.rule == "brsgd"
                ? String(format: "%.1f%%", r.byzantineSelection.selectionRate * 100) : "—"
            table.append([r.config.rule, String(format: "%.2f%%", r.finalTestAccuracy * 100), selected,
                          String(format: "%.2f ms", r.aggregationTiming.median), clock(r.totalSeconds)])
        }
        let summary = """
            LeNet-5 on FashionMNIST, m = 20 workers of which 5 send \(attack) vectors, \(epochs) epochs, \
            batch \(batchSize) per worker, η = 0.03, seed 1.

            \(table.markdown)
            """
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try summary.write(to: root.appendingPathComponent("summary.md"), atomically: true, encoding: .utf8)
        let plot = Figure3Plot(records: records, layout: .perAttack,
                               title: "Test accuracy, 5 of 20 workers Byzantine (\(attack))")
        try plot.svg().write(to: root.appendingPathComponent("accuracy.svg"), atomically: true, encoding: .utf8)
        print(summary)
        Terminal.note("""
            wrote \(root.appendingPathComponent("summary.md").path) and \(root.appendingPathComponent("accuracy.svg").path)
            the paper's whole Table 1 and Figure 3:  .build/release/brsgd reproduce table1
            """)
    }
}
