import TestSupport
import Testing
import ByzantineAttacks
import Datasets
import NeuralEngine
import RobustAggregation
@testable import BrSGDCluster

/// Algorithm 1 end to end on a small synthetic classification problem (fast in debug).
@Suite struct SimulationTests {
    static let problem = LogisticRegressionProblem(featureCount: 8, classCount: 3, separation: 4, seed: 21)
    static let train = problem.dataset(worker: 0, count: 1200)
    static let test = problem.dataset(worker: 1, count: 300)
    /// The accuracy of the true weights on the test set: the best any model can do.
    static let bestAccuracy: Double = {
        let correct = (0 ..< test.count).filter {
            problem.bestLabel(for: test.features(of: $0)) == Int(test.labels[$0])
        }.count
        return Double(correct) / Double(test.count)
    }()
    /// Within 5 points of the best possible.
    static var goodAccuracy: Double { bestAccuracy - 0.05 }

    func config(rule: any AggregationRule, attack: (any Attack)?, byzantine: Int, threads: Int = 2,
                epochs: Int = 3) -> SimulationConfiguration {
        SimulationConfiguration(
            model: .mlp(inputSize: 8, hidden: [16], outputCount: 3), workerCount: 8, byzantineCount: byzantine,
            attack: attack, rule: rule, epochs: epochs, batchSize: 10, learningRate: 0.5, seed: 5, threads: threads)
    }

    @Test func sameSeedSameBytesWhateverTheThreadCount() throws {
        let a = try Simulation.run(config(rule: BrSGD(), attack: GaussianAttack(), byzantine: 2, threads: 1),
                                   train: Self.train, test: Self.test)
        let b = try Simulation.run(config(rule: BrSGD(), attack: GaussianAttack(), byzantine: 2, threads: 2),
                                   train: Self.train, test: Self.test)
        #expect(a.finalParameters == b.finalParameters)
        #expect(a.epochs.map(\.testAccuracy) == b.epochs.map(\.testAccuracy))
    }

    /// One worker with a batch of 40 is cut into two shards, run on two threads when
    /// there are two: the same bytes as one thread running both shards.
    @Test func aSingleWorkerUsesSpareCoresWithTheSameBytes() throws {
        func run(threads: Int) throws -> SimulationResult {
            try Simulation.run(SimulationConfiguration(
                model: .mlp(inputSize: 8, hidden: [16], outputCount: 3), workerCount: 1, byzantineCount: 0, attack: nil,
                rule: Mean(), epochs: 1, batchSize: 40, learningRate: 0.5, seed: 5, threads: threads),
                train: Self.train, test: Self.test)
        }
        #expect(GradientComputer.shardCount(batchSize: 40) == 2)
        let one = try run(threads: 1), two = try run(threads: 2)
        #expect(one.finalParameters == two.finalParameters)
        #expect(one.rounds == 30)
    }

    @Test func honestTrainingLearns() throws {
        let result = try Simulation.run(config(rule: Mean(), attack: nil, byzantine: 0), train: Self.train, test: Self.test)
        #expect(result.epochs.count == 3)
        #expect(result.rounds == 3 * 15)                // ⌈1200 / (8·10)⌉ = 15 rounds an epoch
        #expect(result.epochs.last!.testAccuracy > Self.goodAccuracy, "best \(Self.bestAccuracy)")
        #expect(result.epochs.last!.trainLoss < result.epochs.first!.trainLoss)
    }

