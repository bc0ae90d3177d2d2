import BrSGDRecords
import Foundation

/// Our reproduction of Table 1 of the paper, next to the paper's numbers.
///
/// Built from run records: each record's final test accuracy (in percent) goes into the
/// cell keyed by (attack, rule, Byzantine fraction α = b/m). Several records in a cell
/// (different seeds) give mean ± sample standard deviation (n − 1 in the denominator).
///
/// - Rows: the paper's four attacks in its order, then any other attack in the records,
///   alphabetically.
/// - Columns: the paper's 13 (rule, α) columns, then any other (rule, α) in the records;
///   columns are grouped by rule (paper rules first, then others alphabetically), α
///   increasing within a group. Cells the paper lacks show `—` for the paper value.
/// - A record with no Byzantine workers (b = 0, attack `none`) is a clean run: it fills
///   the α = 0 cell of its rule in *every* attack row, as the paper's α = 0 column does.
///   A record with b = 0 and a named attack fills only that attack's row.
/// - Attack and rule names are canonicalised with ``PaperTable1/canonicalName(_:)``.
///
/// ```swift
/// let report = Table1Report(records: try RunRecord.readAll(in: runs))
/// try report.markdown().write(to: out.appending(path: "table1.md"), atomically: true, encoding: .utf8)
/// ```
public struct Table1Report: Codable, Sendable, Equatable {
    /// One column of the table: a rule at one Byzantine fraction.
    public struct Column: Codable, Sendable, Hashable {
        /// Canonical rule name.
        public var rule: String
        /// Byzantine fraction α in [0, 1].
        public var fraction: Double

        /// Creates a column.
        public init(rule: String, fraction: Double) {
            self.rule = rule
            self.fraction = Format.fractionKey(fraction)
        }
    }

    /// One cell: our accuracies over seeds and the paper's value.
    public struct Cell: Codable, Sendable, Equatable {
        /// Canonical attack name (the row).
        public var attack: String
        /// Rule and fraction (the column).
        public var column: Column
        /// Final test accuracies in percent, one per record, in record order.
        public var accuracies: [Double]
        /// The seed of each record, parallel to ``accuracies``.
        public var seeds: [UInt64]
        /// The paper's value in percent, if the paper has this cell.
        public var paper: Double?

        /// Our mean accuracy in percent; `nil` when there are no records.
        public var mean: Double? { Statistics.mean(accuracies) }
        /// Sample standard deviation in points; `nil` for fewer than two records.
        public var standardDeviation: Double? { Statistics.sampleStandardDeviation(accuracies) }
        /// Our mean minus the paper's value, in points, when both exist.
        public var differenceFromPaper: Double? {
            guard let mean, let paper else { return nil }
            return mean - paper
        }

        /// Creates a cell.
        public init(attack: String, column: Column, accuracies: [Double], seeds: [UInt64], paper: Double?) {
            self.attack = attack
            self.column = column
            self.accuracies = accuracies
            self.seeds = seeds
            self.paper = paper
        }

        enum CodingKeys: String, CodingKey {
            case attack, column, accuracies, seeds, paper, mean
            case standardDeviation = "std"
            case differenceFromPaper = "difference_from_paper"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            attack = try container.decode(String.self, forKey: .attack)
            column = try container.decode(Column.self, forKey: .column)
            // Files hold accuracies as fractions, like every file of brsgd; cells keep percent.
            accuracies = try container.decode([Double].self, forKey: .accuracies).map { $0 * 100 }
            seeds = try container.decode([UInt64].self, forKey: .seeds)
            paper = try container.decodeIfPresent(Double.self, forKey: .paper).map { $0 * 100 }
        }

