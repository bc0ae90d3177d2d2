import Datasets
import Foundation
import NeuralEngine
import RobustAggregation
import Testing
@testable import BrSGDCluster

/// The cluster's bytes do not depend on the process's BLAS thread count. OpenBLAS adds a
/// large product (here a 1,000 × 784 by 784 × 10 one) in another order on several threads,
/// and its thread count is one setting for the whole process, defaulting to the number of
/// cores: a networked run once differed from the simulation in the last bits of its final
/// model because another test had changed the setting while it ran.
@Suite struct OneThreadBLASTests {
    static let problem = LogisticRegressionProblem(featureCount: 784, classCount: 10, separation: 4, seed: 8)

    /// Two rounds of a logistic regression on 784 features, m = 2, batches of 1,000 (two
    /// shards of 500), evaluated on 1,000 examples: every product is one OpenBLAS splits.
    static func run() throws -> SimulationResult {
        try Simulation.run(
            SimulationConfiguration(
                model: .logisticRegression(inputSize: 784, classCount: 10), workerCount: 2, byzantineCount: 0,
                attack: nil, rule: Mean(), epochs: 1, batchSize: 1000, learningRate: 0.1, seed: 5, threads: 2),
            train: problem.dataset(worker: 0, count: 4000), test: problem.dataset(worker: 1, count: 1000))
    }

    /// In a child process, since the setting is the whole process's: a test changing it here
    /// would change the bytes of every other test computing meanwhile.
    @Test func aSimulationGivesTheSameBytesWhateverBLASThreadCountTheProcessHad() async {
        await #expect(processExitsWith: .success) {
            BLAS.setThreadCount(1)
            let one = try OneThreadBLASTests.run()
            BLAS.setThreadCount(2)
            let two = try OneThreadBLASTests.run()
            guard one.finalParameters.map(\.bitPattern) == two.finalParameters.map(\.bitPattern),
                  one.epochs.map(\.testLoss.bitPattern) == two.epochs.map(\.testLoss.bitPattern),
                  one.epochs.map(\.trainLoss.bitPattern) == two.epochs.map(\.trainLoss.bitPattern)
            else { exit(1) }
            guard BLAS.threadCount == 1 else { exit(2) }
        }
    }
}
