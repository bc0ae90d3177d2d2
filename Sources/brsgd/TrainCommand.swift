import ArgumentParser
import BrSGDCluster
import BrSGDExperiments
import BrSGDRecords
import Datasets
import Foundation
import NeuralEngine
import TensorIO

/// `brsgd train`: Algorithm 1 in one process, m simulated workers, some Byzantine.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a model by synchronous SGD with m simulated workers, some of them Byzantine.",
        discussion: """
            Each round every worker computes a gradient on its own mini-batch (honest workers \
            in parallel on every core), the Byzantine workers replace theirs according to \
            --attack, and the master aggregates them with --rule and steps the model. The \
            test set is evaluated after each epoch. Same seed, same bytes.

            The experiment is checked whole before any data is loaded: every value's range, \
            options that do not apply to the chosen rule or attack, output paths. The results \
            go to standard output (--format table or json), progress to standard error. \
            --config replays a run record (or reads an experiment file), options beside it \
            replace its fields.

            Examples:
              brsgd train --workers 1 --epochs 5 --batch-size 64 --lr 0.03 --seed 1 --output run.json
              brsgd train --workers 20 --byzantine 5 --attack gaussian --rule brsgd --beta 0.5 --batch-size 16 --epochs 10 --save-model model.npy
              brsgd train --workers 20 --byzantine-fraction 0.25 --attack alie --rule krum --partition dirichlet --dirichlet-alpha 0.5
              brsgd train --config run.json --save-model replayed.npy
              brsgd train --workers 20 --byzantine 9 --attack ipm --rule brsgd-robust --dry-run > experiment.json
            """)

    @OptionGroup var experiment: TrainingOptions

    @Option(name: .long, help: "Write the run record (the experiment, per-epoch test accuracy and loss, aggregation times, Byzantine selections, skipped rounds) as JSON here.")
    var output: String?

    @Option(name: .long, help: "Write the final model's flat parameters as a 1-D float32 .npy (or .json) here.")
    var saveModel: String?

    @Option(name: .long, help: "What to print on standard output: table (the epochs and a summary) or json (the run record).")
    var format: OutputFormat = .table

    @Flag(name: .long, help: "No progress on standard error; only the results on standard output.")
    var quiet = false

    @Flag(name: .long, help: "Check everything, print the resolved experiment as JSON (an experiment file for --config), and stop before loading any data.")
    var dryRun = false

    func run() throws {
        try reportingErrors { try train() }
    }

    private func train() throws {
        let checked = try experiment.checkedExperiment()
        let record = try OutputFile.check(output, option: "--output", extensions: ["json"], notOver: [("--config", experiment.config)])
        let model = try OutputFile.check(saveModel, option: "--save-model", extensions: ["npy", "json"],
                                         notOver: [("--config", experiment.config), ("--output", output)])
        let config = checked.experiment
        if dryRun {
            print(String(decoding: try config.jsonData(), as: UTF8.self))
            return
        }
        let runner = ExperimentRunner(locator: experiment.locator)
        // Missing data fails here, before the run is announced.
        let trainingCount = try runner.data(config.dataset).train.count
        let bar = ProgressBar(enabled: Terminal.isInteractive && !quiet)
        let epochCount = (config.totalRounds(trainingCount: trainingCount) + config.roundsPerEpoch(trainingCount: trainingCount) - 1)
            / config.roundsPerEpoch(trainingCount: trainingCount)
        if !quiet {
            Terminal.note("training \(config.model.rawValue) on \(config.dataset.rawValue): m = \(config.workers), b = \(config.byzantine)"
                          + (config.byzantine > 0 ? " (\(checked.attack?.name ?? config.attackName))" : "")
                          + ", rule \(checked.rule.name), \(config.lengthDescription), batch \(config.batchSize) per worker, "
                          + "η = \(config.learningRate), seed \(config.seed)")
        }
        let result: (record: RunRecord, model: [Float])
        do {
            result = try runner.run(checked, progress: { p in
                let fraction = (Double(p.epoch - 1) + Double(p.roundInEpoch) / Double(p.roundsPerEpoch)) / Double(p.epochs)
                bar.update(fraction: fraction, prefix: "epoch \(p.epoch)/\(p.epochs)",
                           status: String(format: "round %d/%d  loss %.4f  %.0f samples/s", p.roundInEpoch,
                                          p.roundsPerEpoch, p.trainLoss, p.samplesPerSecond)
                               + (p.skippedRounds > 0 ? "  \(p.skippedRounds) skipped" : ""))
            }, epochEnded: { e in
                if !quiet {
                    bar.log(String(format: "epoch %d/%d  test accuracy %.2f%%  test loss %.4f  train loss %.4f  %.1f s",
                                   e.epoch, epochCount, e.testAccuracy * 100, e.testLoss, e.trainLoss, e.seconds))
                }
            })
        } catch let error as DatasetError {
            bar.finish()
            throw CommandError(error.message)
        } catch {
            bar.finish()
            throw error
        }
        bar.finish()
        // Each output on its own: a failed record does not lose the model, nor the reverse.
        var written: [OutputFile] = [], failed = false
        if let record { if record.write(try result.record.jsonData()) { written.append(record) } else { failed = true } }
        if let model { if model.writeVector(result.model) { written.append(model) } else { failed = true } }
        try printResults(result.record, format: format, outputs: written)
        if result.record.skippedRounds > 0 {
            Terminal.note("warning: \(result.record.skippedRounds) of \(result.record.rounds) rounds could not be aggregated and were skipped (the model diverged, or too few finite gradients for the rule)")
        }
        if failed { throw OutputsFailed() }
    }
}

/// Prints a finished run on standard output: a table of its epochs and a summary line, or
/// its record as JSON. Shared by `train` and `master`.
func printResults(_ record: RunRecord, format: OutputFormat, outputs: [OutputFile]) throws {
    switch format {
    case .json:
        print(String(decoding: try record.jsonData(), as: UTF8.self))
    case .table:
        var table = SummaryTable(headers: ["epoch", "test accuracy", "test loss", "train loss", "seconds"],
                                 alignments: [.right, .right, .right, .right, .right])
        for e in record.epochs {
            // A master without a test set (--parameters) evaluated nothing: no NaN in the table.
            table.append(["\(e.epoch)", record.evaluated ? String(format: "%.2f%%", e.testAccuracy * 100) : "–",
                          record.evaluated ? String(format: "%.4f", e.testLoss) : "–",
                          String(format: "%.4f", e.trainLoss), String(format: "%.1f", e.seconds)])
        }
        print(table.markdown)
        if let evaluations = record.evaluations, !evaluations.isEmpty {
            print("test accuracy during training: " + evaluations.map {
                String(format: "%d: %.2f%%", $0.round, $0.testAccuracy * 100)
            }.joined(separator: ", ") + " (round: accuracy)")
        }
        var accuracy = record.evaluated ? String(format: "final test accuracy %.2f%%", record.finalTestAccuracy * 100)
            : "not evaluated"
        if record.evaluated && record.evaluations != nil {
            accuracy += String(format: " (peak %.2f%%)", record.peakTestAccuracy * 100)
        }
        print(String(format: "%@ after %d epochs (%d rounds, %d skipped) in %@; aggregation %.2f ms per round (median)",
                     accuracy, record.epochs.count, record.rounds, record.skippedRounds, clock(record.totalSeconds),
                     record.aggregationTiming.median)
              + (outputs.isEmpty ? "" : "; wrote " + outputs.map(\.url.path).joined(separator: ", ")))
    }
}