        /// Writes the stored fields and, for readers of the file, the derived mean, std and
        /// difference from the paper — as fractions (0.8593, not 85.93), like every file.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(attack, forKey: .attack)
            try container.encode(column, forKey: .column)
            try container.encode(accuracies.map { $0 / 100 }, forKey: .accuracies)
            try container.encode(seeds, forKey: .seeds)
            try container.encodeIfPresent(paper.map { $0 / 100 }, forKey: .paper)
            try container.encodeIfPresent(mean.map { $0 / 100 }, forKey: .mean)
            try container.encodeIfPresent(standardDeviation.map { $0 / 100 }, forKey: .standardDeviation)
            try container.encodeIfPresent(differenceFromPaper.map { $0 / 100 }, forKey: .differenceFromPaper)
        }
    }

    /// Row order: attack names.
    public private(set) var attacks: [String]
    /// Column order.
    public private(set) var columns: [Column]
    /// Every cell with our data or a paper value, row by row in column order.
    public private(set) var cells: [Cell]
    /// What the runs were made with (epochs, batch size, test subset, …); nil without records.
    public private(set) var settings: RunSettings?

    /// Builds the table from run records.
    ///
    /// - Parameters:
    ///   - records: Runs, typically read with ``RunRecord/readAll(in:)``.
    ///   - ruleLabel: The column-group name of a run; defaults to the rule name. Pass, say,
    ///     `{ "\($0.ruleName)-beta\($0.rule.selectionFraction ?? 0.5)" }` to keep different
    ///     β apart (labels other than the paper's rule names get no paper values).
    /// - Complexity: O(r + c·a) for r records, c columns and a attacks.
    public init(records: [RunRecord], ruleLabel: (Experiment) -> String = { $0.ruleName }) {
        struct Key: Hashable { var attack: String; var column: Column }
        var data: [Key: (accuracies: [Double], seeds: [UInt64])] = [:]
        var clean: [Column: (accuracies: [Double], seeds: [UInt64])] = [:]
        var extraAttacks = Set<String>()
        var observedColumns = Set<Column>()

        for record in records {
            let config = record.config
            let attack = PaperTable1.canonicalName(config.attackName)
            let column = Column(rule: PaperTable1.canonicalName(ruleLabel(config)), fraction: config.byzantineFraction)
            observedColumns.insert(column)
            let accuracy = record.finalTestAccuracy * 100
            if config.byzantine == 0, attack == "none" || attack.isEmpty {
                clean[column, default: ([], [])].accuracies.append(accuracy)
                clean[column, default: ([], [])].seeds.append(config.seed)
                continue
            }
            if !PaperTable1.attacks.contains(attack) { extraAttacks.insert(attack) }
            data[Key(attack: attack, column: column), default: ([], [])].accuracies.append(accuracy)
            data[Key(attack: attack, column: column), default: ([], [])].seeds.append(config.seed)
        }

        attacks = PaperTable1.attacks + extraAttacks.sorted()
        let paperColumns = PaperTable1.columns.map { Column(rule: $0.rule, fraction: $0.fraction) }
        let allColumns = Set(paperColumns).union(observedColumns)
        let ruleOrder = PaperTable1.rules + Set(allColumns.map(\.rule)).subtracting(PaperTable1.rules).sorted()
        columns = ruleOrder.flatMap { rule in
            allColumns.filter { $0.rule == rule }.sorted { $0.fraction < $1.fraction }
        }

        var cells: [Cell] = []
        for attack in attacks {
            for column in columns {
                var entry = data[Key(attack: attack, column: column)] ?? ([], [])
                if column.fraction == 0, let run = clean[column] {
                    entry.accuracies += run.accuracies
                    entry.seeds += run.seeds
                }
                let paper = PaperTable1.value(attack: attack, rule: column.rule, fraction: column.fraction)
                if entry.accuracies.isEmpty && paper == nil { continue }
                cells.append(Cell(attack: attack, column: column, accuracies: entry.accuracies, seeds: entry.seeds, paper: paper))
            }
        }
        self.cells = cells
        self.settings = RunSettings(records: records)
    }

    /// The cell for an attack, rule and fraction, if it has our data or a paper value.
    public func cell(attack: String, rule: String, fraction: Double) -> Cell? {
        let attack = PaperTable1.canonicalName(attack)
        let column = Column(rule: PaperTable1.canonicalName(rule), fraction: fraction)
        return cells.first { $0.attack == attack && $0.column == column }
    }

    /// Cells where our mean and the paper's value differ by more than `threshold` points,
    /// largest difference first.
    public func differences(threshold: Double = 5) -> [Cell] {
        cells.filter { abs($0.differenceFromPaper ?? 0) > threshold }
            .sorted { abs($0.differenceFromPaper ?? 0) > abs($1.differenceFromPaper ?? 0) }
    }

    enum CodingKeys: String, CodingKey {
        case attacks, columns, cells, settings
    }
}
