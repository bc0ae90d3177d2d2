import BrSGDCluster
import BrSGDRecords
import ByzantineAttacks
import NeuralEngine
import RobustAggregation
import Datasets
import Foundation
import TestSupport
import Testing
@testable import BrSGDTransportGRPC

/// The networked run gives the in-process simulation's bytes: master and workers in this
/// process, talking gRPC over loopback, against `Simulation.run` on the same experiment —
/// on synthetic data (logistic regression, 4 features, 2 classes), so it runs anywhere.
@Suite("Same results over the network", .serialized)
struct SameBytesTests {
    static let model = Model.logisticRegression(inputSize: 4, classCount: 2)
    static let problem = LogisticRegressionProblem(featureCount: 4, classCount: 2, seed: 5)
    static let train = problem.dataset(worker: 0, count: 600)
    static let test = problem.dataset(worker: 1, count: 200)
    /// m = 3 with one Gaussian attacker, BrSGD, batch 20: ⌈600 / 60⌉ = 10 rounds, one epoch.
    static let (workers, byzantine, batchSize, seed) = (3, 1, 20, UInt64(11))
    static let learningRate: Float = 0.05

    static var simulation: SimulationConfiguration { simulation() }

    /// The run in process; with worker momentum β and the attack given (one whose
    /// configuration the networked Byzantine worker is given too).
    static func simulation(workerMomentum: Float = 0, attack: AttackKind = .gaussian,
                           rule: any AggregationRule = BrSGD()) -> SimulationConfiguration {
        precondition(attack == .gaussian || attack == .signFlip, "the networked workers are given these two")
        let made: any Attack = attack == .gaussian ? GaussianAttack() : SignFlipAttack()
        return SimulationConfiguration(model: model, workerCount: workers, byzantineCount: byzantine, attack: made,
                                       rule: rule, epochs: 1, batchSize: batchSize, learningRate: learningRate, seed: seed,
                                       threads: 2, workerMomentum: workerMomentum)
    }

    static var plan: MasterPlan { plan() }

    static func plan(rule: any AggregationRule = BrSGD()) -> MasterPlan {
        let config = simulation
        return MasterPlan(
            initialParameters: model.initialParameters(seed: RandomStreams.initialization(seed)), rule: rule,
            optimizer: SGD(learningRate: learningRate), workerCount: workers,
            rounds: config.roundsPerEpoch(trainingCount: train.count), byzantineWorkers: Array(0 ..< byzantine),
            evaluator: Evaluator(model: model, test: test, limit: nil, seed: seed, lanes: 1), identity: "same-bytes")
    }

