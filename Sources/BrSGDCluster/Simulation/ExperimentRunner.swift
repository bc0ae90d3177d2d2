import BrSGDExperiments
import ByzantineAttacks
import Datasets
import Foundation
import NeuralEngine
import RobustAggregation

/// An experiment configuration that cannot be run, and why.
public struct ExperimentError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Turns an ``ExperimentConfig`` (plain names and numbers, as stored in run records) into
/// a simulation and its ``RunRecord``.
///
/// Names: models `lenet`, `mlp` (784→200→10, ReLU), `logistic`; datasets `fashion-mnist`,
/// `mnist`; rules as ``RuleName`` with parameters `beta`, `threshold` (absent: auto), `f`
/// (default: the number of Byzantine workers), `q`, `nu`, `iterations`, `tau`, `nnm` (1 to
/// wrap in NNM); attacks as ``AttackKind`` (or `none`) with parameters `sigma`, `scale`,
/// `z`, `epsilon`, `target`.
public final class ExperimentRunner {
    public let locator: DatasetLocator
    public let threads: Int
    private var cache: [String: (train: LabeledDataset, test: LabeledDataset)] = [:]

    public init(locator: DatasetLocator = DatasetLocator(), threads: Int = 2) {
        self.locator = locator
        self.threads = threads
    }

    /// The training and test sets of `name` (loaded once, then kept).
    public func data(_ name: String) throws -> (train: LabeledDataset, test: LabeledDataset) {
        if let cached = cache[name] { return cached }
        guard let dataset = DatasetName(rawValue: name) else {
            throw ExperimentError("unknown dataset '\(name)'; known: \(DatasetName.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let loaded = (train: try LabeledDataset.load(dataset, split: .train, from: locator),
                      test: try LabeledDataset.load(dataset, split: .test, from: locator))
        cache[name] = loaded
        return loaded
    }

    /// The model named `name`.
    public static func model(_ name: String) throws -> Model {
        switch name {
        case "lenet": return .lenet5()
        case "mlp": return .mlp(inputSize: 784, hidden: [200], outputCount: 10)
        case "logistic": return .logisticRegression(inputSize: 784, classCount: 10)
        default: throw ExperimentError("unknown model '\(name)'; known: lenet, mlp, logistic")
        }
    }

    /// The configured aggregation rule.
    public static func rule(for config: ExperimentConfig) throws -> any AggregationRule {
        guard let name = RuleName(rawValue: config.rule) else {
            throw ExperimentError("unknown rule '\(config.rule)'; known: \(RuleName.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let p = config.ruleParameters
        let takesF = name.takesByzantineCount || (p["nnm"] ?? 0) != 0
        let configuration = RuleConfiguration(
            name: name, byzantineCount: takesF ? p["f"].map { Int($0) } ?? config.byzantineCount : nil,
            selectionFraction: p["beta"], threshold: p["threshold"], selectionCount: p["q"].map { Int($0) },
            smoothing: p["nu"], iterations: p["iterations"].map { Int($0) }, radius: p["tau"],
            nearestNeighborMixing: (p["nnm"] ?? 0) != 0)
        do {
            let rule = try configuration.makeRule()
            // Rules that need enough rows (Krum: m − f − 2 ≥ 1, …) fail here, before any
            // data is loaded, rather than in the first round: try them on m zero rows.
            _ = try rule.aggregate(GradientMatrix(rowCount: config.workers, columnCount: 1))
            return rule
        } catch {
            throw ExperimentError("\(error.message) (with m = \(config.workers) workers)")
        }
    }

    /// The configured attack, or nil for `none` (or no Byzantine worker).
    public static func attack(for config: ExperimentConfig) throws -> (any Attack)? {
        if config.attack == "none" || config.byzantineCount == 0 { return nil }
        guard let kind = AttackKind(rawValue: config.attack) else {
            throw ExperimentError("unknown attack '\(config.attack)'; known: none, \(AttackKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let p = config.attackParameters
        let configuration = AttackConfiguration(
            kind: kind, standardDeviation: p["sigma"], scale: p["scale"], z: p["z"], epsilon: p["epsilon"],
            target: p["target"].map { Int($0) })
        do {
            let attack = try configuration.makeAttack()
            try attack.validate(workerCount: config.workers, byzantineCount: config.byzantineCount)
            return attack
        } catch {
            throw ExperimentError(error.message)
        }
    }

    /// The simulation configuration of `config`.
    public func simulation(for config: ExperimentConfig) throws -> SimulationConfiguration {
        let partition: PartitionScheme
        switch config.partition {
        case "iid": partition = .iid
        case "dirichlet":
            guard let alpha = config.dirichletAlpha, alpha > 0 else {
                throw ExperimentError("the dirichlet partition needs a concentration α > 0")
            }
            partition = .dirichlet(concentration: alpha)
        default: throw ExperimentError("unknown partition '\(config.partition)'; known: iid, dirichlet")
        }
        return SimulationConfiguration(
            model: try Self.model(config.model), workerCount: config.workers, byzantineCount: config.byzantineCount,
            attack: try Self.attack(for: config), rule: try Self.rule(for: config), epochs: config.epochs,
            batchSize: config.batchSize, learningRate: Float(config.learningRate), momentum: Float(config.momentum),
            weightDecay: Float(config.weightDecay), seed: config.seed, partition: partition, threads: threads,
            evaluationLimit: config.testSubsetSize)
    }

    /// Runs `config` and returns its record, plus the final model.
    public func run(_ config: ExperimentConfig, progress: (SimulationProgress) -> Void = { _ in },
                    epochEnded: (EpochRecord) -> Void = { _ in }) throws -> (record: RunRecord, model: [Float]) {
        let simulation = try simulation(for: config)
        let (train, test) = try data(config.dataset)
        let started = Date()
        let result = try Simulation.run(simulation, train: train, test: test, progress: progress,
                                        epochEnded: epochEnded)
        return (Self.record(config, result, started: started, finished: Date()), result.finalParameters)
    }

    /// The record of a finished simulation.
    public static func record(_ config: ExperimentConfig, _ result: SimulationResult, started: Date,
                              finished: Date) -> RunRecord {
        RunRecord(
            config: config,
            epochs: result.epochs,
            finalTestAccuracy: result.epochs.last?.testAccuracy ?? 0,
            totalSeconds: result.totalSeconds,
            aggregationTiming: TimingSummary(milliseconds: result.aggregationSeconds.map { $0 * 1000 }, keepingAll: true),
            byzantineSelection: ByzantineSelection(rounds: result.rounds, selectedRounds: result.byzantineSelections),
            rejectedRowsCount: result.rejectedRows,
            startedAt: RunRecord.timestamp(started), finishedAt: RunRecord.timestamp(finished),
            brsgdVersion: BrSGDVersion.string)
    }
}
