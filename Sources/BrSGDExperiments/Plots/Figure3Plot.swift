import BrSGDRecords
import Foundation

/// Figure 3 of the paper: test accuracy (%) against epoch under Byzantine attacks.
///
/// Two layouts:
/// - ``Layout/grid`` (the paper's): one panel per (attack, rule), rows = attacks, columns =
///   rules, one line per Byzantine fraction α. Panels are labelled like the paper's,
///   `(a0)` … : the letter is the column (the paper's order Mean, Median, Krum, then Ours,
///   then other rules), the digit the row (Gaussian, Model Negation, Gradient Scale, Label
///   Flip, then other attacks). Only rules and attacks with runs appear.
/// - ``Layout/perAttack``: one panel per attack, one line per (rule, α): colour = rule,
///   dash = α.
///
/// Several seeds of one setting are averaged epoch by epoch. A clean run (b = 0, attack
/// `none`) is drawn as the α = 0 line in every attack's panel of its rule.
///
/// ```swift
/// let figure = Figure3Plot(records: try RunRecord.readAll(in: runs))
/// try figure.svg().write(to: out.appending(path: "figure3.svg"), atomically: true, encoding: .utf8)
/// ```
public struct Figure3Plot: Sendable, Equatable {
    /// How panels are arranged.
    public enum Layout: Sendable, Equatable {
        /// Rows = attacks, columns = rules, one line per α (the paper's Figure 3).
        case grid
        /// One panel per attack, one line per (rule, α).
        case perAttack
    }

    /// One line: mean test accuracy (%) per epoch of a (attack, rule, α) setting.
    public struct Curve: Sendable, Equatable {
        /// Canonical attack name (for a clean run, the row it is drawn in).
        public var attack: String
        /// Canonical rule name.
        public var rule: String
        /// Byzantine fraction α.
        public var fraction: Double
        /// Runs averaged.
        public var runs: Int
        /// (epoch, mean test accuracy in percent), by epoch.
        public var points: [ChartPoint]
    }

    /// The layout.
    public var layout: Layout
    /// Figure title.
    public var title: String
    /// Row order (attacks with runs).
    public private(set) var attacks: [String]
    /// Column order (rules with runs).
    public private(set) var rules: [String]
    /// Every curve.
    public private(set) var curves: [Curve]

    /// The paper's column order of rules in Figure 3.
    static let ruleOrder = ["mean", "median", "krum", "brsgd"]

    /// Builds the figure's curves from run records.
    public init(records: [RunRecord], layout: Layout = .grid,
                title: String = "Test accuracy under Byzantine attacks (LeNet, FashionMNIST)") {
        struct Key: Hashable { var attack: String; var rule: String; var fraction: Double }
        var runs: [Key: [RunRecord]] = [:]
        var clean: [Key: [RunRecord]] = [:]
        var attackSet = Set<String>(), ruleSet = Set<String>()
        for record in records {
            let attack = PaperTable1.canonicalName(record.config.attackName)
            let rule = PaperTable1.canonicalName(record.config.ruleName)
            let key = Key(attack: attack, rule: rule, fraction: Format.fractionKey(record.config.byzantineFraction))
            ruleSet.insert(rule)
            if record.config.byzantine == 0, attack == "none" || attack.isEmpty {
                clean[key, default: []].append(record)
            } else {
                attackSet.insert(attack)
                runs[key, default: []].append(record)
            }
        }
        if attackSet.isEmpty, !clean.isEmpty { attackSet.insert("none") }
        attacks = PaperTable1.attacks.filter(attackSet.contains) + attackSet.subtracting(PaperTable1.attacks).sorted()
        rules = Self.ruleOrder.filter(ruleSet.contains) + ruleSet.subtracting(Self.ruleOrder).sorted()
        for (key, group) in clean {
            for attack in attacks {
                runs[Key(attack: attack, rule: key.rule, fraction: key.fraction), default: []] += group
            }
        }
        curves = runs.map { key, group in
            Curve(attack: key.attack, rule: key.rule, fraction: key.fraction, runs: group.count, points: Self.meanCurve(group))
        }.sorted { ($0.attack, $0.rule, $0.fraction) < ($1.attack, $1.rule, $1.fraction) }
        self.layout = layout
        self.title = title
    }

    /// Mean test accuracy (%) per epoch over runs; an epoch counts the runs that reached it.
    static func meanCurve(_ runs: [RunRecord]) -> [ChartPoint] {
        var byEpoch: [Int: [Double]] = [:]
        for run in runs {
            for epoch in run.epochs { byEpoch[epoch.epoch, default: []].append(epoch.testAccuracy * 100) }
        }
        return byEpoch.keys.sorted().map { ChartPoint(x: Double($0), y: Statistics.mean(byEpoch[$0] ?? []) ?? .nan) }
    }

    /// All Byzantine fractions drawn, increasing; the colour of a fraction is its index here.
    public var fractions: [Double] { Array(Set(curves.map(\.fraction))).sorted() }

