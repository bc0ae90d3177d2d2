import ArgumentParser
import BrSGDRecords
import Foundation
import NeuralEngine
import SeededRandom

/// `brsgd bench train`: training throughput (forward + backward + SGD step) on synthetic
/// data, in samples per second.
struct BenchTrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Measure training samples per second (forward, backward and SGD step) on random data.",
        discussion: """
            Trains on a fixed pool of random batches for the given time after a short warm-up \
            and reports samples per second and per CPU-second. With --threads 2 each batch is \
            cut into two halves computed concurrently. The kernels take the fastest path this \
            CPU runs; BRSGD_KERNELS=reference|avx2|avx512 forces one (the same bytes on every \
            path, only the speed differs), and the result names the path. Time release builds \
            only.
            """
    )

    enum ModelChoice: String, ExpressibleByArgument, CaseIterable {
        case lenet, mlp, logistic, linear
    }

    @Option(help: "The model to train, as `train --model` names it (mlp is 784–200–10 with ReLU; linear is a 784-input linear regression).")
    var model: ModelChoice = .lenet

    @Option(help: "Samples per batch.")
    var batchSize: Int = 32

    @Option(help: "Seconds to measure, after a warm-up.")
    var seconds: Double = 5

    @Option(help: "Threads to use (cores).")
    var threads: Int = 2

    @Option(help: "Rows computed at once inside each shard (default: the engine's choice for the model).")
    var microBatchSize: Int?

    @Option(name: .customLong("lr"), parsing: .unconditional, help: "The learning rate η of the SGD step.")
    var learningRate: Float = 0.03

    @Option(help: "The seed of the initial parameters and the random data.")
    var seed: UInt64 = 1

    @Option(help: "Output format: table or json.")
    var format: OutputFormat = .table

    func validate() throws {
        try reportingErrors {
            guard (1 ... 60_000).contains(batchSize) else { throw UsageError("--batch-size: is \(batchSize); it must lie in 1...60000") }
            guard (1 ... Experiment.maximumThreads).contains(threads) else {
                throw UsageError("--threads: is \(threads); it must lie in 1...\(Experiment.maximumThreads)")
            }
            guard seconds.isFinite && seconds > 0 && seconds <= 3600 else {
                throw UsageError("--seconds: is \(seconds); it must lie in (0, 3600]")
            }
            if let microBatchSize, !(1 ... batchSize).contains(microBatchSize) {
                throw UsageError("--micro-batch-size: is \(microBatchSize); it must lie in 1...\(batchSize) (--batch-size)")
            }
            guard learningRate.isFinite && learningRate > 0 else { throw UsageError("--lr: is \(learningRate); it must be a finite number > 0") }
        }
    }

    func makeModel() -> Model {
        switch model {
        // The models of `train` are built where `train` builds them: one name, one model.
        case .lenet: ModelName.lenet.makeModel()
        case .mlp: ModelName.mlp.makeModel()
        case .logistic: ModelName.logistic.makeModel()
        case .linear: .linearRegression(inputSize: 784)
        }
    }

    func run() async throws {
        let network = makeModel()
        let trainer = Trainer(model: network, seed: seed, optimizer: SGD(learningRate: learningRate),
                              maxBatchSize: batchSize, shardCount: threads, microBatchSize: microBatchSize)

        // A pool of random batches, reused in turn.
        let poolSize = 8
        var generator = SeededGenerator(seed: seed, stream: 1)
        let inputs = UnsafeMutableBufferPointer<Float>.allocate(capacity: poolSize * batchSize * network.inputSize)
        defer { inputs.deallocate() }
        for i in inputs.indices { inputs[i] = Float(generator.nextNormal()) }
        let labels = UnsafeMutableBufferPointer<Int32>.allocate(capacity: poolSize * batchSize)
        defer { labels.deallocate() }
        for i in labels.indices { labels[i] = Int32(generator.nextIndex(below: network.outputCount)) }
        let values = UnsafeMutableBufferPointer<Float>.allocate(capacity: poolSize * batchSize * network.outputCount)
        defer { values.deallocate() }
        for i in values.indices { values[i] = Float(generator.nextNormal()) }

        func step(_ index: Int) async -> Float {
            let slot = index % poolSize
            let x = UnsafeBufferPointer(rebasing: inputs[(slot * batchSize * network.inputSize)...])
            let targets: Targets = network.loss.takesLabels
                ? .labels(UnsafeBufferPointer(rebasing: labels[(slot * batchSize)...]))
                : .values(UnsafeBufferPointer(rebasing: values[(slot * batchSize * network.outputCount)...]))
            return await trainer.step(inputs: x, targets: targets, batchSize: batchSize)
        }

        let clock = ContinuousClock()
        let warmUp = clock.now.advanced(by: .milliseconds(500))
        var steps = 0
        while clock.now < warmUp {
            _ = await step(steps)
            steps += 1
        }
        let start = clock.now
        let cpuStart = processCPUSeconds()
        let deadline = start.advanced(by: .milliseconds(Int64(seconds * 1000)))
        var measured = 0
        var loss: Float = 0
        while clock.now < deadline {
            loss = await step(steps + measured)
            measured += 1
        }
        let elapsed = (clock.now - start) / .seconds(1)
        let cpuSeconds = processCPUSeconds() - cpuStart
        let samplesPerSecond = Double(measured * batchSize) / elapsed
        let samplesPerCPUSecond = Double(measured * batchSize) / cpuSeconds

        switch format {
        case .table:
            let rate = String(format: "%.0f", samplesPerSecond)
            print("\(model.rawValue) batch \(batchSize), \(threads) thread(s), \(trainer.workspace.kernelPath) kernels: "
                  + "\(rate) samples/s (\(measured) steps in \(String(format: "%.2f", elapsed)) s, "
                  + "\(String(format: "%.0f", samplesPerCPUSecond)) samples per CPU-second, "
                  + "last loss \(String(format: "%.4f", loss)))")
        case .json:
            let record = BenchTrainRecord(
                model: model.rawValue, batchSize: batchSize, threads: threads, kernels: trainer.workspace.kernelPath.rawValue,
                microBatchSize: trainer.workspace.microBatchSize, steps: measured, seconds: elapsed, cpuSeconds: cpuSeconds,
                samplesPerSecond: samplesPerSecond, samplesPerCPUSecond: samplesPerCPUSecond,
                parameterCount: network.parameterCount, lastLoss: loss, machine: .current())
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(record), as: UTF8.self))
        }
    }
}

/// One `bench train` result, as printed by `--format json`.
struct BenchTrainRecord: Encodable {
    var model: String
    var batchSize: Int
    var threads: Int
    /// The kernels' instruction-set path: reference, avx2 or avx512.
    var kernels: String
    var microBatchSize: Int
    var steps: Int
    var seconds: Double
    var cpuSeconds: Double
    var samplesPerSecond: Double
    var samplesPerCPUSecond: Double
    var parameterCount: Int
    var lastLoss: Float
    /// Where and when it ran.
    var machine: MachineInfo
}

/// CPU time used by every thread of this process so far, in seconds.
func processCPUSeconds() -> Double { processCPUMilliseconds() / 1e3 }
