import BrSGDExperiments
import BrSGDRecords
import Foundation
import Testing
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Collects the elements of an SVG document, failing on malformed XML.
final class SVGInspector: NSObject, XMLParserDelegate {
    struct Element { var name: String; var attributes: [String: String] }
    var elements: [Element] = []
    var texts: [String] = []
    /// Each `<text>` element with its content.
    var textElements: [(element: Element, content: String)] = []
    private var currentText = ""

    static func parse(_ svg: String) throws -> SVGInspector {
        let inspector = SVGInspector()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = inspector
        guard parser.parse() else {
            throw XMLError(message: parser.parserError.map { "\($0)" } ?? "parse failed")
        }
        return inspector
    }

    struct XMLError: Error { var message: String }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        elements.append(Element(name: name, attributes: attributes))
        currentText = ""
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { currentText += string }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "text" || name == "title" { texts.append(currentText) }
        if name == "text", let element = elements.last(where: { $0.name == "text" }) { textElements.append((element, currentText)) }
        currentText = ""
    }

    func all(_ name: String, class className: String? = nil) -> [Element] {
        elements.filter { $0.name == name && (className == nil || $0.attributes["class"] == className) }
    }

    /// (width, height) of the root's viewBox.
    var viewBox: (Double, Double)? {
        guard let box = elements.first(where: { $0.name == "svg" })?.attributes["viewBox"] else { return nil }
        let parts = box.split(separator: " ").compactMap { Double($0) }
        return parts.count == 4 ? (parts[2], parts[3]) : nil
    }

    /// Every coordinate of every polyline, circle, line and text.
    var coordinates: [(Double, Double)] {
        var out: [(Double, Double)] = []
        for e in elements {
            switch e.name {
            case "polyline":
                for pair in (e.attributes["points"] ?? "").split(separator: " ") {
                    let xy = pair.split(separator: ",").compactMap { Double($0) }
                    if xy.count == 2 { out.append((xy[0], xy[1])) }
                }
            case "line":
                out.append((Double(e.attributes["x1"] ?? "") ?? .nan, Double(e.attributes["y1"] ?? "") ?? .nan))
                out.append((Double(e.attributes["x2"] ?? "") ?? .nan, Double(e.attributes["y2"] ?? "") ?? .nan))
            case "circle":
                out.append((Double(e.attributes["cx"] ?? "") ?? .nan, Double(e.attributes["cy"] ?? "") ?? .nan))
            case "text":
                out.append((Double(e.attributes["x"] ?? "") ?? .nan, Double(e.attributes["y"] ?? "") ?? .nan))
            default: break
            }
        }
        return out
    }
}

@Suite struct PlotTests {
    func expectInsideViewBox(_ inspector: SVGInspector, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let (width, height) = try #require(inspector.viewBox, sourceLocation: sourceLocation)
        let outside = inspector.coordinates.filter { !($0.0 >= 0 && $0.0 <= width && $0.1 >= 0 && $0.1 <= height) }
        #expect(outside.isEmpty, "\(outside.count) coordinates outside the viewBox, e.g. \(outside.prefix(3))", sourceLocation: sourceLocation)
    }

    @Test func lineChartIsWellFormedWithOnePolylinePerSeries() throws {
        var chart = LineChart(title: "A & B <test>", xAxis: .init(label: "Epoch"), yAxis: .init(label: "Test accuracy (%)", range: 0...100))
        chart.series = (0..<9).map { s in
            LineChart.Series(label: "series \(s)", points: (1...12).map { ChartPoint(x: Double($0), y: Double(s * 10 + $0)) })
        }
        chart.series[0].points.append(ChartPoint(x: 13, y: .nan))   // skipped
        chart.series[1].points.append(ChartPoint(x: 13, y: 1000))   // clamped to the top
        let inspector = try SVGInspector.parse(chart.svg())
        #expect(inspector.all("polyline", class: "series").count == 9)
        #expect(Set(inspector.all("polyline", class: "series").compactMap { $0.attributes["data-label"] }).count == 9)
        #expect(inspector.texts.contains("Epoch") && inspector.texts.contains("Test accuracy (%)"))
        #expect(inspector.texts.contains("A & B <test>"))
        #expect(inspector.texts.contains("series 8"))  // legend
        #expect(inspector.elements.first?.attributes["font-family"] == "sans-serif")
        #expect(inspector.texts.contains("100") && inspector.texts.contains("0"))  // y ticks
        try expectInsideViewBox(inspector)
    }

