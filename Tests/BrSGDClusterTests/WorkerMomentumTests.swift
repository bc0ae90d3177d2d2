import BrSGDRecords
import ByzantineAttacks
import Datasets
import Foundation
import NeuralEngine
import RobustAggregation
import TestSupport
import Testing
@testable import BrSGDCluster

/// m_t = β·m_{t−1} + (1 − β)·g_t, kept by round.
@Suite struct WorkerMomentumTests {
    /// β = 0.5 and gradients of small binary fractions: every value is exact.
    static let gradients: [[Float]] = [[2, -4], [4, 0], [0, 8]]

    func advance(_ momentum: inout WorkerMomentum, round: Int, _ gradient: [Float]) throws -> [Float] {
        var vector = gradient
        try vector.withUnsafeMutableBufferPointer { try momentum.advance(round: round, $0) }
        return vector
    }

    /// Hand-worked, three rounds:
    /// m_0 = 0.5·0 + 0.5·(2, −4) = (1, −2);
    /// m_1 = 0.5·(1, −2) + 0.5·(4, 0) = (2.5, −1);
    /// m_2 = 0.5·(2.5, −1) + 0.5·(0, 8) = (1.25, 3.5).
    @Test func threeRoundsByHand() throws {
        var momentum = WorkerMomentum(beta: 0.5, parameterCount: 2, historyLength: 3)
        #expect(try advance(&momentum, round: 0, Self.gradients[0]) == [1, -2])
        #expect(try advance(&momentum, round: 1, Self.gradients[1]) == [2.5, -1])
        #expect(try advance(&momentum, round: 2, Self.gradients[2]) == [1.25, 3.5])
        #expect(momentum.keptRounds == [0, 1, 2] && momentum.latestRound == 2)
        #expect(momentum.momentum(after: 1) == [2.5, -1])
    }

    /// The kernel the simulation runs in place on its buffers gives the same bytes as the
    /// kept history, from m_{−1} = 0 (a zero-filled buffer) on, for a β that is not exact.
    @Test func theSimulationsInPlaceKernelAgreesWithTheHistory() throws {
        let beta: Float = 0.9
        var kept = WorkerMomentum(beta: beta, parameterCount: 3, historyLength: 2)
        var buffer: [Float] = [0, 0, 0]
        for (t, g) in [[0.3, -1.7, 1e-3], [-2.2, 0.01, 5], [1, 1, -0.0]].map({ $0.map(Float.init) }).enumerated() {
            let row = g
            buffer.withUnsafeMutableBufferPointer { m in
                row.withUnsafeBufferPointer { WorkerMomentum.accumulate(previous: UnsafeBufferPointer(m), gradient: $0, beta: beta, into: m) }
            }
            let sent = try advance(&kept, round: t, g)
            #expect(bitwiseDifference(sent, buffer) == nil)
        }
    }

    /// A master that replays round 1 gets m_1 again, computed from the kept m_0; the rounds
    /// after it are dropped, and round 2 follows as before.
    @Test func aReplayedRoundGivesTheSameBytesAgain() throws {
        var momentum = WorkerMomentum(beta: 0.5, parameterCount: 2, historyLength: 3)
        for t in 0 ..< 3 { _ = try advance(&momentum, round: t, Self.gradients[t]) }
        #expect(try advance(&momentum, round: 1, Self.gradients[1]) == [2.5, -1])
        #expect(momentum.keptRounds == [0, 1])
        #expect(try advance(&momentum, round: 2, Self.gradients[2]) == [1.25, 3.5])
        // A master restarted from scratch asks round 0: the momentum starts from zero again.
        #expect(try advance(&momentum, round: 0, Self.gradients[0]) == [1, -2])
        #expect(momentum.keptRounds == [0])
    }

    /// A replay further back than the history is refused, and changes nothing.
    @Test func aReplayBeyondTheHistoryIsRefused() throws {
        var momentum = WorkerMomentum(beta: 0.5, parameterCount: 2, historyLength: 2)
        for t in 0 ..< 3 { _ = try advance(&momentum, round: t, Self.gradients[t]) }
        #expect(momentum.keptRounds == [1, 2])
        let error = #expect(throws: WorkerFailure.self) { try advance(&momentum, round: 1, Self.gradients[1]) }
        #expect(error?.code == .momentumLost)
        #expect(error?.message.contains("after round 0") == true)
        #expect(momentum.keptRounds == [1, 2])
        #expect(try advance(&momentum, round: 2, Self.gradients[2]) == [1.25, 3.5], "round 2 can still be replayed")
    }

