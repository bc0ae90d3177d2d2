import Foundation
import Testing
import BrSGDExperiments
import ByzantineAttacks
import Datasets
import RobustAggregation
@testable import BrSGDCluster

@Suite struct Table1GridTests {
    @Test func thePapersGridHas50Runs() {
        let configs = Table1Grid(epochs: 10, batchSize: 8).configurations
        // Clean BrSGD and mean runs + 4 attacks × 4 rules × 3 fractions.
        #expect(configs.count == 50)
        #expect(configs.filter { $0.byzantineCount == 0 }.map(\.rule) == ["brsgd", "mean"])
        #expect(Set(configs.map(\.byzantineCount)) == [0, 2, 5, 10])
        #expect(Set(configs.map(\.attack)) == ["none", "gaussian", "model-negation", "gradient-scale", "label-flip"])
        #expect(configs.allSatisfy { $0.workers == 20 && $0.learningRate == 0.03 && $0.model == "lenet" })
        #expect(configs.filter { $0.rule == "brsgd" }.allSatisfy { $0.ruleParameters["beta"] == 0.5 })
        #expect(Set(configs.map(\.id)).count == configs.count)
    }

    @Test func extraRulesAttacksAndSeedsGrowTheGrid() {
        var grid = Table1Grid(epochs: 1, batchSize: 8)
        grid.rules.append("trimmed-mean")
        grid.attacks.append("alie")
        grid.seeds = [1, 2, 3]
        #expect(grid.configurations.count == 3 * (2 + 5 * 5 * 3))
    }
}

@Suite struct ExperimentRunnerTests {
    func config(rule: String, ruleParameters: [String: Double] = [:], attack: String = "gaussian",
                attackParameters: [String: Double] = [:], byzantine: Int = 5) -> ExperimentConfig {
        ExperimentConfig(dataset: "fashion-mnist", model: "lenet", workers: 20, byzantineCount: byzantine, attack: attack,
                         attackParameters: attackParameters, rule: rule, ruleParameters: ruleParameters, epochs: 1,
                         batchSize: 8, learningRate: 0.03, seed: 1)
    }

    @Test func ruleParametersMapToTheRule() throws {
        #expect(try ExperimentRunner.rule(for: config(rule: "brsgd", ruleParameters: ["beta": 0.3])).name
                == "brsgd(beta=0.3,threshold=auto)")
        #expect(try ExperimentRunner.rule(for: config(rule: "brsgd", ruleParameters: ["threshold": 2])).name
                == "brsgd(beta=0.5,threshold=2.0)")
        // f defaults to the number of Byzantine workers, and can be overridden.
        #expect(try ExperimentRunner.rule(for: config(rule: "krum")).name == "krum(f=5)")
        #expect(try ExperimentRunner.rule(for: config(rule: "krum", ruleParameters: ["f": 3])).name == "krum(f=3)")
        #expect(try ExperimentRunner.rule(for: config(rule: "krum", ruleParameters: ["nnm": 1])).name
                == "nnm(f=5)+krum(f=5)")
    }

    @Test func attackParametersMapToTheAttack() throws {
        let attack = try #require(try ExperimentRunner.attack(for: config(rule: "mean", attackParameters: ["sigma": 50])))
        #expect(attack.name.contains("50"))
        #expect(try ExperimentRunner.attack(for: config(rule: "mean", attack: "none", byzantine: 0)) == nil)
    }

    @Test func unknownNamesAreClearErrors() {
        for (bad, expected) in [(config(rule: "krumm"), "unknown rule 'krumm'"),
                                (config(rule: "mean", attack: "gauss"), "unknown attack 'gauss'")] {
            do {
                _ = try ExperimentRunner.rule(for: bad)
                _ = try ExperimentRunner.attack(for: bad)
                Issue.record("expected an error for \(bad.id)")
            } catch {
                #expect("\(error)".contains(expected))
            }
        }
        #expect(throws: ExperimentError.self) { try ExperimentRunner.model("resnet") }
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
        func config(_ rule: String, byzantine: Int) -> ExperimentConfig {
            ExperimentConfig(dataset: "fashion-mnist", model: "logistic", workers: 4, byzantineCount: byzantine,
                             attack: byzantine == 0 ? "none" : "gaussian", rule: rule, epochs: 1, batchSize: 500,
                             learningRate: 0.1, seed: 1, testSubsetSize: 300)
        }
        // Krum with m = 4, f = 2 needs m − f − 2 ≥ 1: it cannot run.
        let configs = [config("brsgd", byzantine: 1), config("mean", byzantine: 0), config("krum", byzantine: 2)]
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
            small += try experiment.distance(rule: Mean(), attack: nil, workers: 10, byzantine: 0, samplesPerWorker: 50, seed: seed)
            large += try experiment.distance(rule: Mean(), attack: nil, workers: 10, byzantine: 0, samplesPerWorker: 3200, seed: seed)
        }
        #expect(small / large > 5 && small / large < 13, "ratio \(small / large)")
    }

    @Test func brsgdStaysNearTheOptimumUnderAttackWhileTheMeanDoesNot() throws {
        let brsgd = try experiment.distance(rule: BrSGD(), attack: GaussianAttack(), workers: 20, byzantine: 4,
                                            samplesPerWorker: 400, seed: 3)
        let mean = try experiment.distance(rule: Mean(), attack: GaussianAttack(), workers: 20, byzantine: 4,
                                           samplesPerWorker: 400, seed: 3)
        #expect(brsgd < 0.2)
        #expect(mean > 5)
    }
}