    @Test func figure3GridHasOnePanelPerAttackAndRule() throws {
        let records = Fixtures.figureSweep()
        let figure = Figure3Plot(records: records)
        #expect(figure.attacks == PaperTable1.attacks)
        #expect(figure.rules == ["mean", "median", "krum", "brsgd"])
        #expect(figure.panels.count == 4 && figure.panels.allSatisfy { $0.count == 4 })
        // α = 0 (clean), 10, 25, 50% in every panel.
        #expect(figure.panels.flatMap { $0 }.allSatisfy { $0.series.count == 4 })
        #expect(figure.panels[0][0].title == "(a0) Mean · Gaussian")
        #expect(figure.panels[3][2].title == "(c3) Krum · Label Flip")

        let inspector = try SVGInspector.parse(figure.svg())
        #expect(inspector.all("polyline", class: "series").count == 16 * 4)
        #expect(inspector.texts.filter { $0 == "Epoch" }.count == 4)
        #expect(inspector.texts.filter { $0 == "Test accuracy (%)" }.count == 4)
        for label in ["α = 0%", "α = 10%", "α = 25%", "α = 50%"] {
            #expect(inspector.texts.contains(label))
        }
        try expectInsideViewBox(inspector)
    }

    @Test func figure3AveragesSeeds() throws {
        let records = Fixtures.figureSweep().filter { $0.config.attackName == "gaussian" && $0.config.ruleName == "krum" && $0.config.byzantine == 5 }
        #expect(records.count == 2)
        let figure = Figure3Plot(records: records)
        let curve = try #require(figure.curves.first)
        #expect(curve.runs == 2)
        let expected = (records[0].epochs[4].testAccuracy + records[1].epochs[4].testAccuracy) / 2 * 100
        #expect(abs(curve.points[4].y - expected) < 1e-9)
    }

    @Test func figure3PerAttackLayout() throws {
        let figure = Figure3Plot(records: Fixtures.figureSweep(), layout: .perAttack)
        let panels = figure.panels.flatMap { $0 }
        #expect(panels.count == 4)
        #expect(panels.allSatisfy { $0.series.count == 16 })
        let inspector = try SVGInspector.parse(figure.svg())
        #expect(inspector.all("polyline", class: "series").count == 64)
        try expectInsideViewBox(inspector)
    }

    @Test func slopeFitRecoversAKnownPowerLawExactly() throws {
        for slope in [-0.5, -1.0, 0.25, 2.0] {
            let points = [10.0, 30, 100, 300, 1000, 3000].map { ChartPoint(x: $0, y: 7.5 * pow($0, slope)) }
            let fit = try #require(PowerLawFit(points: points))
            #expect(abs(fit.slope - slope) < 1e-12)
            #expect(abs(fit.value(at: 50) - 7.5 * pow(50, slope)) < 1e-9 * 7.5 * pow(50, slope))
            #expect(fit.count == 6)
        }
        #expect(PowerLawFit(points: [ChartPoint(x: 1, y: 1)]) == nil)
        #expect(PowerLawFit(points: [ChartPoint(x: 2, y: 1), ChartPoint(x: 2, y: 3)]) == nil)
        // Non-positive and non-finite points are ignored.
        let mixed = [ChartPoint(x: 0, y: 1), ChartPoint(x: 4, y: 2), ChartPoint(x: 16, y: 1), ChartPoint(x: 9, y: .nan)]
        #expect(PowerLawFit(points: mixed)?.slope == -0.5)
    }

