import BrSGDRecords
import ByzantineAttacks
import Datasets
import NeuralEngine
import RobustAggregation
import TestSupport
import Testing
@testable import BrSGDCluster

/// A run counted in rounds, evaluations during training, the gamma partition over the
/// honest workers, and ByzFL's grid.
@Suite struct RoundsAndEvaluationTests {
    static let problem = LogisticRegressionProblem(featureCount: 8, classCount: 3, separation: 4, seed: 21)
    static let train = problem.dataset(worker: 0, count: 1200)
    static let test = problem.dataset(worker: 1, count: 300)

    /// m = 8, batch 10: ⌈1200 / 80⌉ = 15 rounds per epoch.
    func config(epochs: Int = 2, rounds: Int? = nil, evaluateEvery: Int? = nil,
                partition: PartitionScheme = .iid) -> SimulationConfiguration {
        SimulationConfiguration(
            model: .mlp(inputSize: 8, hidden: [16], outputCount: 3), workerCount: 8, byzantineCount: 2,
            attack: SignFlipAttack(), rule: CoordinateWiseMedian(), epochs: epochs, batchSize: 10, learningRate: 0.5, seed: 5,
            partition: partition, threads: 2, workerMomentum: 0.9, rounds: rounds, evaluateEvery: evaluateEvery)
    }

    @Test func aRunInRoundsEndsWithAShorterEpoch() throws {
        let result = try Simulation.run(config(rounds: 35), train: Self.train, test: Self.test)
        #expect(result.rounds == 35)
        #expect(result.epochs.map(\.rounds) == [15, 15, 5])
        #expect(result.epochs.allSatisfy { !$0.testAccuracy.isNaN })
        #expect(result.ledger.evaluations == nil)
    }

    @Test func wholeEpochsInRoundsGiveTheEpochsRunsBytes() throws {
        let epochs = try Simulation.run(config(epochs: 2), train: Self.train, test: Self.test)
        let rounds = try Simulation.run(config(epochs: 7, rounds: 30), train: Self.train, test: Self.test)
        #expect(bitwiseDifference(rounds.finalParameters, epochs.finalParameters) == nil)
        #expect(rounds.epochs == epochs.epochs.map { var e = $0; e.seconds = rounds.epochs[$0.epoch - 1].seconds; return e })
    }

    @Test func evaluationsComeEveryKRoundsFromZeroToTheEndAndChangeNothing() throws {
        let plain = try Simulation.run(config(rounds: 35), train: Self.train, test: Self.test)
        let evaluated = try Simulation.run(config(rounds: 35, evaluateEvery: 10), train: Self.train, test: Self.test)
        let points = try #require(evaluated.ledger.evaluations)
        #expect(points.map(\.round) == [0, 10, 20, 30, 35])
        #expect(bitwiseDifference(evaluated.finalParameters, plain.finalParameters) == nil, "evaluating does not train")
        #expect(evaluated.epochs.map(\.testAccuracy) == plain.epochs.map(\.testAccuracy))
        // The last evaluation is the final model's, as the last epoch's is.
        #expect(points.last?.testAccuracy == evaluated.epochs.last?.testAccuracy)
        #expect(points[0].testAccuracy < points.last!.testAccuracy, "the model learned")
        // In the record: the points, and the peak over them and the epochs.
        let record = evaluated.ledger.runRecord(for: Experiment(), totalSeconds: 1, started: .now, finished: .now)
        #expect(record.evaluations == points)
        #expect(record.peakTestAccuracy == (points.map(\.testAccuracy) + evaluated.epochs.map(\.testAccuracy)).max())
    }

    @Test func theGammaPartitionGoesToTheHonestWorkersOnly() {
        let parts = PartitionScheme.gammaSimilarity(gamma: 0.5).partition(Self.train, workerCount: 8, byzantineCount: 2, seed: 3)
        #expect(parts.count == 8)
        #expect(parts[0] == Array(0 ..< Self.train.count) && parts[1] == parts[0], "Byzantine workers draw from everything")
        let honest = parts[2...].flatMap { $0 }
        #expect(honest.sorted() == Array(0 ..< Self.train.count), "the honest workers share the data, each example once")
        // IID and Dirichlet still split over all m (their bytes are what they were).
        let iid = PartitionScheme.iid.partition(Self.train, workerCount: 8, byzantineCount: 2, seed: 3)
        #expect(iid == PartitionScheme.iid.partition(Self.train, workerCount: 8, seed: 3))
        #expect(iid.flatMap { $0 }.count == Self.train.count)
    }

    @Test func aGammaRunTrains() throws {
        let result = try Simulation.run(config(rounds: 30, partition: .gammaSimilarity(gamma: 0.33)), train: Self.train,
                                        test: Self.test)
        // Three classes (chance 1/3), γ = 0.33, two sign-flippers against the median.
        #expect(result.epochs.last!.testAccuracy > 0.5, "\(result.epochs.map(\.testAccuracy))")
    }

    /// The id of a run without the new fields is what it was before them (the robustness
    /// grid's clean IID cell before it evaluated every 50 rounds, as brsgd 867d48a named it);
    /// with `evaluate_every` it is another run.
    @Test func olderRunsKeepTheirIds() {
        var base = RobustnessGrid.defaultBase
        base.evaluateEvery = nil
        let clean = RobustnessGrid(base: base).configurations[0]
        #expect(clean.id == "lenet-fmnist-m20-b0-none-mean-wmom0.9-seed1-c392db7d")
        #expect(RobustnessGrid().configurations[0].id != clean.id)
    }

    @Test func byzflsGridHasEveryCellWithTenHonestWorkers() throws {
        let grid = ByzFLGrid()
        let configs = grid.configurations
        #expect(configs.count == 4 * 3 * 2 * 4 * 3)
        #expect(Set(configs.map(\.id)).count == configs.count)
        for config in configs {
            #expect(config.workers - config.byzantine == 10)
            #expect(config.rounds == 800 && config.evaluateEvery == 50 && config.batchSize == 25)
            #expect(config.model == .byzflCNN && config.learningRate == 0.1 && config.weightDecay == 1e-4)
            #expect(config.workerMomentum == 0.9 && config.momentum == 0)
            #expect(config.rule.nearestNeighborMixing && config.rule.clippingThreshold == 2)
            #expect(config.rule.byzantineCount == config.byzantine)
            #expect(grid.cell(like: config).id == config.id)
        }
        #expect(Set(configs.compactMap(\.partition.gamma)) == [1, 0.66, 0.33, 0])
        #expect(Set(configs.map(\.attackName)) == ["sign-flip", "ipm-opt", "alie-opt"])
        _ = try configs.last!.validated()
        // A run of another experiment is not a cell of this grid.
        var other = configs[0]
        other.partition = .iid
        #expect(grid.cell(like: other).id != other.id)
    }
}
