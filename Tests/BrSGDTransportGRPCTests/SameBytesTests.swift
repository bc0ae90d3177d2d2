import BrSGDCluster
import BrSGDExperiments
import Datasets
import Foundation
import Testing
@testable import BrSGDTransportGRPC

/// The networked run gives the in-process simulation's bytes: master and workers in this
/// process, talking gRPC over loopback, against `ExperimentRunner.run` on the same config.
@Suite("Same results over the network", .enabled(if: fashionMNISTAvailable), .serialized)
struct SameBytesTests {
    /// Logistic regression, m = 3 with one Gaussian attacker, BrSGD, 10 rounds, one epoch.
    static let config = ExperimentConfig(
        dataset: "fashion-mnist", model: "logistic", workers: 3, byzantineCount: 1, attack: "gaussian",
        rule: "brsgd", ruleParameters: ["beta": 0.5], epochs: 1, batchSize: 2000, learningRate: 0.05, seed: 11,
        testSubsetSize: 200)


    /// Master and workers over loopback. With `checkpoint`, the master writes one every 2
    /// rounds and dies after round 5 (its memory is lost: round 5 is done again); a second
    /// master on the same port resumes from round 4's checkpoint, and the workers find it
    /// by themselves.
    static func networked(_ config: ExperimentConfig, runner: ExperimentRunner, checkpoint: URL? = nil) async throws
        -> NetworkRunResult {
        let simulation = try runner.simulation(for: config)
        let (train, test) = try runner.data(config.dataset)
        var options = NetworkMasterOptions()
        options.port = 0
        options.finishGrace = .milliseconds(500)
        options.token = "a-test-token-of-enough-length"
        options.checkpoint = checkpoint
        options.checkpointEvery = checkpoint == nil ? 0 : 2
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let firstLife = options
        return try await withThrowingTaskGroup(of: NetworkRunResult?.self) { group in
            group.addTask {
                func serve(_ options: NetworkMasterOptions) async throws -> NetworkRunResult {
                    try await NetworkMaster.run(
                        config: config, simulation: simulation, trainingCount: train.count, test: test,
                        options: options, logger: silentLogger, onListening: { portSink.yield($0) })
                }
                guard checkpoint != nil else { return try await serve(firstLife) }
                var dying = firstLife
                dying.crashAfterRounds = 5
                do {
                    _ = try await serve(dying)
                    throw TestFailure("the first master was to crash after round 5")
                } catch is SimulatedCrash {}
                var secondLife = firstLife
                secondLife.resume = true
                secondLife.port = await Self.lastPort.value
                return try await serve(secondLife)
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw TestFailure("the master did not listen") }
            await Self.lastPort.set(port)
            for worker in 0 ..< config.workers {
                var workerOptions = NetworkWorkerOptions(host: "127.0.0.1", port: port, workerID: worker)
                workerOptions.token = options.token
                workerOptions.giveUpAfter = .seconds(60)
                if worker < config.byzantineCount { workerOptions.attack = config.attack }
                group.addTask {
                    _ = try await NetworkWorker.run(workerOptions, logger: silentLogger) { _ in train }
                    return nil
                }
            }
            var result: NetworkRunResult?
            for try await outcome in group where outcome != nil { result = outcome }
            return try #require(result)
        }
    }

    actor PortBox {
        var value = 0
        func set(_ port: Int) { value = port }
    }

    static let lastPort = PortBox()

    @Test func loopbackRunSavesTheSimulationsModelByteForByte() async throws {
        let runner = ExperimentRunner(threads: 2)
        let (record, model) = try runner.run(Self.config)
        let networked = try await Self.networked(Self.config, runner: runner)
        #expect(networked.result.rounds == 10)
        #expect(networked.result.finalParameters.map(\.bitPattern) == model.map(\.bitPattern))
        let epochs = networked.result.epochs
        #expect(epochs.map(\.testAccuracy) == record.epochs.map(\.testAccuracy))
        #expect(epochs.map(\.testLoss) == record.epochs.map(\.testLoss))
        #expect(epochs.map(\.trainLoss) == record.epochs.map(\.trainLoss))
        #expect(networked.result.byzantineSelections == [0: record.byzantineSelection.workers.first?.selectedRounds ?? -1])
        #expect(networked.rejections.values.allSatisfy { $0 == 0 })
    }
}

extension SameBytesTests {
    @Test func aKilledMasterResumedFromItsCheckpointLosesNothing() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("brsgd-resume-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let runner = ExperimentRunner(threads: 2)
        let (record, model) = try runner.run(Self.config)
        let networked = try await Self.networked(Self.config, runner: runner,
                                                 checkpoint: directory.appendingPathComponent("ck.json"))
        #expect(networked.resumedAtRound == 4)
        #expect(networked.result.rounds == 10)
        #expect(networked.result.finalParameters.map(\.bitPattern) == model.map(\.bitPattern))
        #expect(networked.result.epochs.map(\.testAccuracy) == record.epochs.map(\.testAccuracy))
        #expect(networked.result.epochs.map(\.trainLoss) == record.epochs.map(\.trainLoss))
    }
}