    @Test func convergencePlotHasSlopesInLegendAndAReferenceLine() throws {
        var measurements: [ConvergencePlot.Measurement] = []
        for n in [100.0, 200, 400, 800, 1600, 3200] {
            measurements.append(.init(rule: "brsgd", attack: "none", samplesPerWorker: n, distance: 3 / n.squareRoot()))
            measurements.append(.init(rule: "brsgd", attack: "gaussian", byzantineFraction: 0.25, samplesPerWorker: n, distance: 4 / n.squareRoot()))
            measurements.append(.init(rule: "mean", attack: "gaussian", byzantineFraction: 0.25, samplesPerWorker: n, distance: 50))
        }
        let plot = ConvergencePlot(measurements: measurements)
        #expect(plot.curves.map(\.label) == [
            "brsgd, no attack: slope −0.50",
            "brsgd, gaussian α=25%: slope −0.50",
            "mean, gaussian α=25%: slope 0.00",
        ])
        let inspector = try SVGInspector.parse(plot.svg())
        #expect(inspector.all("polyline", class: "series").count == 3)
        #expect(inspector.all("polyline", class: "reference").count == 1)
        #expect(inspector.texts.contains("slope −1/2 (theory: Õ(1/√n))"))
        #expect(inspector.texts.contains("Samples per worker n"))
        #expect(inspector.texts.contains("100") && inspector.texts.contains("1000"))  // log decades
        try expectInsideViewBox(inspector)
    }

    /// Writes example figures and tables for a person to look at. By default into a fresh
    /// temporary directory (deleted afterwards); set BRSGD_EXAMPLE_DIR to keep them
    /// (Scripts/render_example_figures.sh does, then renders PNGs).
    @Test func writeExampleFigures() throws {
        let keep = ProcessInfo.processInfo.environment["BRSGD_EXAMPLE_DIR"]
        let directory = keep.map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("brsgd-figures-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { if keep == nil { try? FileManager.default.removeItem(at: directory) } }

        let records = Fixtures.figureSweep()
        try Figure3Plot(records: records).svg().write(to: directory.appendingPathComponent("figure3-grid.svg"), atomically: true, encoding: .utf8)
        try Figure3Plot(records: records, layout: .perAttack).svg().write(to: directory.appendingPathComponent("figure3-per-attack.svg"), atomically: true, encoding: .utf8)
        var measurements: [ConvergencePlot.Measurement] = []
        for n in [100.0, 200, 400, 800, 1600, 3200, 6400] {
            let noise = 1 + 0.08 * sin(n)
            measurements.append(.init(rule: "brsgd", attack: "none", samplesPerWorker: n, distance: 2.5 / n.squareRoot() * noise))
            measurements.append(.init(rule: "brsgd", attack: "gaussian", byzantineFraction: 0.25, samplesPerWorker: n, distance: 3.5 / pow(n, 0.47) * noise))
            measurements.append(.init(rule: "median", attack: "gaussian", byzantineFraction: 0.25, samplesPerWorker: n, distance: 4.5 / pow(n, 0.45)))
            measurements.append(.init(rule: "mean", attack: "gaussian", byzantineFraction: 0.25, samplesPerWorker: n, distance: 40 * noise))
        }
        try ConvergencePlot(measurements: measurements).svg().write(to: directory.appendingPathComponent("convergence.svg"), atomically: true, encoding: .utf8)
        let report = Table1Report(records: records)
        try (report.markdown() + "\n" + report.differenceMarkdown()).write(to: directory.appendingPathComponent("table1.md"), atomically: true, encoding: .utf8)
        try report.csv().write(to: directory.appendingPathComponent("table1.csv"), atomically: true, encoding: .utf8)
        try SummaryTable.finalAccuracy(of: Array(records.prefix(6))).markdown.write(to: directory.appendingPathComponent("summary.md"), atomically: true, encoding: .utf8)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).count >= 6)
    }
}

@Suite struct PlotEdgeCaseTests {
    @Test func degenerateInputsStillGiveWellFormedSVG() throws {
        let empty = try SVGInspector.parse(Figure3Plot(records: []).svg())
        #expect(empty.all("polyline", class: "series").isEmpty)

        let cleanOnly = Figure3Plot(records: [Fixtures.record(Fixtures.config(byzantine: 0), finalAccuracy: 0.8)])
        #expect(cleanOnly.attacks == ["none"])
        #expect(try SVGInspector.parse(cleanOnly.svg()).all("polyline", class: "series").count == 1)

        var flat = LineChart(title: "", xAxis: .init(label: "n", scale: .logarithmic), yAxis: .init(label: "y", scale: .logarithmic))
        flat.series = [.init(label: "one point", points: [ChartPoint(x: 5, y: 5)]),
                       .init(label: "non-positive", points: [ChartPoint(x: 0, y: -1), ChartPoint(x: 3, y: 4), ChartPoint(x: 6, y: 4)])]
        let inspector = try SVGInspector.parse(flat.svg(width: 300, height: 200))
        #expect(inspector.all("polyline", class: "series").count == 2)
        // x spans 3…6 (no decade inside): every integer tick is labelled.
        #expect(["3", "4", "5", "6"].allSatisfy(inspector.texts.contains))
        let (width, height) = try #require(inspector.viewBox)
        #expect(inspector.coordinates.allSatisfy { $0.0 >= 0 && $0.0 <= width && $0.1 >= 0 && $0.1 <= height })
    }

