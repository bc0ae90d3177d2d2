import BrSGDRecords
import Foundation

/// The worst case over attacks, per rule, Byzantine fraction and heterogeneity: the measure
/// of a defence in today's literature (ByzFL's benchmark; Allouah et al., 2023–2024).
///
/// Built from run records (typically those of ``RobustnessGrid``'s runs):
/// - A record with b > 0 goes into the group (rule, α = b/m, heterogeneity) under its attack;
///   the records of one attack (different seeds) give its mean ± sample std (n − 1).
/// - The group's **worst case** is the attack with the lowest mean over seeds (ties: the
///   attack first by name); a cell shows that attack's mean ± std, so one unlucky seed of
///   another attack does not decide it.
/// - A record with b = 0 is a clean run: it goes to the baselines, per (rule, heterogeneity).
/// - Heterogeneity is the partition: IID, Dirichlet(α) (smaller α: more heterogeneous), or
///   gamma similarity γ (smaller γ: more heterogeneous).
///
/// Records that differ in anything else (epochs, model, m) are not told apart: give the
/// report the records of one grid. Accuracies are fractions of the test set (0.8593), as in
/// every file; Markdown and the console print percent.
///
/// - Complexity: O(r log r) for r records.
public struct RobustnessReport: Sendable, Equatable, Encodable {
    /// How the training set was split: IID, Dirichlet(α) over the workers, or ByzFL's
    /// gamma similarity γ.
    public struct Heterogeneity: Sendable, Hashable, Comparable, Encodable {
        /// α of the Dirichlet partition; `nil` otherwise.
        public var dirichletAlpha: Double?
        /// γ of the gamma-similarity partition; `nil` otherwise.
        public var gamma: Double?

        public init(dirichletAlpha: Double?, gamma: Double? = nil) {
            self.dirichletAlpha = dirichletAlpha
            self.gamma = gamma
        }

        public init(_ partition: PartitionScheme) {
            dirichletAlpha = partition.dirichletAlpha
            gamma = partition.gamma
        }

        /// `IID`, `Dir(1)`, `Dir(0.1)`, `γ=0.33`.
        public var title: String {
            if let gamma { return "γ=\(Format.shortest(gamma))" }
            return dirichletAlpha.map { "Dir(\(Format.shortest($0)))" } ?? "IID"
        }

        /// `iid`, `dirichlet-1`, `dirichlet-0.1`, `gamma-0.33`: the CSV's and the JSON's name
        /// (and how `--heterogeneity` spells it).
        public var name: String {
            if let gamma { return "gamma-\(Format.shortest(gamma))" }
            return dirichletAlpha.map { "dirichlet-\(Format.shortest($0))" } ?? "iid"
        }

        /// IID first, then Dirichlet from the least to the most heterogeneous (α decreasing),
        /// then gamma similarity likewise (γ decreasing).
        public static func < (a: Self, b: Self) -> Bool {
            func key(_ h: Self) -> (Int, Double) {
                if let gamma = h.gamma { return (2, -gamma) }
                if let alpha = h.dirichletAlpha { return (1, -alpha) }
                return (0, 0)
            }
            return key(a) < key(b)
        }

        enum CodingKeys: String, CodingKey {
            case name
            case dirichletAlpha = "dirichlet_alpha"
            case gamma
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            try container.encode(dirichletAlpha, forKey: .dirichletAlpha)
            try container.encodeIfPresent(gamma, forKey: .gamma)
        }
    }

    /// The runs of one attack (or of the clean baseline) in one group: one per seed.
    public struct Runs: Sendable, Equatable, Encodable {
        /// The attack's name (`none` for a clean run).
        public var attack: String
        /// Final test accuracies as fractions, in seed order.
        public var accuracies: [Double]
        /// The best test accuracy of each run during training (``RunRecord/peakTestAccuracy``:
        /// over its evaluations, or its epochs when it made none in between), in seed order.
        public var peakAccuracies: [Double]
        /// The seed of each accuracy.
        public var seeds: [UInt64]

