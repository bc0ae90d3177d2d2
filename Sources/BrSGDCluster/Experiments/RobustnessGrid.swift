import BrSGDRecords
import ByzantineAttacks
import RobustAggregation

/// The robustness grid: rules × attacks × Byzantine fractions × heterogeneity × seeds, the
/// worst case over attacks of which is the field's measure of a defence (ByzFL's benchmark,
/// Allouah et al. 2023–2024, reports it as heatmaps of Byzantine count against heterogeneity).
///
/// Every cell is the ``base`` experiment with its rule, attack, b = round(α·m), partition and
/// seed replaced (``Experiment/gridCell(rule:attack:byzantine:seed:)``). A clean run of the
/// ``baselineRule`` (the mean, plain SGD, no Byzantine worker) per heterogeneity and seed is
/// the reference a defence is measured against.
///
/// The defaults are those of the published results (966 runs): LeNet-5 on standardised
/// FashionMNIST, m = 20, worker momentum 0.9 (Karimireddy, He & Jaggi, ICML 2021; ByzFL's
/// default), η = 0.1, one epoch at 16 examples per worker per round (188 rounds), test accuracy
/// on a seeded subset of 2,000 test examples; 3 seeds. η = 0.1 rather than Table 1's 0.03: with
/// worker momentum and one epoch, the clean mean reaches 74% at η = 0.1 and 59% at 0.03.
public struct RobustnessGrid: ExperimentGrid {
    /// What every cell shares (its rule, attack, b, partition and seed are replaced).
    public var base: Experiment
    /// The rules, each with its pre-aggregations and parameters (f is each cell's b); a table
    /// names each by its ``RuleConfiguration/pipeline``.
    public var rules: [RuleConfiguration] = RobustnessGrid.defaultRules
    public var attacks: [AttackKind] = RobustnessGrid.defaultAttacks
    public var fractions: [Double] = [0.25, 0.45]
    public var heterogeneities: [PartitionScheme] = [.iid, .dirichlet(alpha: 0.5)]
    public var seeds: [UInt64] = [1, 2, 3]
    /// The rule of the clean runs (no Byzantine worker): the mean, plain synchronous SGD.
    public var baselineRule: RuleName = .mean
    /// Parameters per attack (default: mimic copies the honest worker of largest variance,
    /// the strongest of its forms; others their defaults; the base's attack keeps its own).
    public var attackConfigurations: [AttackKind: AttackConfiguration] = [
        .mimic: AttackConfiguration(kind: .mimic, mimicMode: .maxVariance),
    ]

    /// BrSGD (the paper's rule); brsgd-robust alone and after collusion collapse, and
    /// brsgd-history after it (ours); the coordinate-wise median (the classic); centered
    /// clipping as its authors run it (centred on the last aggregate, τ = 1, one iteration);
    /// and the two pipelines ByzFL recommends, static clipping (c = 2, its benchmark's value)
    /// or ARC, then NNM, then the trimmed mean.
    public static let defaultRules: [RuleConfiguration] = [
        RuleConfiguration(name: .brsgd),
        RuleConfiguration(name: .brsgdRobust),
        RuleConfiguration(name: .brsgdRobust, collusionCollapse: true),
        RuleConfiguration(name: .brsgdHistory, collusionCollapse: true),
        RuleConfiguration(name: .median),
        RuleConfiguration(name: .centeredClipping, iterations: 1, radius: 1, center: .previous),
        RuleConfiguration(name: .trimmedMean, nearestNeighborMixing: true, clippingThreshold: 2),
        RuleConfiguration(name: .trimmedMean, nearestNeighborMixing: true, adaptiveRobustClipping: true),
    ]

    /// The paper's label flip, and today's attacks that put the honest statistics (and, for
    /// the -opt ones, the defender's own rule) in the loop. The paper's other three attacks
    /// (gaussian σ = 200, model negation and gradient scale by 1e10) are far from the honest
    /// rows and every robust rule here filters them; add them with `attacks`.
    public static let defaultAttacks: [AttackKind] = [.labelFlip, .signFlip, .alie, .ipm, .foe, .mimic, .minMax, .minSum, .alieOpt, .ipmOpt]

