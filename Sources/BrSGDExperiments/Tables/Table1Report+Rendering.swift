import BrSGDRecords
import Foundation

extension Table1Report {
    /// The table in Markdown, laid out like the paper: one row per attack, one column per
    /// (rule, α), rules in the paper's order. Each cell reads `ours (paper)`, for example
    /// `84.9 ± 0.3 (84.16)`: our mean ± sample std over seeds (the `±` part only with two
    /// or more seeds), then the paper's value; `—` marks a missing value.
    ///
    /// - Parameter digits: Decimals of our mean and std (the paper's values are printed
    ///   with their own two decimals).
    public func markdown(digits: Int = 1) -> String {
        var lines: [String] = []
        lines.append("Final test accuracy (%) under Byzantine attacks: ours (paper: Table 1 of Li et al., LeNet on FashionMNIST, m = 20).")
        if let settings { lines += ["", settings.sentence] }
        lines.append("")
        let header = ["Attack"] + columns.map { "\(Format.ruleTitle($0.rule)) α=\(Format.percent($0.fraction))" }
        lines.append("| " + header.joined(separator: " | ") + " |")
        lines.append("|:---|" + String(repeating: "---:|", count: columns.count))
        for attack in attacks {
            let rowCells = columns.map { column in
                cells.first { $0.attack == attack && $0.column == column }
            }
            guard rowCells.contains(where: { $0 != nil }) else { continue }
            let texts = rowCells.map { $0.map { Self.cellText($0, digits: digits) } ?? "—" }
            lines.append("| " + ([Format.title(attack)] + texts).joined(separator: " | ") + " |")
        }
        lines.append("")
        let counts = cells.map(\.accuracies.count).filter { $0 > 0 }
        if let low = counts.min(), let high = counts.max() {
            let seeds = low == high ? "\(low)" : "\(low)–\(high)"
            lines.append("Each cell: our final test accuracy, mean ± sample std over \(seeds) seed(s), and in brackets the paper's value. α is the fraction of Byzantine workers; α = 0 is a run without attack.")
        } else {
            lines.append("No runs yet: each cell shows — for our value and, in brackets, the paper's value.")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The text of one cell: `84.9 ± 0.3 (84.16)`, `84.9 (84.16)` for one seed, `— (84.16)`.
    static func cellText(_ cell: Cell, digits: Int) -> String {
        var ours = cell.mean.map { Format.fixed($0, digits) } ?? "—"
        if let std = cell.standardDeviation { ours += " ± " + Format.fixed(std, digits) }
        let paper = cell.paper.map { Format.fixed($0, 2) } ?? "—"
        return "\(ours) (\(paper))"
    }

    /// The table in long CSV format, one line per cell with our data or a paper value:
    ///
    ///     attack,rule,fraction,seeds,mean,std,paper
    ///     gaussian,brsgd,0.25,3,84.9000,0.3000,84.56
    ///
    /// `fraction` is α in [0, 1]; `seeds` the number of runs; `mean`, `std` (sample, n − 1)
    /// and `paper` as fractions of the test set (like every file; percent only on the
    /// console and in Markdown); an empty field means no value. Lines end with `\n`.
    public func csv() -> String {
        var lines = ["attack,rule,fraction,seeds,mean,std,paper"]
        /// A percentage as a fraction with `digits` decimals; empty when there is none.
        func fraction(_ percent: Double?, _ digits: Int) -> String {
            guard let percent else { return "" }
            return Format.fixed(percent / 100, digits)
        }
        for cell in cells {
            // Typed, and no `map { … } ?? ""` in the literal: inferring that took the type
            // checker 10 s, a sixth of a first release build.
            let fields: [String] = [
                Self.csvField(cell.attack),
                Self.csvField(cell.column.rule),
                Format.shortest(cell.column.fraction),
                String(cell.accuracies.count),
                fraction(cell.mean, 6),
                fraction(cell.standardDeviation, 6),
                fraction(cell.paper, 4),
            ]
            lines.append(fields.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The report as pretty-printed JSON with sorted keys (cells carry their mean, std and
    /// difference from the paper).
    public func jsonData() throws -> Data {
        try RunRecord.encoder.encode(self)
    }

    /// A Markdown list of the cells where our mean differs from the paper by more than
    /// `threshold` points, largest first; says so when there are none. Runs of another
    /// length than the paper's ``PaperTable1/epochs`` are not compared: the list says so.
    public func differenceMarkdown(threshold: Double = 5) -> String {
        if let settings, settings.epochs != [PaperTable1.epochs] {
            let epochs = settings.epochs.map(String.init).joined(separator: " or ")
            return "No cell is compared with the paper: these runs trained \(epochs) epoch\(settings.epochs == [1] ? "" : "s"), "
                + "the paper's \(PaperTable1.epochs). Run the grid with --epochs \(PaperTable1.epochs) to compare.\n"
        }
        let differing = differences(threshold: threshold)
        var lines = ["Cells more than \(Format.shortest(threshold)) points from the paper: \(differing.count)."]
        if !differing.isEmpty { lines.append("") }
        for cell in differing {
            guard let mean = cell.mean, let paper = cell.paper, let difference = cell.differenceFromPaper else { continue }
            let sign = difference >= 0 ? "+" : "−"
            lines.append("- \(Format.title(cell.attack)), \(Format.ruleTitle(cell.column.rule)), α = \(Format.percent(cell.column.fraction)): ours \(Format.fixed(mean, 1)) vs paper \(Format.fixed(paper, 2)) (\(sign)\(Format.fixed(abs(difference), 1)))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Quotes a CSV field when it holds a comma, quote or newline (RFC 4180).
    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
