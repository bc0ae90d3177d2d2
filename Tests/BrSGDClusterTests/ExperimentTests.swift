import Foundation
import Testing
import BrSGDRecords
import ByzantineAttacks
import Datasets
import RobustAggregation
@testable import BrSGDCluster

@Suite struct Table1GridTests {
    @Test func thePapersGridHas50Runs() {
        let configs = Table1Grid(epochs: 10, batchSize: 8).configurations
        // Clean BrSGD and mean runs + 4 attacks × 4 rules × 3 fractions.
        #expect(configs.count == 50)
        #expect(configs.filter { $0.byzantine == 0 }.map(\.ruleName) == ["brsgd", "mean"])
        #expect(Set(configs.map(\.byzantine)) == [0, 2, 5, 10])
        #expect(Set(configs.map(\.attackName)) == ["none", "gaussian", "model-negation", "gradient-scale", "label-flip"])
        #expect(configs.allSatisfy { $0.workers == 20 && $0.learningRate == 0.03 && $0.model == .lenet })
        #expect(configs.filter { $0.rule.name == .brsgd }.allSatisfy { $0.rule.selectionFraction == 0.5 })
        // Defaults resolved per cell: Krum's f is each cell's b, σ = 200 written out.
        #expect(configs.filter { $0.rule.name == .krum }.allSatisfy { $0.rule.byzantineCount == $0.byzantine })
        #expect(configs.filter { $0.attack?.kind == .gaussian }.allSatisfy { $0.attack?.standardDeviation == 200 })
        #expect(configs.allSatisfy { (try? $0.validated()) != nil || $0.rule.name == .krum })
        #expect(Set(configs.map(\.id)).count == configs.count)
    }

    @Test func extraRulesAttacksAndSeedsGrowTheGrid() {
        var grid = Table1Grid(epochs: 1, batchSize: 8)
        grid.rules.append(.trimmedMean)
        grid.attacks.append(.alie)
        grid.seeds = [1, 2, 3]
        #expect(grid.configurations.count == 3 * (2 + 5 * 5 * 3))
    }

    @Test func aBaseExperimentIsKeptInEveryCell() {
        var base = Experiment(model: .mlp, dataset: .mnist, workers: 10, rule: RuleConfiguration(name: .brsgd, selectionFraction: 0.3),
                              learningRate: 0.1, momentum: 0.5, epochs: 2, batchSize: 16)
        base.attack = AttackConfiguration(kind: .gaussian, standardDeviation: 7)
        var grid = Table1Grid(base: base)
        grid.fractions = [0.2]
        let cells = grid.configurations
        #expect(cells.allSatisfy { $0.model == .mlp && $0.dataset == .mnist && $0.momentum == 0.5 && $0.epochs == 2 })
        #expect(cells.filter { $0.rule.name == .brsgd }.allSatisfy { $0.rule.selectionFraction == 0.3 })
        #expect(cells.filter { $0.attack?.kind == .gaussian }.allSatisfy { $0.attack?.standardDeviation == 7 })
        #expect(cells.filter { $0.byzantine > 0 }.allSatisfy { $0.byzantine == 2 })
    }
}

/// The grid runner on the real FashionMNIST (logistic regression, one short epoch): runs
/// are written, found again on a second call, and a run that cannot be made is reported.
@Suite(.enabled(if: FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz"),
                "needs FashionMNIST (apt-get install dataset-fashion-mnist)"))
struct GridRunnerTests {
    @Test func runsAreWrittenAndResumed() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("brsgd-grid-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        func config(_ rule: RuleName, byzantine: Int) -> Experiment {
            try! Experiment(model: .logistic, dataset: .fashionMNIST, workers: 4, byzantine: byzantine,
                            attack: byzantine == 0 ? nil : AttackConfiguration(kind: .gaussian), rule: RuleConfiguration(name: rule),
                            learningRate: 0.1, epochs: 1, batchSize: 500, seed: 1, testSubset: 300).resolved()
        }
        // Krum with m = 4, f = 2 needs m − f − 2 ≥ 1: it cannot run (reported, not run).
        let configs = [config(.brsgd, byzantine: 1), config(.mean, byzantine: 0), config(.krum, byzantine: 2)]
        let runner = GridRunner(directory: dir, jobs: 2, threadsPerJob: 1)
        var events: [GridRunner.Event] = []
        let first = try runner.run(configs) { events.append($0) }
        #expect(first.records.count == 2)
        #expect(first.failures.count == 1)
        #expect(first.failures.first?.message.contains("m' − f' − 2") == true)
        #expect(events.count == 3)
        #expect(first.records.allSatisfy { $0.finalTestAccuracy > 0.5 })
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".json") }
        #expect(files.count == 2)

        let second = try runner.run(configs) { _ in }
        #expect(second.resumed == 2)
        #expect(second.records.map(\.config.id).sorted() == first.records.map(\.config.id).sorted())
        #expect(second.failures.count == 1)
        // Tables are rebuilt from every record in the directory, this grid's or not.
        #expect(try runner.allRecords().count == 2)
    }
}