    /// A round the worker never computed (the master closed it without this worker) adds
    /// nothing: m_2 = 0.5·m_0 + 0.5·g_2 = (0.5, 3).
    @Test func aMissedRoundCarriesTheMomentumOver() throws {
        var momentum = WorkerMomentum(beta: 0.5, parameterCount: 2, historyLength: 2)
        _ = try advance(&momentum, round: 0, Self.gradients[0])
        #expect(try advance(&momentum, round: 2, Self.gradients[2]) == [0.5, 3])
    }

    /// A worker that joins at round 5 starts from m = 0 there.
    @Test func aLateWorkerStartsFromZero() throws {
        var momentum = WorkerMomentum(beta: 0.5, parameterCount: 2)
        #expect(try advance(&momentum, round: 5, Self.gradients[0]) == [1, -2])
        #expect(momentum.firstRound == 5)
    }
}

/// The networked worker's source with momentum: the same bytes as the simulation's
/// kernel, and a checkpoint that survives a restart.
@Suite struct WorkerMomentumSourceTests {
    static let model = Model.logisticRegression(inputSize: 4, classCount: 2)
    static let train = LogisticRegressionProblem(featureCount: 4, classCount: 2, seed: 5).dataset(worker: 0, count: 400)
    static let rounds = 10

    /// w_t: the initial model moved a little every round (the source does not care where
    /// the parameters come from, only that round t's are always the same).
    static func parameters(round: Int) -> [Float] {
        model.initialParameters(seed: 3).enumerated().map { $1 + Float(round) * 0.01 * Float($0 % 3) }
    }

    static func source(worker: Int = 1, beta: Float = 0.9, attack: AttackConfiguration? = nil,
                       checkpoint: URL? = nil, history: Int = 4) throws -> EngineGradientSource {
        try EngineGradientSource(worker: worker, model: model, train: train, workers: 3, byzantine: attack == nil ? 0 : 1,
                                 batchSize: 20, seed: 11, attack: attack, workerMomentum: beta, momentumHistory: history,
                                 checkpoint: checkpoint, identity: "test-run")
    }

    static func vector(_ source: any GradientSource, round: Int) throws -> [Float] {
        var out = [Float](repeating: .nan, count: model.parameterCount)
        let w = parameters(round: round)
        _ = try w.withUnsafeBufferPointer { w in
            try out.withUnsafeMutableBufferPointer { try source.gradient(round: round, parameters: w, into: $0) }
        }
        return out
    }

