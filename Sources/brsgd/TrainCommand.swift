import ArgumentParser
import BrSGDCluster
import BrSGDExperiments
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

            Examples:
              brsgd train --model lenet --dataset fashion-mnist --workers 1 --epochs 5 --batch-size 64 --lr 0.03 --seed 1 --output run.json
              brsgd train --workers 20 --byzantine 5 --attack gaussian --rule brsgd --beta 0.5 --batch-size 16 --epochs 10 --output run.json --save-model model.npy
              brsgd train --workers 20 --byzantine-fraction 0.25 --attack alie --rule krum --partition dirichlet --alpha 0.5
            """)

    @OptionGroup var experiment: ExperimentOptions

    @Option(name: .long, help: "Write the run record (config, per-epoch test accuracy and loss, aggregation times, Byzantine selections) as JSON here.")
    var output: String?

    @Option(name: .long, help: "Write the final model's flat parameters as a 1-D float32 .npy (or .json) here.")
    var saveModel: String?

    @Flag(name: .long, help: "Print only the final line.")
    var quiet = false

    func run() throws {
        let config = try experiment.experimentConfig()
        BLAS.setThreadCount(1)  // one worker per core: BLAS must not fight the workers for cores
        let runner = ExperimentRunner(locator: experiment.locator, threads: experiment.threads)
        let bar = ProgressBar(enabled: Terminal.isInteractive && !quiet)
        if !quiet {
            Terminal.note("training \(config.model) on \(config.dataset): m = \(config.workers), b = \(config.byzantineCount)"
                          + (config.byzantineCount > 0 ? " (\(config.attack))" : "") + ", rule \(try ExperimentRunner.rule(for: config).name), "
                          + "\(config.epochs) epochs, batch \(config.batchSize) per worker, η = \(config.learningRate), seed \(config.seed)")
        }
        let result: (record: RunRecord, model: [Float])
        do {
            result = try runner.run(config, progress: { p in
                let fraction = (Double(p.epoch - 1) + Double(p.roundInEpoch) / Double(p.roundsPerEpoch)) / Double(p.epochs)
                bar.update(fraction: fraction, prefix: "epoch \(p.epoch)/\(p.epochs)",
                           status: String(format: "round %d/%d  loss %.4f  %.0f samples/s", p.roundInEpoch,
                                          p.roundsPerEpoch, p.trainLoss, p.samplesPerSecond))
            }, epochEnded: { e in
                if !quiet {
                    bar.log(String(format: "epoch %d/%d  test accuracy %.2f%%  test loss %.4f  train loss %.4f  %.1f s",
                                   e.epoch, config.epochs, e.testAccuracy * 100, e.testLoss, e.trainLoss, e.seconds))
                }
            })
        } catch let error as ExperimentError {
            bar.finish()
            throw CommandError(error.message)
        }
        bar.finish()
        if let output {
            try result.record.write(to: URL(fileURLWithPath: output))
        }
        if let saveModel {
            do {
                try TensorFile.writeVector(result.model, to: URL(fileURLWithPath: saveModel))
            } catch {
                throw CommandError("cannot write --save-model: \(error)")
            }
        }
        let r = result.record
        Terminal.note(String(format: "final test accuracy %.2f%% after %d epochs in %@; aggregation %.2f ms per round (median)",
                             r.finalTestAccuracy * 100, r.epochs.count, clock(r.totalSeconds), r.aggregationTiming.median)
                      + (output.map { " → \($0)" } ?? ""))
    }
}