@Suite struct ConvexExperimentTests {
    let experiment: ConvexExperiment = {
        var e = ConvexExperiment()
        e.rounds = 60
        return e
    }()

    @Test func errorShrinksLikeOneOverRootN() throws {
        // 64× the samples: ‖w_T − w*‖ should shrink about 8× (the 1/√(nm) rate), say 5–13×.
        var small = 0.0, large = 0.0
        for seed in UInt64(1) ... 4 {
            small += try experiment.run(rule: Mean(), attack: nil, workers: 10, byzantine: 0, samplesPerWorker: 50, seed: seed).distance
            large += try experiment.run(rule: Mean(), attack: nil, workers: 10, byzantine: 0, samplesPerWorker: 3200, seed: seed).distance
        }
        #expect(small / large > 5 && small / large < 13, "ratio \(small / large)")
    }

    @Test func brsgdStaysNearTheOptimumUnderAttackWhileTheMeanDoesNot() throws {
        let brsgd = try experiment.run(rule: BrSGD(), attack: GaussianAttack(), workers: 20, byzantine: 4,
                                            samplesPerWorker: 400, seed: 3).distance
        let mean = try experiment.run(rule: Mean(), attack: GaussianAttack(), workers: 20, byzantine: 4,
                                           samplesPerWorker: 400, seed: 3).distance
        #expect(brsgd < 0.2)
        #expect(mean > 5)
    }
}

@Suite struct RobustnessGridTests {
    @Test func theDefaultGridCoversEveryRuleAttackFractionHeterogeneityAndSeed() {
        let grid = RobustnessGrid()
        let configs = grid.configurations
        #expect(configs.count == 6 + 8 * 10 * 2 * 2 * 3)
        #expect(Set(configs.map(\.id)).count == configs.count)
        let clean = configs.filter { $0.byzantine == 0 }
        #expect(clean.count == 6 && clean.allSatisfy { $0.rule.name == .mean && $0.attack == nil })
        #expect(Set(configs.map(\.byzantine)) == [0, 5, 9])
        #expect(Set(configs.map { $0.partition.dirichletAlpha ?? -1 }) == [-1, 0.5])
        #expect(Set(configs.filter { $0.byzantine > 0 }.map(\.rule.pipeline)) == Set(RobustnessGrid.defaultRules.map(\.pipeline)))
        let clipping = configs.filter { $0.rule.name == .centeredClipping }
        #expect(clipping.allSatisfy { $0.rule.center == .previous && $0.rule.radius == 1 && $0.rule.iterations == 1 })
        #expect(configs.allSatisfy { $0.model == .lenet && $0.workers == 20 && $0.workerMomentum == 0.9 && $0.normalize })
        #expect(configs.filter { $0.attack?.kind == .mimic }.allSatisfy { $0.attack?.mimicMode == .maxVariance })
        #expect(configs.allSatisfy { (try? $0.validated()) != nil }, "every default cell can run")
    }

    /// A grid of other rules over the same base recognises the default grid's runs as its
    /// base's (their rule parameters are theirs), and a run of another base as not.
    @Test func aGridOfOtherRulesSharesTheFolder() {
        let full = RobustnessGrid()
        var other = RobustnessGrid()
        other.rules = [RuleConfiguration(name: .median)]
        let clipping = full.configurations.filter { $0.rule.name == .centeredClipping }
        #expect(!clipping.isEmpty && clipping.allSatisfy { other.cell(like: $0).id == $0.id })
        var longer = clipping[0]
        longer.epochs = 2
        #expect(other.cell(like: longer).id != longer.id)
    }

    @Test func aBaseKeepsItsRuleAndAttackParameters() {
        var base = RobustnessGrid.defaultBase
        base.rule = RuleConfiguration(name: .brsgdRobust, selectionFraction: 0.3)
        base.attack = AttackConfiguration(kind: .ipm, epsilon: 0.5)
        var grid = RobustnessGrid(base: base)
        grid.rules = [RuleConfiguration(name: .brsgdRobust), RuleConfiguration(name: .trimmedMean)]
        grid.attacks = [.ipm]
        grid.fractions = [0.25]
        grid.heterogeneities = [.dirichlet(alpha: 0.5)]
        grid.seeds = [7]
        let cells = grid.configurations
        #expect(cells.count == 1 + 2)
        #expect(cells.filter { $0.rule.name == .brsgdRobust }.allSatisfy { $0.rule.selectionFraction == 0.3 })
        #expect(cells.filter { $0.rule.name == .trimmedMean }.allSatisfy { $0.rule.byzantineCount == 5 })
        #expect(cells.filter { $0.byzantine > 0 }.allSatisfy { $0.attack?.epsilon == 0.5 && $0.seed == 7 })
        #expect(cells.allSatisfy { $0.partition == .dirichlet(alpha: 0.5) })
    }
}
