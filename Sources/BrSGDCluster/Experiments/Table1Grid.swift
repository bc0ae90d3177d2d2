import BrSGDRecords
import ByzantineAttacks
import RobustAggregation

/// The grid of the paper's Table 1 (LeNet on FashionMNIST, m = 20, η = 0.03, β = ½), with
/// room for more rules, attacks and seeds, over a base experiment.
///
/// The paper's grid: BrSGD at α = 0, 10, 25, 50%; Median, Mean and Krum at 10, 25, 50%;
/// attacks gaussian, model-negation, gradient-scale and label-flip. The α = 0 run has no
/// attack, so it is one run per seed shared by every attack row; we add a clean run of the
/// mean (plain SGD) as the baseline: 2 + 4 attacks × 4 rules × 3 fractions = 50 runs per seed.
///
/// Every cell is the ``base`` experiment with its rule, attack, b and seed replaced (b =
/// round(α·m)); a rule given in ``ruleConfigurations`` keeps its parameters (β for BrSGD),
/// and its f, when it takes one, is each cell's b.
public struct Table1Grid: ExperimentGrid {
    /// What every cell shares: model, dataset, m, epochs, batch size, η, … (its rule,
    /// attack, b and seed are replaced per cell).
    public var base: Experiment
    public var fractions: [Double] = [0.1, 0.25, 0.5]
    public var rules: [RuleName] = [.brsgd, .median, .mean, .krum]
    public var attacks: [AttackKind] = AttackKind.paperAttacks
    /// Rules that also get a clean (α = 0) run: BrSGD, as in the paper, and the mean, which
    /// is plain synchronous SGD — the baseline the others are measured against.
    public var cleanRules: [RuleName] = [.brsgd, .mean]
    public var seeds: [UInt64] = [1]
    /// Parameters per rule (default: BrSGD's β = ½; others their defaults).
    public var ruleConfigurations: [RuleName: RuleConfiguration] = [.brsgd: RuleConfiguration(name: .brsgd, selectionFraction: 0.5)]

    /// The paper's setting: LeNet-5 on FashionMNIST, m = 20, η = 0.03, with these epochs and batch size.
    public init(epochs: Int, batchSize: Int) {
        self.init(base: Experiment(model: .lenet, dataset: .fashionMNIST, workers: 20, learningRate: 0.03,
                                   epochs: epochs, batchSize: batchSize))
    }

    /// A grid over `base` (its rule's parameters are kept for that rule).
    public init(base: Experiment) {
        self.base = base
        ruleConfigurations[base.rule.name] = base.rule
    }

    /// Every run of the grid, clean runs first, then by attack, rule, fraction and seed;
    /// each with its defaults resolved. A cell whose defaults cannot be resolved (ALIE's
    /// automatic z at α > ½) is kept unresolved: validation reports it as a failed run.
    public var configurations: [Experiment] {
        var out: [Experiment] = []
        for seed in seeds {
            for rule in cleanRules { out.append(cell(rule: rule, attack: nil, byzantine: 0, seed: seed)) }
        }
        for attack in attacks {
            for rule in rules {
                for fraction in fractions {
                    for seed in seeds {
                        let b = Int((fraction * Double(base.workers)).rounded())
                        out.append(cell(rule: rule, attack: attack, byzantine: b, seed: seed))
                    }
                }
            }
        }
        return out
    }

    /// The cell this grid makes for `other`'s rule, attack, b and seed: equal to `other`
    /// (same id) exactly when `other` is a run of this grid's base.
    public func cell(like other: Experiment) -> Experiment {
        cell(rule: other.rule.name, attack: other.byzantine > 0 ? other.attack?.kind : nil,
             byzantine: other.byzantine, seed: other.seed)
    }

    func cell(rule: RuleName, attack: AttackKind?, byzantine: Int, seed: UInt64) -> Experiment {
        base.gridCell(rule: ruleConfigurations[rule] ?? RuleConfiguration(name: rule),
                      attack: attack.map { base.gridAttack($0) }, byzantine: byzantine, seed: seed)
    }
}