        public init(attack: String, accuracies: [Double], peakAccuracies: [Double]? = nil, seeds: [UInt64]) {
            self.attack = attack
            self.accuracies = accuracies
            self.peakAccuracies = peakAccuracies ?? accuracies
            self.seeds = seeds
        }

        /// The mean over seeds.
        public var mean: Double { accuracies.reduce(0, +) / Double(max(1, accuracies.count)) }
        /// The sample standard deviation over seeds; `nil` for one seed.
        public var standardDeviation: Double? { Statistics.sampleStandardDeviation(accuracies) }
        /// The mean of the peak accuracies over seeds.
        public var peakMean: Double { peakAccuracies.reduce(0, +) / Double(max(1, peakAccuracies.count)) }
        /// Their sample standard deviation; `nil` for one seed.
        public var peakStandardDeviation: Double? { Statistics.sampleStandardDeviation(peakAccuracies) }

        enum CodingKeys: String, CodingKey {
            case attack, accuracies, seeds, mean
            case standardDeviation = "std"
            case peakAccuracies = "peak_accuracies"
            case peakMean = "peak_mean"
            case peakStandardDeviation = "peak_std"
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(attack, forKey: .attack)
            try container.encode(accuracies, forKey: .accuracies)
            try container.encode(seeds, forKey: .seeds)
            try container.encode(mean, forKey: .mean)
            try container.encodeIfPresent(standardDeviation, forKey: .standardDeviation)
            try container.encode(peakAccuracies, forKey: .peakAccuracies)
            try container.encode(peakMean, forKey: .peakMean)
            try container.encodeIfPresent(peakStandardDeviation, forKey: .peakStandardDeviation)
        }
    }

    /// One (rule, α, heterogeneity): every attack's runs, worst first.
    public struct Cell: Sendable, Equatable, Encodable {
        public var rule: String
        /// The Byzantine fraction b/m.
        public var fraction: Double
        public var heterogeneity: Heterogeneity
        /// Every attack's runs, lowest mean first (ties by attack name).
        public var attacks: [Runs]
        /// The attack with the lowest mean accuracy.
        public var worst: Runs { attacks[0] }
        /// The attack with the lowest mean peak accuracy (ties by attack name): ByzFL's measure,
        /// the worst attack's best accuracy during training.
        public var worstByPeak: Runs {
            attacks.min { ($0.peakMean, $0.attack) < ($1.peakMean, $1.attack) }!
        }

        enum CodingKeys: String, CodingKey {
            case rule, fraction, heterogeneity, attacks, worst
            case worstByPeak = "worst_by_peak"
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(rule, forKey: .rule)
            try container.encode(fraction, forKey: .fraction)
            try container.encode(heterogeneity, forKey: .heterogeneity)
            try container.encode(worst, forKey: .worst)
            try container.encode(worstByPeak, forKey: .worstByPeak)
            try container.encode(attacks, forKey: .attacks)
        }
    }

    /// A clean run (no Byzantine worker) of a rule under one heterogeneity.
    public struct Baseline: Sendable, Equatable, Encodable {
        public var rule: String
        public var heterogeneity: Heterogeneity
        public var runs: Runs
    }

    /// Rules with attacked runs, in the order first seen in `preferredRules`, then by name.
    public private(set) var rules: [String]
    /// Byzantine fractions with attacked runs, increasing.
    public private(set) var fractions: [Double]
    /// Heterogeneities with any run, IID first, then α decreasing.
    public private(set) var heterogeneities: [Heterogeneity]
    /// Attacks with any run, by name.
    public private(set) var attacks: [String]
    /// Every group that has runs, by rule, fraction and heterogeneity.
    public private(set) var cells: [Cell]
    /// What the runs were made with (epochs, batch size, test subset, …); nil without records.
    public private(set) var settings: RunSettings?
    /// The clean runs, by rule and heterogeneity.
    public private(set) var baselines: [Baseline]

