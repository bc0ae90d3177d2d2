import BrSGDRecords
import Foundation
import RobustAggregation

/// ByzFL's benchmark measure, from run records (typically ``ByzFLGrid``'s runs in
/// BrSGDCluster): for each defence, number of Byzantine workers f and gamma similarity γ,
/// the *best test accuracy during training* under the attack that hurts the defence most,
/// and a "best method" table of the best defence per cell, laid out as ByzFL's heatmaps are
/// (`byzfl/benchmark/evaluate_results.py`, `test_heatmap` and `aggregated_test_heatmap`):
/// rows γ from 0 (top) to 1, columns f.
///
/// As ByzFL computes it: the test-accuracy curves of one (defence, f, γ, attack) are
/// averaged over seeds point by point (rounds every seed evaluated), the cell's accuracy
/// for that attack is the maximum of the mean curve; the defence's cell is the minimum over
/// attacks; the best method's cell the maximum over defences. A curve is the record's
/// evaluations during training (``RunRecord/evaluations``) with its epoch ends.
///
/// Accuracies are fractions (0.9812) in the JSON and CSV, percent in Markdown.
public struct ByzFLReport: Sendable, Encodable {
    /// One attack against one defence at one (f, γ): its peak over the seed-mean curve.
    public struct AttackResult: Sendable, Equatable, Encodable {
        public var attack: String
        /// The best accuracy of the curve averaged over seeds.
        public var peak: Double
        /// The round at which that best accuracy was reached.
        public var peakRound: Int
        /// The mean over seeds of the final accuracy.
        public var finalMean: Double
        public var seeds: [UInt64]

        enum CodingKeys: String, CodingKey {
            case attack, peak, seeds
            case peakRound = "peak_round"
            case finalMean = "final_mean"
        }
    }

    /// One defence at one (f, γ): every attack, worst (lowest peak) first.
    public struct Cell: Sendable, Equatable, Encodable {
        public var rule: String
        public var byzantine: Int
        public var gamma: Double
        public var attacks: [AttackResult]
        /// The attack with the lowest peak: the cell's value.
        public var worst: AttackResult { attacks[0] }