    @Test func brsgdSurvivesWhatBreaksTheMean() throws {
        for attack in [GaussianAttack(), ModelNegationAttack()] as [any Attack] {
            let mean = try Simulation.run(config(rule: Mean(), attack: attack, byzantine: 2), train: Self.train, test: Self.test)
            let brsgd = try Simulation.run(config(rule: BrSGD(), attack: attack, byzantine: 2), train: Self.train, test: Self.test)
            #expect(brsgd.epochs.last!.testAccuracy > Self.goodAccuracy, "\(attack.name), best \(Self.bestAccuracy)")
            // The mean's model is thrown far off: its test loss explodes (huge logits) and it
            // classifies worse than BrSGD's.
            let meanLast = try #require(mean.epochs.last), brsgdLast = try #require(brsgd.epochs.last)
            #expect(meanLast.testLoss > 10 * brsgdLast.testLoss || meanLast.testLoss.isNaN, "\(attack.name)")
            #expect(meanLast.testAccuracy < brsgdLast.testAccuracy, "\(attack.name)")
            #expect(brsgd.byzantineSelections.values.allSatisfy { $0 == 0 }, "\(attack.name)")
        }
    }

    @Test func nonFiniteAttackersAreRejectedEveryRound() throws {
        let result = try Simulation.run(config(rule: Mean(), attack: NonFiniteAttack(.nan), byzantine: 3, epochs: 1),
                                        train: Self.train, test: Self.test)
        #expect(result.rejectedRows == 3 * result.rounds)
        #expect(result.epochs.last!.testAccuracy > Self.goodAccuracy)   // the mean of the honest rows
    }

    @Test func labelFlipWorkersTrainOnFlippedLabels() throws {
        // All workers flipping: the model learns the reversed mapping, so accuracy collapses.
        let result = try Simulation.run(config(rule: Mean(), attack: LabelFlipAttack(), byzantine: 8, epochs: 2),
                                        train: Self.train, test: Self.test)
        #expect(result.epochs.last!.testAccuracy < 0.5)
    }

    /// The attackers' rows (workers 0 and 1 of 8, d = 5) that `kind` crafts in one round when
    /// the attackers' own rows hold `fill` and the honest rows fixed values.
    static func craftedRows(_ kind: AttackKind, ownRows fill: Float) throws -> [Float] {
        let m = 8, d = 5, attackers = [0, 1]
        let attack = try AttackConfiguration(kind: kind).resolved(workerCount: m, byzantineCount: attackers.count)
            .makeAttack()
        var master = MasterStateMachine(parameters: [Float](repeating: 0, count: d), optimizer: SGD(learningRate: 0.1),
                                        rule: CoordinateWiseMedian(), workerCount: m)
        _ = master.beginRound()
        master.writeRows(of: Array(0 ..< m)) { storage in
            for i in 0 ..< m * d { storage[i] = i < attackers.count * d ? fill : Float(i % 7) - 2.5 + Float(i) / 40 }
        }
        var scratch: [Float] = []
        master.writeByzantineRows(attackers, attack: attack, seed: 3, scratch: &scratch)
        return master.gradientMatrix.withUnsafeStorage { Array($0[0 ..< attackers.count * d]) }
    }

    /// The simulation computes no gradient for an omniscient attacker (it would be thrown
    /// away): sound only if every omniscient attack crafts the same bytes whatever its
    /// worker's own row holds: NaN there or zeros, the same output.
    @Test(arguments: AttackKind.allCases.filter(\.isOmniscient))
    func omniscientAttacksCraftFromTheHonestRowsAlone(_ kind: AttackKind) throws {
        #expect(!kind.knowledge.craftsFromOwnGradient)
        let fromNaN = try Self.craftedRows(kind, ownRows: .nan), fromZeros = try Self.craftedRows(kind, ownRows: 0)
        #expect(bitwiseDifference(fromNaN, fromZeros) == nil, "\(kind)")
    }

    /// Attacks that start from their own gradient still compute it, and craft from it.
    @Test(arguments: AttackKind.allCases.filter { $0.knowledge == .ownGradient })
    func ownGradientAttacksCraftFromTheirGradient(_ kind: AttackKind) throws {
        #expect(kind.knowledge.craftsFromOwnGradient)
        #expect(try Self.craftedRows(kind, ownRows: 1) != Self.craftedRows(kind, ownRows: 2), "\(kind)")
    }
}