    /// Builds the report.
    /// - Parameters:
    ///   - records: The grid's runs.
    ///   - preferredRules: Rule order for tables and plots (rules not listed follow by name).
    public init(records: [RunRecord], preferredRules: [String] = []) {
        struct Key: Hashable { var rule: String; var fraction: Double; var heterogeneity: Heterogeneity }
        struct CleanKey: Hashable { var rule: String; var heterogeneity: Heterogeneity }
        var groups: [Key: [String: Runs]] = [:]
        var clean: [CleanKey: Runs] = [:]
        for record in records.sorted(by: { ($0.config.seed, $0.config.id) < ($1.config.seed, $1.config.id) }) {
            let config = record.config
            let heterogeneity = Heterogeneity(config.partition)
            if config.byzantine == 0 {
                let key = CleanKey(rule: config.rule.pipeline, heterogeneity: heterogeneity)
                clean[key, default: Runs(attack: "none", accuracies: [], seeds: [])].append(record)
                continue
            }
            let key = Key(rule: config.rule.pipeline, fraction: Format.fractionKey(config.byzantineFraction), heterogeneity: heterogeneity)
            groups[key, default: [:]][config.attackName, default: Runs(attack: config.attackName, accuracies: [], seeds: [])].append(record)
        }
        let ruleNames = Set(groups.keys.map(\.rule))
        rules = preferredRules.filter(ruleNames.contains) + ruleNames.subtracting(preferredRules).sorted()
        fractions = Set(groups.keys.map(\.fraction)).sorted()
        heterogeneities = Set(groups.keys.map(\.heterogeneity)).union(clean.keys.map(\.heterogeneity)).sorted()
        attacks = Set(groups.values.flatMap(\.keys)).sorted()
        var cells: [Cell] = []
        for rule in rules {
            for fraction in fractions {
                for heterogeneity in heterogeneities {
                    guard let runs = groups[Key(rule: rule, fraction: fraction, heterogeneity: heterogeneity)] else { continue }
                    let ordered = runs.values.sorted { ($0.mean, $0.attack) < ($1.mean, $1.attack) }
                    cells.append(Cell(rule: rule, fraction: fraction, heterogeneity: heterogeneity, attacks: ordered))
                }
            }
        }
        self.cells = cells
        baselines = clean.map { Baseline(rule: $0.key.rule, heterogeneity: $0.key.heterogeneity, runs: $0.value) }
            .sorted { ($0.rule, $0.heterogeneity) < ($1.rule, $1.heterogeneity) }
        settings = RunSettings(records: records)
    }

    /// The group of a rule at a fraction and heterogeneity, if it has runs.
    public func cell(rule: String, fraction: Double, heterogeneity: Heterogeneity) -> Cell? {
        let fraction = Format.fractionKey(fraction)
        return cells.first { $0.rule == rule && $0.fraction == fraction && $0.heterogeneity == heterogeneity }
    }

    /// The clean reference of a heterogeneity: the mean rule's clean runs if there are,
    /// else the first rule's.
    public func baseline(_ heterogeneity: Heterogeneity) -> Baseline? {
        let candidates = baselines.filter { $0.heterogeneity == heterogeneity }
        return candidates.first { $0.rule == "mean" } ?? candidates.first
    }

    enum CodingKeys: String, CodingKey { case rules, fractions, heterogeneities, attacks, baselines, cells, settings }

    /// Writes the report as JSON: its lists, the baselines and every cell (worst case first,
    /// then every attack's runs), accuracies as fractions.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }
}

extension RobustnessReport.Runs {
    fileprivate mutating func append(_ record: RunRecord) {
        accuracies.append(record.finalTestAccuracy)
        peakAccuracies.append(record.peakTestAccuracy)
        seeds.append(record.config.seed)
    }
}