    /// Master and workers over loopback. With `checkpoint`, the master writes one every 2
    /// rounds and dies after round 5 (its memory is lost: round 5 is done again); a second
    /// master on the same port resumes from round 4's checkpoint, and the workers find it
    /// by themselves.
    /// With `workerMomentum`, every worker keeps its momentum (the networked workers are told
    /// β as the simulation is), and the Byzantine one runs `attack`. `uploadBudget` is the
    /// master's ``NetworkMasterLimits/maxUploadBytesInFlight``.
    static func networked(checkpoint: URL? = nil, workerMomentum: Float = 0, attack: AttackKind = .gaussian,
                          uploadBudget: Int? = nil, rule: any AggregationRule = BrSGD(),
                          planned: MasterPlan? = nil) async throws -> NetworkRunResult {
        var options = NetworkMasterOptions()
        options.limits.maxUploadBytesInFlight = uploadBudget
        options.port = 0
        // Ends as soon as every worker has heard `finished`; far, so a loaded machine is not cut short.
        options.finishGrace = .seconds(10)
        options.token = "a-test-token-of-enough-length"
        options.checkpoint = checkpoint
        options.checkpointEvery = checkpoint == nil ? 0 : 2
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let firstLife = options, plan = planned ?? plan(rule: rule)
        return try await withThrowingTaskGroup(of: NetworkRunResult?.self) { group in
            group.addTask {
                func serve(_ options: NetworkMasterOptions) async throws -> NetworkRunResult {
                    try await NetworkMaster.run(plan: plan, options: options, logger: silentLogger,
                                                onListening: { portSink.yield($0) })
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
            for worker in 0 ..< workers {
                var workerOptions = NetworkWorkerOptions(host: "127.0.0.1", port: port, workerID: worker)
                workerOptions.token = options.token
                workerOptions.recovery.giveUpAfter = .seconds(60)
                let source = try EngineGradientSource(
                    worker: worker, model: model, train: train, workers: workers, byzantine: byzantine,
                    batchSize: batchSize, seed: seed, attack: worker < byzantine ? AttackConfiguration(kind: attack) : nil,
                    workerMomentum: workerMomentum, momentumHistory: 4)
                group.addTask {
                    _ = try await NetworkWorker.run(workerOptions, source: source, logger: silentLogger)
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
        let simulated = try Simulation.run(Self.simulation, train: Self.train, test: Self.test)
        let networked = try await Self.networked()
        #expect(networked.result.rounds == 10)
        #expect(bitwiseDifference(networked.result.finalParameters, simulated.finalParameters) == nil)
        #expect(networked.result.finalParameters != Self.plan.initialParameters, "the model moved")
        let epochs = networked.result.epochs
        #expect(epochs.map(\.testAccuracy) == simulated.epochs.map(\.testAccuracy))
        #expect(epochs.map(\.testLoss) == simulated.epochs.map(\.testLoss))
        #expect(epochs.map(\.trainLoss) == simulated.epochs.map(\.trainLoss))
        #expect(networked.result.byzantineSelections == simulated.byzantineSelections)
        #expect(networked.result.ledger.rejectedRows == simulated.ledger.rejectedRows)
        #expect(networked.rejections.values.allSatisfy { $0 == 0 })
    }
}

extension SameBytesTests {
    @Test func aKilledMasterResumedFromItsCheckpointLosesNothing() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("brsgd-resume-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let simulated = try Simulation.run(Self.simulation, train: Self.train, test: Self.test)
        let networked = try await Self.networked(checkpoint: directory.appendingPathComponent("ck.json"))
        #expect(networked.resumedAtRound == 4)
        #expect(networked.result.rounds == 10)
        #expect(bitwiseDifference(networked.result.finalParameters, simulated.finalParameters) == nil)
        #expect(networked.result.epochs.map(\.testAccuracy) == simulated.epochs.map(\.testAccuracy))
        #expect(networked.result.epochs.map(\.trainLoss) == simulated.epochs.map(\.trainLoss))
    }
}

extension SameBytesTests {
    /// Worker momentum β = 0.9 over the network: each honest worker's momentum, and the
    /// sign-flip attacker flipping its own momentum, give the simulation's bytes.
    @Test func workerMomentumOverTheNetworkSavesTheSimulationsModelByteForByte() async throws {
        let simulated = try Simulation.run(Self.simulation(workerMomentum: 0.9, attack: .signFlip), train: Self.train,
                                           test: Self.test)
        let plain = try Simulation.run(Self.simulation(attack: .signFlip), train: Self.train, test: Self.test)
        #expect(simulated.finalParameters != plain.finalParameters, "momentum changes the run")
        let networked = try await Self.networked(workerMomentum: 0.9, attack: .signFlip)
        #expect(networked.result.rounds == 10)
        #expect(bitwiseDifference(networked.result.finalParameters, simulated.finalParameters) == nil)
        #expect(networked.result.epochs.map(\.testLoss) == simulated.epochs.map(\.testLoss))
        #expect(networked.result.epochs.map(\.trainLoss) == simulated.epochs.map(\.trainLoss))
        #expect(networked.result.byzantineSelections == simulated.byzantineSelections)
        #expect(networked.rejections.values.allSatisfy { $0 == 0 })
    }

    /// The master killed after round 5 and resumed from round 4's checkpoint replays rounds
    /// 4 and 5: the living workers recompute them from the momentum they kept for round 3,
    /// and the run still ends on the simulation's bytes.
    @Test func aResumedMasterReplayingRoundsGetsTheSameMomentaAgain() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("brsgd-resume-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let simulated = try Simulation.run(Self.simulation(workerMomentum: 0.9, attack: .signFlip), train: Self.train,
                                           test: Self.test)
        let networked = try await Self.networked(checkpoint: directory.appendingPathComponent("ck.json"),
                                                 workerMomentum: 0.9, attack: .signFlip)
        #expect(networked.resumedAtRound == 4)
        #expect(bitwiseDifference(networked.result.finalParameters, simulated.finalParameters) == nil)
        #expect(networked.result.epochs.map(\.trainLoss) == simulated.epochs.map(\.trainLoss))
    }
}

extension SameBytesTests {
    /// A budget of one byte: every upload is let in only when the one before it is done (one
    /// always fits), and the run still ends on the simulation's bytes. (These uploads of
    /// d = 10 arrive whole in their first frame, so what runs is the budget's bookkeeping —
    /// waiting, letting in, giving back — not reads held back mid-message.)
    @Test func uploadsReadOneAtATimeSaveTheSimulationsModelByteForByte() async throws {
        let simulated = try Simulation.run(Self.simulation, train: Self.train, test: Self.test)
        let networked = try await Self.networked(uploadBudget: 1)
        #expect(networked.result.rounds == 10)
        #expect(bitwiseDifference(networked.result.finalParameters, simulated.finalParameters) == nil)
        #expect(networked.result.epochs.map(\.trainLoss) == simulated.epochs.map(\.trainLoss))
        #expect(networked.rejections.values.allSatisfy { $0 == 0 })
        #expect(networked.refusals.values.allSatisfy { $0 == 0 })
    }
}

extension SameBytesTests {
    /// Centered clipping centred on the previous aggregate keeps state across rounds: the
    /// networked master, killed after round 5 and resumed from round 4's checkpoint (which
    /// carries the last aggregate), still gives the simulation's bytes; and the state
    /// matters (the stateless start gives other bytes).
    @Test func aRuleWithHistoryResumedFromItsCheckpointGivesTheSimulationsBytes() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("brsgd-history-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let rule = CenteredClipping(radius: 0.05, iterations: 1, start: .previousAggregate)
        let simulated = try Simulation.run(Self.simulation(rule: rule), train: Self.train, test: Self.test)
        let networked = try await Self.networked(checkpoint: directory.appendingPathComponent("ck.json"), rule: rule)
        #expect(networked.resumedAtRound == 4)
        #expect(bitwiseDifference(networked.result.finalParameters, simulated.finalParameters) == nil)
        let stateless = try Simulation.run(Self.simulation(rule: CenteredClipping(radius: 0.05, iterations: 1, start: .zero)),
                                           train: Self.train, test: Self.test)
        #expect(bitwiseDifference(stateless.finalParameters, simulated.finalParameters) != nil, "the centre carried over matters")
    }
}

extension SameBytesTests {
    /// A run counted in rounds (13: one epoch of 10, then a short one of 3) that evaluates
    /// every 4 rounds books the simulation's evaluations and epochs over the network.
    @Test func roundsAndEvaluationsDuringTrainingMatchTheSimulation() async throws {
        var simulation = Self.simulation
        simulation.rounds = 13
        simulation.evaluateEvery = 4
        let simulated = try Simulation.run(simulation, train: Self.train, test: Self.test)
        #expect(simulated.ledger.evaluations?.map(\.round) == [0, 4, 8, 12, 13])
        #expect(simulated.epochs.map(\.rounds) == [10, 3])
        var plan = MasterPlan(
            initialParameters: Self.model.initialParameters(seed: RandomStreams.initialization(Self.seed)), rule: BrSGD(),
            optimizer: SGD(learningRate: Self.learningRate), workerCount: Self.workers, rounds: 13, roundsPerEpoch: 10,
            byzantineWorkers: Array(0 ..< Self.byzantine),
            evaluator: Evaluator(model: Self.model, test: Self.test, limit: nil, seed: Self.seed, lanes: 1),
            identity: "same-bytes-rounds")
        plan.evaluateEvery = 4
        let networked = try await Self.networked(planned: plan)
        #expect(networked.result.rounds == 13)
        #expect(bitwiseDifference(networked.result.finalParameters, simulated.finalParameters) == nil)
        #expect(networked.result.ledger.evaluations == simulated.ledger.evaluations)
        #expect(networked.result.epochs.map(\.rounds) == [10, 3])
        #expect(networked.result.epochs.map(\.testAccuracy) == simulated.epochs.map(\.testAccuracy))
    }
}