    static func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("brsgd-wm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    /// The source's vectors are the momenta of its plain gradients, by the recursion.
    @Test func theSourceSendsTheMomentumOfItsGradients() throws {
        let plain = try Self.source(beta: 0), momentum = try Self.source(beta: 0.9)
        var m = [Float](repeating: 0, count: Self.model.parameterCount)
        for t in 0 ..< 4 {
            let g = try Self.vector(plain, round: t)
            m.withUnsafeMutableBufferPointer { m in
                g.withUnsafeBufferPointer { WorkerMomentum.accumulate(previous: UnsafeBufferPointer(m), gradient: $0, beta: 0.9, into: m) }
            }
            #expect(bitwiseDifference(try Self.vector(momentum, round: t), m) == nil)
        }
    }

    /// A sign-flip attacker flips its own momentum: −m_t.
    @Test func anAttackerStartingFromItsGradientStartsFromItsMomentum() throws {
        let honest = try Self.source(worker: 0, beta: 0.9)
        let attacker = try Self.source(worker: 0, beta: 0.9, attack: AttackConfiguration(kind: .signFlip))
        for t in 0 ..< 3 {
            #expect(try Self.vector(attacker, round: t) == (try Self.vector(honest, round: t)).map { -$0 })
        }
    }

    /// The reusable wrapper around a source without momentum gives the engine's own bytes.
    @Test func theWrapperGivesAnySourceTheSameMomentum() throws {
        let wrapped = MomentumGradientSource(wrapping: try Self.source(beta: 0), worker: 1, beta: 0.9)
        try wrapped.prepare(experiment: nil, parameterCount: Self.model.parameterCount)
        let engine = try Self.source(beta: 0.9)
        for t in 0 ..< 4 {
            #expect(bitwiseDifference(try Self.vector(wrapped, round: t), (try Self.vector(engine, round: t))) == nil)
        }
        #expect(wrapped.momentum?.latestRound == 3)
    }

    /// Killed after round 4 and restarted from its checkpoint, the worker sends round 4 again
    /// (its upload never arrived) and rounds 5…9 with the bytes of a worker never stopped.
    @Test func aRestartedWorkerResumesItsMomentumFromItsCheckpoint() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("worker1.json")
        let uninterrupted = try Self.source()
        let expected = try (0 ..< Self.rounds).map { try Self.vector(uninterrupted, round: $0) }

        let first = try Self.source(checkpoint: file)
        for t in 0 ... 4 { #expect(try Self.vector(first, round: t) == expected[t]) }
        let saved = try #require(try WorkerCheckpoint.read(from: file))
        #expect(saved.round == 4 && saved.history.map(\.round) == [1, 2, 3, 4] && saved.worker == 1)

        let restarted = try Self.source(checkpoint: file)
        #expect(try Self.vector(restarted, round: 4) == expected[4], "the round whose upload was lost")
        for t in 5 ..< Self.rounds { #expect(bitwiseDifference(try Self.vector(restarted, round: t), expected[t]) == nil) }

        // Restarted again, now at round 9, with a master that resumed at round 7.
        let again = try Self.source(checkpoint: file)
        for t in 7 ..< Self.rounds { #expect(try Self.vector(again, round: t) == expected[t]) }
    }

    /// A checkpoint of another worker, another run or another β is refused, naming the file.
    @Test func aCheckpointOfAnotherWorkerOrRunIsRefused() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("w.json")
        _ = try Self.vector(try Self.source(worker: 1, checkpoint: file), round: 0)
        for (label, make) in [
            ("worker", { try Self.source(worker: 2, checkpoint: file) }),
            ("β", { try Self.source(beta: 0.5, checkpoint: file) }),
        ] as [(String, () throws -> EngineGradientSource)] {
            let error = #expect(throws: WorkerFailure.self, "\(label)") { try make() }
            #expect(error?.code == .badCheckpoint && error?.message.contains(file.path) == true, "\(label)")
        }
        let otherRun = #expect(throws: WorkerFailure.self) {
            try EngineGradientSource(worker: 1, model: Self.model, train: Self.train, workers: 3, batchSize: 20, seed: 11,
                                     workerMomentum: 0.9, checkpoint: file, identity: "another-run")
        }
        #expect(otherRun?.message.contains("another run") == true)
        try Data("{\"format_version\": 1}".utf8).write(to: file)
        #expect(throws: WorkerFailure.self) { try Self.source(checkpoint: file) }
    }

    /// Without worker momentum the worker holds no state and writes no file.
    @Test func withoutMomentumNothingIsWritten() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("w.json")
        _ = try Self.vector(try Self.source(beta: 0, checkpoint: file), round: 0)
        #expect(!FileManager.default.fileExists(atPath: file.path))
    }

    /// Told a standardised experiment, the worker standardises the training set it loads:
    /// its gradient is that of a source given the standardised set.
    @Test func theWorkerStandardisesWhatItLoadsWhenTheExperimentSaysSo() throws {
        let problem = LogisticRegressionProblem(featureCount: 784, classCount: 10, seed: 2)
        let raw = problem.dataset(worker: 0, count: 300)
        let experiment = Experiment(model: .logistic, workers: 2, batchSize: 16, seed: 4, workerMomentum: 0.5, normalize: true)
        let told = EngineGradientSource(worker: 1) { _ in raw }
        try told.prepare(experiment: experiment, parameterCount: ModelName.logistic.parameterCount ?? 0)
        let given = try EngineGradientSource(
            worker: 1, model: ModelName.logistic.makeModel(), train: DatasetName.fashionMNIST.trainingStandardization.apply(to: raw),
            workers: 2, batchSize: 16, seed: 4, workerMomentum: 0.5)
        let unstandardised = try EngineGradientSource(
            worker: 1, model: ModelName.logistic.makeModel(), train: raw, workers: 2, batchSize: 16, seed: 4, workerMomentum: 0.5)
        let w = ModelName.logistic.makeModel().initialParameters(seed: 1)
        func run(_ source: any GradientSource) throws -> [Float] {
            var out = [Float](repeating: 0, count: w.count)
            _ = try w.withUnsafeBufferPointer { w in try out.withUnsafeMutableBufferPointer { try source.gradient(round: 0, parameters: w, into: $0) } }
            return out
        }
        #expect(try run(told) == (try run(given)))
        #expect(try run(told) != (try run(unstandardised)))
    }
}