        enum CodingKeys: String, CodingKey { case rule, byzantine, gamma, worst, attacks }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(rule, forKey: .rule)
            try container.encode(byzantine, forKey: .byzantine)
            try container.encode(gamma, forKey: .gamma)
            try container.encode(worst, forKey: .worst)
            try container.encode(attacks, forKey: .attacks)
        }
    }

    /// The defences (rule labels such as `clipping=2+nnm+trimmed-mean`), in the order first
    /// seen in `preferredRules`, then by name.
    public private(set) var rules: [String]
    /// f, increasing (the columns).
    public private(set) var byzantineCounts: [Int]
    /// γ, from 0 (the most heterogeneous, the top row) to 1.
    public private(set) var gammas: [Double]
    public private(set) var attacks: [String]
    public private(set) var cells: [Cell]
    /// The dataset of the runs (`mnist`, `fashion-mnist`); nil without records.
    public private(set) var dataset: String?
    /// The honest workers of the runs (m − f), when all runs agree.
    public private(set) var honestWorkers: Int?

    /// - Parameters:
    ///   - records: The runs; those without a gamma partition or without Byzantine workers
    ///     are left out.
    ///   - preferredRules: Defence order (labels, as ``ruleLabel(_:)`` makes them).
    public init(records: [RunRecord], preferredRules: [String] = []) {
        struct Key: Hashable { var rule: String; var byzantine: Int; var gamma: Double; var attack: String }
        var groups: [Key: [RunRecord]] = [:]
        for record in records.sorted(by: { ($0.config.seed, $0.config.id) < ($1.config.seed, $1.config.id) }) {
            let config = record.config
            guard config.byzantine > 0, let gamma = config.partition.gamma else { continue }
            groups[Key(rule: Self.ruleLabel(config.rule), byzantine: config.byzantine, gamma: gamma,
                       attack: config.attackName), default: []].append(record)
        }
        let ruleNames = Set(groups.keys.map(\.rule))
        rules = preferredRules.filter(ruleNames.contains) + ruleNames.subtracting(preferredRules).sorted()
        byzantineCounts = Set(groups.keys.map(\.byzantine)).sorted()
        gammas = Set(groups.keys.map(\.gamma)).sorted()
        attacks = Set(groups.keys.map(\.attack)).sorted()
        var cells: [Cell] = []
        for rule in rules {
            for gamma in gammas {
                for f in byzantineCounts {
                    let results = attacks.compactMap { attack -> AttackResult? in
                        guard let runs = groups[Key(rule: rule, byzantine: f, gamma: gamma, attack: attack)] else { return nil }
                        return Self.result(attack: attack, runs: runs)
                    }
                    guard !results.isEmpty else { continue }
                    cells.append(Cell(rule: rule, byzantine: f, gamma: gamma,
                                      attacks: results.sorted { ($0.peak, $0.attack) < ($1.peak, $1.attack) }))
                }
            }
        }
        self.cells = cells
        let used = groups.values.flatMap { $0 }
        dataset = Set(used.map(\.config.dataset.rawValue)).sorted().first
        let honest = Set(used.map { $0.config.workers - $0.config.byzantine })
        honestWorkers = honest.count == 1 ? honest.first : nil
    }

    /// A defence as one label, its ``RuleConfiguration/pipeline``: the pre-aggregations in
    /// the order they act, then the rule, `clipping=2+nnm+trimmed-mean` (as `reproduce
    /// robustness` and `--rules` spell it).
    public static func ruleLabel(_ rule: RuleConfiguration) -> String { rule.pipeline }

    /// The seed-mean curve's peak, as ByzFL takes it.
    static func result(attack: String, runs: [RunRecord]) -> AttackResult {
        let curves = runs.map(Self.curve)
        let common = curves.dropFirst().reduce(Set(curves.first?.keys ?? [:].keys)) { $0.intersection($1.keys) }
        var best = (round: 0, accuracy: -Double.infinity)
        for round in common.sorted() {
            let mean = curves.reduce(0) { $0 + ($1[round] ?? 0) } / Double(curves.count)
            if mean > best.accuracy { best = (round, mean) }
        }
        let finalMean = runs.reduce(0) { $0 + $1.finalTestAccuracy } / Double(max(1, runs.count))
        return AttackResult(attack: attack, peak: best.accuracy.isFinite ? best.accuracy : .nan, peakRound: best.round,
                            finalMean: finalMean, seeds: runs.map(\.config.seed))
    }

    /// A run's test accuracy by round: its evaluations and its epoch ends.
    static func curve(_ record: RunRecord) -> [Int: Double] {
        var points: [Int: Double] = [:]
        var round = 0
        for epoch in record.epochs {
            round += epoch.rounds
            if !epoch.testAccuracy.isNaN { points[round] = epoch.testAccuracy }
        }
        for evaluation in record.evaluations ?? [] where !evaluation.testAccuracy.isNaN {
            points[evaluation.round] = evaluation.testAccuracy
        }
        return points
    }

    /// A defence's cell, if it has runs.
    public func cell(rule: String, byzantine: Int, gamma: Double) -> Cell? {
        cells.first { $0.rule == rule && $0.byzantine == byzantine && $0.gamma == gamma }
    }

    /// The best defence at (f, γ): the highest worst-case peak (ties: the first defence).
    public func best(byzantine: Int, gamma: Double) -> Cell? {
        rules.compactMap { cell(rule: $0, byzantine: byzantine, gamma: gamma) }
            .max { $0.worst.peak < $1.worst.peak }
    }

    // MARK: - ByzFL's published numbers

    /// The table ByzFL publishes for MNIST (10 honest clients, f = 1…4, γ = 1, 0.66, 0.33, 0),
    /// read from the heatmaps of its documentation, `docs/_static/plots_example/`
    /// (`aggregated_heatmap.png`: the best method; `TM_test_heatmap.png` and
    /// `GM_test_heatmap.png`: trimmed mean and geometric median after Clipping and NNM) in
    /// LPD-EPFL/byzfl at commit 69bd1ac. Keys: "best" or a defence's label; values by γ,
    /// then f = 1…4, as fractions to two digits.
    public static let publishedMNIST: [String: [Double: [Double]]] = [
        "best": [0.0: [0.87, 0.61, 0.26, 0.27], 0.33: [0.98, 0.97, 0.94, 0.94],
                 0.66: [0.98, 0.97, 0.97, 0.97], 1.0: [0.98, 0.98, 0.98, 0.98]],
        "clipping=2+nnm+trimmed-mean": [0.0: [0.87, 0.61, 0.26, 0.21], 0.33: [0.98, 0.97, 0.94, 0.91],
                                      0.66: [0.98, 0.97, 0.97, 0.97], 1.0: [0.98, 0.98, 0.98, 0.98]],
        "clipping=2+nnm+geometric-median": [0.0: [0.87, 0.56, 0.26, 0.27], 0.33: [0.98, 0.96, 0.94, 0.94],
                                          0.66: [0.98, 0.97, 0.97, 0.96], 1.0: [0.98, 0.98, 0.98, 0.97]],
    ]

    /// ByzFL's published value for `table` ("best" or a defence) at (f, γ), on MNIST only.
    public func published(_ table: String, byzantine: Int, gamma: Double) -> Double? {
        guard dataset == "mnist", honestWorkers == nil || honestWorkers == 10,
              let row = Self.publishedMNIST[table]?[gamma], (1 ... row.count).contains(byzantine) else { return nil }
        return row[byzantine - 1]
    }

    enum CodingKeys: String, CodingKey {
        case rules, byzantineCounts = "byzantine_counts", gammas, attacks, cells, dataset
        case honestWorkers = "honest_workers", best, published
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(rules, forKey: .rules)
        try container.encode(byzantineCounts, forKey: .byzantineCounts)
        try container.encode(gammas, forKey: .gammas)
        try container.encode(attacks, forKey: .attacks)
        try container.encodeIfPresent(dataset, forKey: .dataset)
        try container.encodeIfPresent(honestWorkers, forKey: .honestWorkers)
        try container.encode(cells, forKey: .cells)
        struct Best: Encodable {
            var byzantine: Int, gamma: Double, rule: String, peak: Double, attack: String, published: Double?
        }
        let best = gammas.flatMap { gamma in
            byzantineCounts.compactMap { f in
                self.best(byzantine: f, gamma: gamma).map {
                    Best(byzantine: f, gamma: gamma, rule: $0.rule, peak: $0.worst.peak, attack: $0.worst.attack,
                         published: published("best", byzantine: f, gamma: gamma))
                }
            }
        }
        try container.encode(best, forKey: .best)
    }

    /// The report as pretty JSON with sorted keys.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return try encoder.encode(self)
    }
}
