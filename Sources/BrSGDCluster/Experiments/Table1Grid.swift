import BrSGDExperiments

/// The grid of the paper's Table 1 (LeNet on FashionMNIST, m = 20, η = 0.03, β = ½), with
/// room for more rules, attacks and seeds.
///
/// The paper's grid: BrSGD at α = 0, 10, 25, 50%; Median, Mean and Krum at 10, 25, 50%;
/// attacks gaussian, model-negation, gradient-scale and label-flip. The α = 0 run has no
/// attack, so it is one run per seed shared by every attack row; we add a clean run of the
/// mean (plain SGD) as the baseline: 2 + 4 attacks × 4 rules × 3 fractions = 50 runs per seed.
public struct Table1Grid: Sendable {
    public var workers = 20
    public var fractions: [Double] = [0.1, 0.25, 0.5]
    public var rules: [String] = ["brsgd", "median", "mean", "krum"]
    public var attacks: [String] = ["gaussian", "model-negation", "gradient-scale", "label-flip"]
    /// Rules that also get a clean (α = 0) run: BrSGD, as in the paper, and the mean, which
    /// is plain synchronous SGD — the baseline the others are measured against.
    public var cleanRules: [String] = ["brsgd", "mean"]
    public var seeds: [UInt64] = [1]
    public var epochs: Int
    public var batchSize: Int
    public var learningRate = 0.03
    public var beta = 0.5
    public var dataset = "fashion-mnist"
    public var model = "lenet"
    public var testSubsetSize: Int?

    public init(epochs: Int, batchSize: Int) {
        self.epochs = epochs
        self.batchSize = batchSize
    }

    /// Every run of the grid, clean runs first, then by attack, rule, fraction and seed.
    public var configurations: [ExperimentConfig] {
        var out: [ExperimentConfig] = []
        for seed in seeds {
            for rule in cleanRules { out.append(config(rule: rule, attack: "none", byzantine: 0, seed: seed)) }
        }
        for attack in attacks {
            for rule in rules {
                for fraction in fractions {
                    for seed in seeds {
                        let b = Int((fraction * Double(workers)).rounded())
                        out.append(config(rule: rule, attack: attack, byzantine: b, seed: seed))
                    }
                }
            }
        }
        return out
    }

    func config(rule: String, attack: String, byzantine: Int, seed: UInt64) -> ExperimentConfig {
        ExperimentConfig(
            dataset: dataset, model: model, workers: workers, byzantineCount: byzantine, attack: attack,
            rule: rule, ruleParameters: rule == "brsgd" ? ["beta": beta] : [:], epochs: epochs, batchSize: batchSize,
            learningRate: learningRate, seed: seed, testSubsetSize: testSubsetSize)
    }
}
