import Foundation

/// Heatmaps of the worst case over attacks, one panel per rule, like ByzFL's: rows are the
/// Byzantine fraction α (increasing downwards), columns the heterogeneity (IID, then
/// Dirichlet α decreasing), each square coloured by the worst-case mean test accuracy and
/// labelled with it, its std over seeds and the attack that achieved it.
///
/// Colour: viridis (perceptually uniform, readable in grey and by the colour-blind) from
/// ``floor`` (dark; 10%, chance on ten classes) to ``ceiling`` (light; the best clean
/// baseline, so a square as light as the clean run held).
public struct RobustnessHeatmap: Sendable {
    public var report: RobustnessReport
    /// The rules drawn, one panel each, in this order.
    public var rules: [String]
    /// Accuracy (fraction) of the darkest colour.
    public var floor: Double
    /// Accuracy (fraction) of the lightest colour.
    public var ceiling: Double

    /// Panels for `rules` (default: every rule of the report).
    public init(report: RobustnessReport, rules: [String]? = nil) {
        self.report = report
        self.rules = rules ?? report.rules
        floor = 0.1
        let best = report.baselines.map(\.runs.mean).max() ?? report.cells.map(\.worst.mean).max() ?? 1
        ceiling = max(best, floor + 0.05)
    }

    static let cellWidth = 112.0
    static let cellHeight = 56.0
    static let left = 64.0
    static let top = 74.0
    static let gap = 40.0
    static let barWidth = 14.0

    /// The SVG: the panels side by side, then a colour bar.
    public func svg(title: String? = nil) -> String {
        let columns = report.heterogeneities.filter { h in report.cells.contains { $0.heterogeneity == h } }
        let rows = report.fractions
        let panelWidth = Double(max(1, columns.count)) * Self.cellWidth
        let panelHeight = Double(max(1, rows.count)) * Self.cellHeight
        let barX = Self.left + Double(rules.count) * (panelWidth + Self.gap)
        let heading = title ?? "Worst-case test accuracy over \(report.attacks.count) attacks"
        let seeds = Set(report.cells.map(\.worst.accuracies.count)).sorted().map(String.init).joined(separator: "–")
        let footnote = "mean ± std over \(seeds) seed(s); the attack named is the worst one; colour from \(Format.fixed(floor * 100, 0))% to the best clean run"
        // Wide enough for the panels and colour bar, the heading and the footnote, at any panel count.
        let width = max(barX + Self.barWidth + 56, Self.left + SVGWriter.textWidth(heading, size: 14, bold: true) + 16,
                        Self.left + SVGWriter.textWidth(footnote, size: 10) + 16)
        let height = Self.top + panelHeight + 56
        var svg = SVGWriter(width: width, height: height)
        svg.text(heading, x: Self.left, y: 20, size: 14, weight: "bold")
        for (index, rule) in rules.enumerated() {
            let x0 = Self.left + Double(index) * (panelWidth + Self.gap)
            svg.text(rule, x: x0 + panelWidth / 2, y: Self.top - 22, size: 13, anchor: .middle, weight: "bold")
            for (c, heterogeneity) in columns.enumerated() {
                svg.text(heterogeneity.title, x: x0 + (Double(c) + 0.5) * Self.cellWidth, y: Self.top - 6, size: 11, anchor: .middle)
            }
            for (r, fraction) in rows.enumerated() {
                let y = Self.top + Double(r) * Self.cellHeight
                if index == 0 {
                    svg.text("α=" + Format.percent(fraction), x: Self.left - 6, y: y + Self.cellHeight / 2 + 4, size: 11, anchor: .end)
                }
                for (c, heterogeneity) in columns.enumerated() {
                    let rect = Rect(x: x0 + Double(c) * Self.cellWidth, y: y, width: Self.cellWidth, height: Self.cellHeight)
                    guard let cell = report.cell(rule: rule, fraction: fraction, heterogeneity: heterogeneity) else {
                        svg.rect(rect, fill: "#eeeeee", stroke: "white")
                        svg.text("—", x: rect.x + rect.width / 2, y: rect.y + rect.height / 2 + 4, size: 12, anchor: .middle, fill: "#888888")
                        continue
                    }
                    let level = (cell.worst.mean - floor) / (ceiling - floor)
                    let fill = Palette.viridis(level)
                    let ink = level > 0.55 ? "#111111" : "#ffffff"
                    svg.rect(rect, fill: fill, stroke: "white", extra: [("data-accuracy", Format.fixed(cell.worst.mean, 4))])
                    var main = Format.fixed(cell.worst.mean * 100, 1)
                    if let std = cell.worst.standardDeviation { main += " ± " + Format.fixed(std * 100, 1) }
                    svg.text(main, x: rect.x + rect.width / 2, y: rect.y + 24, size: 13, anchor: .middle, weight: "bold", fill: ink)
                    svg.text(cell.worst.attack, x: rect.x + rect.width / 2, y: rect.y + 42, size: 10, anchor: .middle, fill: ink)
                }
            }
        }
        // Colour bar, floor at the bottom.
        let steps = 32
        for i in 0 ..< steps {
            let level = 1 - (Double(i) + 0.5) / Double(steps)
            let rect = Rect(x: barX, y: Self.top + Double(i) * panelHeight / Double(steps), width: Self.barWidth, height: panelHeight / Double(steps) + 0.5)
            svg.rect(rect, fill: Palette.viridis(level))
        }
        for (label, level) in [(ceiling, 1.0), ((floor + ceiling) / 2, 0.5), (floor, 0.0)] {
            svg.text(Format.fixed(label * 100, 0) + "%", x: barX + Self.barWidth + 4, y: Self.top + (1 - level) * panelHeight + 4, size: 10)
        }
        svg.text(footnote, x: Self.left, y: height - 16, size: 10, fill: "#555555")
        return svg.document(title: heading)
    }
}
