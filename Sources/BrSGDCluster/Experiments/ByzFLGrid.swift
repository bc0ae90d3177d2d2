import BrSGDRecords
import ByzantineAttacks
import Datasets
import RobustAggregation

/// ByzFL's default benchmark (LPD-EPFL/byzfl, `byzfl/benchmark/benchmark.py`, its
/// `default_config`), as a grid of brsgd runs: rules × attacks × f Byzantine workers ×
/// gamma similarity γ × seeds, with n honest workers in every cell (m = n + f).
///
/// ByzFL's configuration, and what each cell here runs:
/// - 10 honest clients, f = 1, 2, 3, 4 (the defender is told f);
/// - gamma similarity γ ∈ {1, 0.66, 0.33, 0} over the honest clients
///   (``PartitionScheme/gammaSimilarity(gamma:)``);
/// - DSGD for 800 steps (``Experiment/rounds``): η = 0.1, weight decay 10⁻⁴ at the server's
///   step, no server momentum; every honest client sends its momentum β = 0.9 (worker
///   momentum); batch 25 per client;
/// - `cnn_mnist` (``ModelName/byzflCNN``) on MNIST, standardised with (0.1307, 0.3081);
/// - aggregators trimmed mean and geometric median (ν = 0.1, T = 3), each after the
///   pre-aggregations Clipping (c = 2, ByzFL's default) then NNM;
/// - attacks sign flip, line-searched IPM and line-searched ALIE (`ipm-opt`, `alie-opt`);
/// - test accuracy every 50 steps (`evaluation_delta`) on the whole test set, and the
///   cell's measure is the worst attack's *best* accuracy during training;
/// - 3 training seeds.
///
/// Where we differ: ByzFL keeps 80% of the training set for training (20% to choose learning
/// rates), and tunes the learning rate for the worst case when given several; its default
/// config gives one (0.1) and so tunes nothing, and neither do we: every cell trains on the
/// whole training set at η = 0.1. Our seeds draw other random numbers than PyTorch's.
public struct ByzFLGrid: ExperimentGrid {
    /// What every cell shares (its rule, attack, m, b, partition and seed are replaced).
    public var base: Experiment
    /// The honest workers of every cell (ByzFL's `nb_honest_clients`).
    public var honestWorkers = 10
    /// The numbers of Byzantine workers f (ByzFL's `f`).
    public var byzantineCounts: [Int] = [1, 2, 3, 4]
    /// The gamma similarities (ByzFL's `distribution_parameter`), 1 (IID) to 0.
    public var gammas: [Double] = [1.0, 0.66, 0.33, 0.0]
    /// The defences: each rule with its pre-aggregations (f is each cell's).
    public var rules: [RuleConfiguration] = ByzFLGrid.defaultRules
    public var attacks: [AttackKind] = ByzFLGrid.defaultAttacks
    public var seeds: [UInt64] = [1, 2, 3]

    /// ByzFL's Clipping default, c = 2.
    public static let clippingThreshold = 2.0

    /// Trimmed mean and geometric median (ν = 0.1, T = 3), each after Clipping (c = 2) then NNM.
    public static var defaultRules: [RuleConfiguration] {
        [RuleName.trimmedMean, .geometricMedian].map { pipeline($0) }
    }

    /// `rule` after ByzFL's pre-aggregations, Clipping (c = 2) then NNM; geometric median
    /// with ByzFL's ν = 0.1 and T = 3.
    public static func pipeline(_ rule: RuleName) -> RuleConfiguration {
        withByzFLParameters(RuleConfiguration(name: rule, nearestNeighborMixing: true, clippingThreshold: clippingThreshold))
    }

    /// `configuration` with ByzFL's parameters for its rule where it has none: a geometric
    /// median gets ν = 0.1 and 3 iterations.
    public static func withByzFLParameters(_ configuration: RuleConfiguration) -> RuleConfiguration {
        var configuration = configuration
        if configuration.name == .geometricMedian {
            configuration.smoothing = configuration.smoothing ?? 0.1
            configuration.iterations = configuration.iterations ?? 3
        }
        return configuration
    }

    /// Sign flip, line-searched IPM and line-searched ALIE.
    public static let defaultAttacks: [AttackKind] = [.signFlip, .ipmOpt, .alieOpt]

    /// ByzFL's steps, learning rate, momentum, weight decay, batch and evaluation interval,
    /// on `dataset` with its CNN.
    public static func defaultBase(dataset: DatasetName = .mnist) -> Experiment {
        Experiment(model: .byzflCNN, dataset: dataset, workers: 11, learningRate: 0.1, momentum: 0, weightDecay: 1e-4,
                   batchSize: 25, workerMomentum: 0.9, normalize: true, rounds: 800, evaluateEvery: 50)
    }

    public init(base: Experiment = ByzFLGrid.defaultBase()) {
        self.base = base
    }

    /// Every run: by γ, attack, rule, f and seed (a grid stopped early has whole γ columns),
    /// each with its defaults resolved.
    public var configurations: [Experiment] {
        var out: [Experiment] = []
        var seen = Set<String>()
        for gamma in gammas {
            for attack in attacks {
                for rule in rules {
                    for f in byzantineCounts {
                        for seed in seeds {
                            let cell = self.cell(rule: rule, attack: base.gridAttack(attack), byzantine: f,
                                                 gamma: gamma, seed: seed)
                            if seen.insert(cell.id).inserted { out.append(cell) }
                        }
                    }
                }
            }
        }
        return out
    }

    public func cell(like other: Experiment) -> Experiment {
        var rule = other.rule
        rule.byzantineCount = nil
        let attack = other.attack.map { base.gridAttack($0.kind) }
        return cell(rule: rule, attack: attack, byzantine: other.byzantine, gamma: other.partition.gamma ?? -1,
                    seed: other.seed)
    }

    private func cell(rule: RuleConfiguration, attack: AttackConfiguration?, byzantine: Int, gamma: Double,
                      seed: UInt64) -> Experiment {
        var cell = base
        cell.workers = honestWorkers + byzantine
        cell.partition = .gammaSimilarity(gamma: gamma)
        return cell.gridCell(rule: rule, attack: attack, byzantine: byzantine, seed: seed)
    }
}