/// The simulation with worker momentum.
@Suite struct SimulationWorkerMomentumTests {
    static let problem = LogisticRegressionProblem(featureCount: 8, classCount: 3, separation: 4, seed: 21)
    static let train = problem.dataset(worker: 0, count: 600)
    static let test = problem.dataset(worker: 1, count: 200)

    func config(beta: Float, threads: Int, attack: (any Attack)? = SignFlipAttack()) -> SimulationConfiguration {
        SimulationConfiguration(
            model: .mlp(inputSize: 8, hidden: [16], outputCount: 3), workerCount: 6, byzantineCount: attack == nil ? 0 : 1,
            attack: attack, rule: BrSGD(), epochs: 2, batchSize: 10, learningRate: 0.5, seed: 5, threads: threads,
            workerMomentum: beta)
    }

    @Test func theSameBytesWhateverTheThreadCount() throws {
        let one = try Simulation.run(config(beta: 0.9, threads: 1), train: Self.train, test: Self.test)
        let two = try Simulation.run(config(beta: 0.9, threads: 2), train: Self.train, test: Self.test)
        #expect(bitwiseDifference(one.finalParameters, two.finalParameters) == nil)
        let plain = try Simulation.run(config(beta: 0, threads: 2), train: Self.train, test: Self.test)
        #expect(plain.finalParameters != one.finalParameters)
    }

    /// With one honest worker and the mean, the master steps along exactly the momenta the
    /// engine source sends for the same parameters.
    @Test func oneWorkerStepsAlongItsMomenta() throws {
        let model = Model.mlp(inputSize: 8, hidden: [16], outputCount: 3)
        let config = SimulationConfiguration(model: model, workerCount: 1, byzantineCount: 0, attack: nil, rule: Mean(),
                                             epochs: 1, batchSize: 100, learningRate: 0.5, seed: 5, threads: 1,
                                             workerMomentum: 0.75)
        let simulated = try Simulation.run(config, train: Self.train, test: Self.test)
        let source = try EngineGradientSource(worker: 0, model: model, train: Self.train, workers: 1, batchSize: 100, seed: 5,
                                              workerMomentum: 0.75)
        var w = model.initialParameters(seed: RandomStreams.initialization(5))
        var optimizer = SGD(learningRate: 0.5)
        for t in 0 ..< config.roundsPerEpoch(trainingCount: Self.train.count) {
            var m = [Float](repeating: 0, count: w.count)
            _ = try w.withUnsafeBufferPointer { w in try m.withUnsafeMutableBufferPointer { try source.gradient(round: t, parameters: w, into: $0) } }
            optimizer.step(parameters: &w, gradient: m)
        }
        #expect(bitwiseDifference(simulated.finalParameters, w) == nil)
    }

    /// An experiment's fields reach the configuration.
    @Test func theExperimentsFieldsReachTheConfiguration() throws {
        let checked = try Experiment(model: .logistic, workers: 4, workerMomentum: 0.9, normalize: true).resolved().validated()
        let config = SimulationConfiguration(checked)
        #expect(config.workerMomentum == 0.9)
        #expect(config.inputStandardization == DatasetName.fashionMNIST.trainingStandardization)
        var raw = checked.experiment
        raw.normalize = false
        #expect(SimulationConfiguration(try raw.validated()).inputStandardization == nil)
    }

    /// The networked master's plan evaluates on the test set standardised as the simulation does.
    @Test func theMastersPlanEvaluatesOnTheStandardisedTestSet() throws {
        let problem = LogisticRegressionProblem(featureCount: 784, classCount: 10, seed: 2)
        let test = problem.dataset(worker: 1, count: 200)
        let checked = try Experiment(model: .logistic, workers: 2, normalize: true).resolved().validated()
        let plan = MasterPlan(checked, trainingCount: 600, test: test, evaluationThreads: 1)
        let model = ModelName.logistic.makeModel()
        let standardised = Evaluator(model: model, test: DatasetName.fashionMNIST.trainingStandardization.apply(to: test),
                                     limit: nil, seed: 1, lanes: 1)
        let raw = Evaluator(model: model, test: test, limit: nil, seed: 1, lanes: 1)
        let w = plan.initialParameters
        #expect(try #require(plan.evaluator).evaluate(w).loss == standardised.evaluate(w).loss)
        #expect(standardised.evaluate(w).loss != raw.evaluate(w).loss)
    }
}