    @Test func seriesBeyondThePaletteGetDashes() {
        #expect(Palette.dash(0) == nil)
        #expect(Palette.dash(6) == nil)
        #expect(Palette.dash(7) == "6 3")
        #expect(Palette.color(7) == Palette.color(0))
        #expect(!Palette.colors.contains("#F0E442"))
    }
}

/// Plots for every length of run: a one-epoch series draws visible points, and every text
/// (titles, legends, footnotes) lies inside the canvas, at any panel count.
@Suite struct PlotsForEveryLengthOfRunTests {
    /// The horizontal extent of each text, at 0.58 (0.63 bold) of its font size per
    /// character, the layout's own estimate; rotated texts are checked by their anchor only.
    static func textsOutside(_ inspector: SVGInspector) throws -> [String] {
        let (width, height) = try #require(inspector.viewBox)
        return inspector.textElements.compactMap { element, content in
            let a = element.attributes
            guard let x = Double(a["x"] ?? ""), let y = Double(a["y"] ?? ""), let size = Double(a["font-size"] ?? "") else { return content }
            let extent = a["transform"] != nil ? 0 : Double(content.count) * size * (a["font-weight"] == "bold" ? 0.63 : 0.58)
            let start = a["text-anchor"] == "middle" ? x - extent / 2 : a["text-anchor"] == "end" ? x - extent : x
            return start >= 0 && start + extent <= width && y >= 0 && y <= height ? nil : "\(content) at x \(start)…\(start + extent) of \(width)"
        }
    }

    /// Series (polylines of class `series`) that draw nothing: fewer than two points and no marker of their colour.
    static func invisibleSeries(_ inspector: SVGInspector) -> [String] {
        let markerColours = Set(inspector.all("circle").compactMap { $0.attributes["fill"] })
        return inspector.all("polyline", class: "series").compactMap { line in
            let points = (line.attributes["points"] ?? "").split(separator: " ").count
            return points >= 2 || markerColours.contains(line.attributes["stroke"] ?? "") ? nil : line.attributes["data-label"] ?? "?"
        }
    }

    static func oneEpochRecords() -> [RunRecord] {
        var records: [RunRecord] = []
        for (rule, accuracy) in [("brsgd", 0.8), ("median", 0.7), ("mean", 0.3)] {
            for byzantine in [0, 5] {
                records.append(Fixtures.record(Fixtures.config(rule: rule, byzantine: byzantine), finalAccuracy: accuracy, epochs: 1))
            }
        }
        return records
    }

    @Test(arguments: [Figure3Plot.Layout.grid, .perAttack])
    func oneEpochRunsDrawVisiblePoints(layout: Figure3Plot.Layout) throws {
        let inspector = try SVGInspector.parse(Figure3Plot(records: Self.oneEpochRecords(), layout: layout).svg())
        #expect(!inspector.all("polyline", class: "series").isEmpty)
        #expect(Self.invisibleSeries(inspector).isEmpty, "\(Self.invisibleSeries(inspector))")
        let outside = try Self.textsOutside(inspector)
        #expect(outside.isEmpty, "\(outside)")
    }

    @Test func aLineChartOfOnePointAndALongTitleStaysVisibleAndInside() throws {
        var chart = LineChart(title: "Test accuracy of a run with a rather long title that a narrow chart must still hold",
                              xAxis: .init(label: "Epoch"), yAxis: .init(label: "Accuracy"))
        chart.series = [LineChart.Series(label: "one epoch", points: [ChartPoint(x: 1, y: 0.5)])]
        let inspector = try SVGInspector.parse(chart.svg(width: 300, height: 200))
        #expect(Self.invisibleSeries(inspector).isEmpty)
        let outside = try Self.textsOutside(inspector)
        #expect(outside.isEmpty, "\(outside)")
    }

    @Test(arguments: [1, 2, 4])
    func heatmapsKeepTheirTextInsideAtAnyPanelCount(panels: Int) throws {
        let report = RobustnessReport(records: RobustnessReportTests.records())
        let rules = Array(report.rules.prefix(panels))
        try #require(rules.count == min(panels, report.rules.count))
        for title in [nil, "\(rules[0]): worst-case test accuracy over \(report.attacks.count) attacks"] {
            let inspector = try SVGInspector.parse(RobustnessHeatmap(report: report, rules: rules).svg(title: title))
            let outside = try Self.textsOutside(inspector)
            #expect(outside.isEmpty, "\(panels) panels: \(outside)")
        }
    }
}