    /// The panels, row by row, as line charts (without legends; the figure has one shared legend).
    public var panels: [[LineChart]] {
        let maxEpoch = curves.flatMap(\.points).map(\.x).max() ?? 1
        let xRange = 0...max(1, maxEpoch)
        switch layout {
        case .grid:
            return attacks.enumerated().map { row, attack in
                rules.enumerated().map { column, rule in
                    let letter = String(UnicodeScalar(UInt8(97 + column % 26)))
                    var chart = panelChart(
                        title: "(\(letter)\(row)) \(Format.ruleTitle(rule)) · \(Format.title(attack))",
                        xRange: xRange, isLeft: column == 0, isBottom: row == attacks.count - 1)
                    chart.series = curves.filter { $0.attack == attack && $0.rule == rule }.map(gridSeries)
                    return chart
                }
            }
        case .perAttack:
            let columns = attacks.count > 1 ? 2 : 1
            let rowCount = (attacks.count + columns - 1) / columns
            return stride(from: 0, to: attacks.count, by: columns).map { start in
                (start..<min(start + columns, attacks.count)).map { index in
                    let attack = attacks[index]
                    var chart = panelChart(
                        title: Format.title(attack), xRange: xRange,
                        isLeft: index % columns == 0, isBottom: index / columns == rowCount - 1 || index + columns >= attacks.count)
                    chart.series = curves.filter { $0.attack == attack }
                        .sorted { (rules.firstIndex(of: $0.rule) ?? 0, $0.fraction) < (rules.firstIndex(of: $1.rule) ?? 0, $1.fraction) }
                        .map(perAttackSeries)
                    return chart
                }
            }
        }
    }

    private func panelChart(title: String, xRange: ClosedRange<Double>, isLeft: Bool, isBottom: Bool) -> LineChart {
        var chart = LineChart(
            title: title,
            xAxis: .init(label: isBottom ? "Epoch" : "", range: xRange),
            yAxis: .init(label: isLeft ? "Test accuracy (%)" : "", range: 0...100))
        chart.reservesAxisLabelSpace = true
        return chart
    }

    private func fractionLabel(_ fraction: Double) -> String { "α = \(Format.percent(fraction))" }

    private func gridSeries(_ curve: Curve) -> LineChart.Series {
        let index = fractions.firstIndex(of: curve.fraction) ?? 0
        return LineChart.Series(label: fractionLabel(curve.fraction), points: curve.points,
                                color: Palette.color(index), dash: curve.fraction == 0 ? "6 3" : nil)
    }

    private func perAttackSeries(_ curve: Curve) -> LineChart.Series {
        let ruleIndex = rules.firstIndex(of: curve.rule) ?? 0
        let fractionIndex = fractions.firstIndex(of: curve.fraction) ?? 0
        return LineChart.Series(label: "\(Format.ruleTitle(curve.rule)), \(fractionLabel(curve.fraction))", points: curve.points,
                                color: Palette.color(ruleIndex), dash: Palette.dashes[fractionIndex % Palette.dashes.count])
    }

    /// The shared legend: one entry per α (grid) or per (rule, α) (per attack).
    var legend: [LineChart.Series] {
        var entries: [LineChart.Series]
        switch layout {
        case .grid:
            entries = fractions.map { gridSeries(Curve(attack: "", rule: "", fraction: $0, runs: 0, points: [])) }
        case .perAttack:
            var seen = Set<String>()
            entries = panels.flatMap { $0 }.flatMap(\.series).filter { seen.insert($0.label).inserted }
        }
        // One-epoch runs draw markers (see LineChart.resolvedSeries): so does the legend.
        if panels.flatMap({ $0 }).flatMap(\.series).allSatisfy({ $0.points.count < 2 }) {
            for index in entries.indices { entries[index].showsMarkers = true }
        }
        return entries
    }

    /// The figure as one SVG document: title, shared legend, then the panel grid.
    ///
    /// - Parameters:
    ///   - panelWidth: Width in px of one panel.
    ///   - panelHeight: Height in px of one panel.
    ///   Defaults: 250 × 190 for the grid, 360 × 240 per attack.
    public func svg(panelWidth: Double? = nil, panelHeight: Double? = nil) -> String {
        let panelWidth = panelWidth ?? (layout == .grid ? 250 : 360)
        let panelHeight = panelHeight ?? (layout == .grid ? 190 : 240)
        let grid = panels
        let columnCount = max(1, grid.map(\.count).max() ?? 1)
        let width = max(Double(columnCount) * panelWidth + 30, SVGWriter.textWidth(title, size: 15, bold: true) + 40, 480)
        let entries = legend
        let entryWidth = 30 + (entries.map { SVGWriter.textWidth($0.label, size: 11) }.max() ?? 60) + 16
        let legendColumns = max(1, min(entries.count, Int((width - 40) / entryWidth)))
        let legendRows = (entries.count + legendColumns - 1) / legendColumns
        let top = 34 + Double(legendRows) * 18 + 8
        // A row whose panels carry the x-axis title is taller by the title's height, so
        // every panel keeps the same plot area (and the same ticks).
        let rowHeights = grid.map { row in panelHeight + (row.contains { !$0.xAxis.label.isEmpty } ? 18 : 0) }
        let height = top + rowHeights.reduce(0, +) + 10
        var writer = SVGWriter(width: width, height: height)
        writer.text(title, x: width / 2, y: 22, size: 15, anchor: .middle, weight: "bold")
        let legendWidth = Double(legendColumns) * entryWidth
        LineChart.drawLegend(entries, into: &writer, x: (width - legendWidth) / 2, y: 46, columns: legendColumns, columnWidth: entryWidth)
        var y = top
        for (row, charts) in grid.enumerated() {
            for (column, chart) in charts.enumerated() {
                let frame = Rect(x: 10 + Double(column) * panelWidth, y: y, width: panelWidth, height: rowHeights[row])
                chart.draw(into: &writer, frame: frame)
            }
            y += rowHeights[row]
        }
        return writer.document(title: title)
    }
}
