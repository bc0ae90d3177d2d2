import Foundation

/// ByzFL's heatmaps (`test_heatmap`, `aggregated_test_heatmap` in
/// `byzfl/benchmark/evaluate_results.py`) as one SVG: a panel for the best method, then one
/// per defence; rows γ from 0 (top) to 1, columns f; each square the worst attack's best
/// accuracy during training, coloured on viridis from 10% (dark) to 100% (light), with the
/// worst attack (or, in the best-method panel, the best defence's rule) beneath, and on MNIST
/// ByzFL's published value.
///
/// (``RobustnessHeatmap`` draws a different grid, rows α and columns heterogeneity of one
/// final accuracy; this one shares its palette and writer.)
public struct ByzFLHeatmap: Sendable {
    public var report: ByzFLReport

    public init(report: ByzFLReport) { self.report = report }

    static let cellWidth = 128.0
    static let cellHeight = 56.0
    static let left = 72.0
    static let top = 74.0
    static let gap = 40.0

    public func svg(title: String? = nil) -> String {
        let columns = report.byzantineCounts, rows = report.gammas
        let panels: [(name: String, table: String, value: (Int, Double) -> (Double, String)?)] =
            [("best method", "best", { f, gamma in
                report.best(byzantine: f, gamma: gamma).map { ($0.worst.peak, String($0.rule.split(separator: "→").last ?? "")) }
            })]
            + report.rules.map { rule in
                (rule, rule, { f, gamma in report.cell(rule: rule, byzantine: f, gamma: gamma).map { ($0.worst.peak, $0.worst.attack) } })
            }
        let panelWidth = Double(max(1, columns.count)) * Self.cellWidth
        let panelHeight = Double(max(1, rows.count)) * Self.cellHeight
        let heading = title ?? "Worst-case best test accuracy during training (\(report.dataset ?? "no runs"))"
        let footnote = "rows γ (gamma similarity; 1 is IID), columns f Byzantine of \(report.honestWorkers.map(String.init) ?? "n") honest workers; colour from 10% to 100%"
        let width = max(Self.left + Double(panels.count) * (panelWidth + Self.gap),
                        Self.left + SVGWriter.textWidth(heading, size: 14, bold: true) + 16,
                        Self.left + SVGWriter.textWidth(footnote, size: 10) + 16)
        let height = Self.top + panelHeight + 56
        var svg = SVGWriter(width: width, height: height)
        svg.text(heading, x: Self.left, y: 20, size: 14, weight: "bold")
        for (index, panel) in panels.enumerated() {
            let x0 = Self.left + Double(index) * (panelWidth + Self.gap)
            svg.text(panel.name, x: x0 + panelWidth / 2, y: Self.top - 26, size: 12, anchor: .middle, weight: "bold")
            for (c, f) in columns.enumerated() {
                svg.text("f = \(f)", x: x0 + (Double(c) + 0.5) * Self.cellWidth, y: Self.top - 8, size: 11, anchor: .middle)
            }
            for (r, gamma) in rows.enumerated() {
                let y = Self.top + Double(r) * Self.cellHeight
                if index == 0 {
                    svg.text("γ = " + Format.shortest(gamma), x: Self.left - 6, y: y + Self.cellHeight / 2 + 4, size: 11, anchor: .end)
                }
                for (c, f) in columns.enumerated() {
                    let rect = Rect(x: x0 + Double(c) * Self.cellWidth, y: y, width: Self.cellWidth, height: Self.cellHeight)
                    guard let (accuracy, note) = panel.value(f, gamma), !accuracy.isNaN else {
                        svg.rect(rect, fill: "#eeeeee", stroke: "white")
                        svg.text("—", x: rect.x + rect.width / 2, y: rect.y + rect.height / 2 + 4, size: 12, anchor: .middle, fill: "#888888")
                        continue
                    }
                    let level = (accuracy - 0.1) / 0.9
                    let ink = level > 0.55 ? "#111111" : "#ffffff"
                    svg.rect(rect, fill: Palette.viridis(level), stroke: "white", extra: [("data-accuracy", Format.fixed(accuracy, 4))])
                    svg.text(Format.fixed(accuracy * 100, 1), x: rect.x + rect.width / 2, y: rect.y + 21, size: 13,
                             anchor: .middle, weight: "bold", fill: ink)
                    svg.text(note, x: rect.x + rect.width / 2, y: rect.y + 36, size: 9, anchor: .middle, fill: ink)
                    if let theirs = report.published(panel.table, byzantine: f, gamma: gamma) {
                        svg.text("ByzFL " + Format.fixed(theirs * 100, 0), x: rect.x + rect.width / 2, y: rect.y + 49, size: 9,
                                 anchor: .middle, fill: ink)
                    }
                }
            }
        }
        svg.text(footnote, x: Self.left, y: height - 16, size: 10, fill: "#555555")
        return svg.document(title: heading)
    }
}
