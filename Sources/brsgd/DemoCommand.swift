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

/// `brsgd demo`: the project's point in well under a minute on two cores.
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

    @Option(name: .long, help: "The attack of the 5 Byzantine workers (its default parameters).")
    var attack: AttackKind = .gaussian

    @Option(name: .long, help: "Epochs per run (3: about 20 s for the four runs on two cores; the paper trains 10).")
    var epochs = 3

    @Option(name: .long, help: "Examples per worker per round.")
    var batchSize = 8

    @Option(name: .long, help: DataDirectoryHelp.help)
    var dataDir: String?

    func validate() throws {
        try reportingErrors {
            guard (1 ... Experiment.maximumEpochs).contains(epochs) else {
                throw UsageError("--epochs: is \(epochs); it must lie in 1...\(Experiment.maximumEpochs)")
            }
            guard (1 ... 3000).contains(batchSize) else {
                throw UsageError("--batch-size: is \(batchSize); it must lie in 1...3000 (60,000 examples over 20 workers)")
            }
        }
    }

    static let rules: [RuleName] = [.brsgd, .median, .krum, .mean]

    func run() throws {
        try reportingErrors { try demo() }
    }

    private func demo() throws {
        let configs = try Self.rules.map { rule in
            let experiment = Experiment(
                model: .lenet, dataset: .fashionMNIST, workers: 20, byzantine: 5, attack: AttackConfiguration(kind: attack),
                rule: RuleConfiguration(name: rule), learningRate: 0.03, epochs: epochs, batchSize: batchSize, seed: 1)
            return try experiment.resolved().validated().experiment
        }
        let root = URL(fileURLWithPath: outputDir)
        let cores = ProcessInfo.processInfo.activeProcessorCount
        Terminal.note("LeNet-5 on FashionMNIST, m = 20 workers, 5 Byzantine (\(attack)), \(Terminal.counting(epochs, "epoch")) of batch \(batchSize) per worker: "
                      + "brsgd, median, krum and mean, \(min(cores, 4)) at a time…")
        let runner = GridRunner(directory: root.appendingPathComponent("runs"), jobs: min(cores, 4), threadsPerJob: 1,
                                locator: DatasetLocator(dataDirectory: dataDir))
        let outcome: GridRunner.Outcome
        do {
            outcome = try runner.run(configs) { event in
                guard let record = event.record else {
                    if case .failed(let message) = event.kind { Terminal.note("\(event.config.ruleName): \(message)") }
                    return
                }
                // Padded in Swift: `%-6@` does not pad on Linux.
                let rule = record.config.ruleName.padding(toLength: 6, withPad: " ", startingAt: 0)
                Terminal.note("  \(rule) " + String(format: "%.2f%%", record.finalTestAccuracy * 100)
                              + " after \(Terminal.counting(record.epochs.count, "epoch")) (\(clock(record.totalSeconds)))")
            }
        } catch let error as DatasetError {
            throw CommandError(error.message)
        }
        let records = outcome.records.sorted {
            (Self.rules.firstIndex(of: $0.config.rule.name) ?? 9) < (Self.rules.firstIndex(of: $1.config.rule.name) ?? 9)
        }
        var table = SummaryTable(headers: ["rule", "final test accuracy", "Byzantine rows selected", "aggregation per round", "run time"],
                                 alignments: [.left, .right, .right, .right, .right])
        for r in records {
            let selected = r.config.rule.name == .krum || r.config.rule.name == .brsgd
                ? String(format: "%.1f%%", r.byzantineSelection.selectionRate * 100) : "—"
            table.append([r.config.ruleName, String(format: "%.2f%%", r.finalTestAccuracy * 100), selected,
                          String(format: "%.2f ms", r.aggregationTiming.median), clock(r.totalSeconds)])
        }
        let summary = """
            LeNet-5 on FashionMNIST, m = 20 workers of which 5 send \(attack) vectors, \(Terminal.counting(epochs, "epoch")), \
            batch \(batchSize) per worker, η = 0.03, seed 1.

            \(table.markdown)
            """
        try AtomicFile.write(summary, to: root.appendingPathComponent("summary.md"))
        let plot = Figure3Plot(records: records, layout: .perAttack,
                               title: "Test accuracy, 5 of 20 workers Byzantine (\(attack))")
        try AtomicFile.write(plot.svg(), to: root.appendingPathComponent("accuracy.svg"))
        print(summary)
        Terminal.note("""
            wrote \(root.appendingPathComponent("summary.md").path) and \(root.appendingPathComponent("accuracy.svg").path)
            the paper's whole Table 1 and Figure 3:  .build/release/brsgd reproduce table1
            """)
        if !outcome.failures.isEmpty { throw CommandError("\(outcome.failures.count) of \(configs.count) runs failed (see above)") }
    }
}