    /// The default base: LeNet-5, FashionMNIST, m = 20, η = 0.1, worker momentum 0.9, one
    /// epoch at 16 examples per worker per round, 2,000 test examples, evaluated every 50
    /// rounds (ByzFL's interval) for the peak accuracy.
    public static var defaultBase: Experiment {
        var base = Experiment(model: .lenet, dataset: .fashionMNIST, workers: 20, learningRate: 0.1,
                              epochs: 1, batchSize: 16)
        base.workerMomentum = 0.9
        base.testSubset = 2000
        base.evaluateEvery = 50
        return base
    }

    /// A grid over `base` (its attack keeps its parameters for its kind; a rule of the grid
    /// with the base rule's pipeline takes the base rule's parameters).
    public init(base: Experiment = RobustnessGrid.defaultBase) {
        self.base = base
        if let attack = base.attack { attackConfigurations[attack.kind] = attack }
    }

    /// b for a fraction α of the base's m: round(α·m).
    public func byzantineCount(_ fraction: Double) -> Int {
        Int((fraction * Double(base.workers)).rounded())
    }

    /// Every run of the grid: the clean runs first, then by heterogeneity, attack, rule,
    /// fraction and seed (so a grid stopped early has whole heterogeneities), each with its
    /// defaults resolved; duplicates (two fractions giving one b) once.
    public var configurations: [Experiment] {
        var out: [Experiment] = []
        var seen = Set<String>()
        func add(_ experiment: Experiment) {
            if seen.insert(experiment.id).inserted { out.append(experiment) }
        }
        for partition in heterogeneities {
            var base = self.base
            base.partition = partition
            for seed in seeds {
                add(base.gridCell(rule: configuration(baselineRule), attack: nil, byzantine: 0, seed: seed))
            }
        }
        for partition in heterogeneities {
            var base = self.base
            base.partition = partition
            for attack in attacks {
                let attackConfiguration = attackConfigurations[attack] ?? AttackConfiguration(kind: attack)
                for rule in rules {
                    for fraction in fractions {
                        for seed in seeds {
                            add(base.gridCell(rule: withBaseParameters(rule), attack: attackConfiguration,
                                              byzantine: byzantineCount(fraction), seed: seed))
                        }
                    }
                }
            }
        }
        return out
    }

    /// The cell this grid makes for `other`'s rule, attack, b, heterogeneity and seed:
    /// equal to `other` (same id) exactly when `other` is a run of this grid's base. A rule
    /// this grid does not list keeps `other`'s parameters, so a grid of other rules over the
    /// same base shares the folder.
    public func cell(like other: Experiment) -> Experiment {
        var base = self.base
        base.partition = other.partition
        let attack = other.byzantine > 0 ? other.attack.map { attackConfigurations[$0.kind] ?? AttackConfiguration(kind: $0.kind) } : nil
        let rule = other.byzantine == 0 && other.rule.name == baselineRule
            ? configuration(baselineRule)
            : withBaseParameters(rules.first { $0.pipeline == other.rule.pipeline } ?? other.rule)
        return base.gridCell(rule: rule, attack: attack, byzantine: other.byzantine, seed: other.seed)
    }

    /// The base's rule when `rule` has its pipeline (a base with β = 0.3 gives every cell of
    /// its rule β = 0.3), else `rule`.
    private func withBaseParameters(_ rule: RuleConfiguration) -> RuleConfiguration {
        rule.pipeline == base.rule.pipeline ? base.rule : rule
    }

    /// The baseline's configuration: the grid's own if it lists that rule alone.
    private func configuration(_ rule: RuleName) -> RuleConfiguration {
        rules.first { $0.pipeline == rule.rawValue } ?? RuleConfiguration(name: rule)
    }
}
