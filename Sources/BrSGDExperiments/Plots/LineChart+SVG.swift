import Foundation

extension LineChart {
    /// The chart as a standalone SVG document with the legend on the right.
    ///
    /// - Parameters:
    ///   - width: Width in px of the whole image, legend included.
    ///   - height: Height in px.
    public func svg(width: Double = 640, height: Double = 400) -> String {
        let legend = legendEntries
        let legendWidth = legend.isEmpty ? 0 : min(width * 0.45, 36 + (legend.map { SVGWriter.textWidth($0.label, size: 11) }.max() ?? 0))
        // Wide enough for the title over the plot.
        let width = max(width, SVGWriter.textWidth(title, size: 13, bold: true) + legendWidth + 24)
        var writer = SVGWriter(width: width, height: height)
        draw(into: &writer, frame: Rect(x: 0, y: 0, width: width - legendWidth, height: height))
        if !legend.isEmpty {
            Self.drawLegend(legend, into: &writer, x: width - legendWidth + 4, y: titleHeight + 14, columns: 1, columnWidth: legendWidth)
        }
        return writer.document(title: title.isEmpty ? "Line chart" : title)
    }

    var titleHeight: Double { title.isEmpty ? 10 : 28 }

    /// Series and references in legend order, with their resolved styles.
    var legendEntries: [Self.Series] {
        (resolvedSeries + resolvedReferences).filter { !$0.label.isEmpty }
    }

    /// References with their default style (grey, dashed, thin) filled in.
    var resolvedReferences: [Self.Series] {
        references.map { reference in
            var r = reference
            r.color = r.color ?? "#777777"
            r.dash = r.dash ?? "5 4"
            return r
        }
    }

    /// Series with palette colours and dashes filled in; a series of fewer than two points
    /// (a one-epoch run) draws markers, as a line through one point draws nothing.
    var resolvedSeries: [Self.Series] {
        series.enumerated().map { index, s in
            var s = s
            s.color = s.color ?? Palette.color(index)
            s.dash = s.dash ?? Palette.dash(index)
            if s.points.count < 2 { s.showsMarkers = true }
            return s
        }
    }

    /// Draws axes, grid, references and series (no legend) into `frame` of `writer`.
    func draw(into writer: inout SVGWriter, frame: Rect) {
        let left = 54.0, right = 12.0
        let bottom = xAxis.label.isEmpty ? 26.0 : 44.0
        let leftPad = yAxis.label.isEmpty && !reservesAxisLabelSpace ? left - 16 : left
        let plot = Rect(x: frame.x + leftPad, y: frame.y + titleHeight, width: max(10, frame.width - leftPad - right),
                        height: max(10, frame.height - titleHeight - bottom))
        let xRange = Self.range(for: xAxis, values: allPoints.map(\.x))
        let yRange = Self.range(for: yAxis, values: allPoints.map(\.y))
        let mapX = Self.mapper(xAxis.scale, xRange, plot.x, plot.maxX)
        let mapY = Self.mapper(yAxis.scale, yRange, plot.maxY, plot.y)

        if !title.isEmpty {
            // Centred over the plot, moved in where it would leave the frame.
            let half = SVGWriter.textWidth(title, size: 13, bold: true) / 2
            let x = max(frame.x + half + 2, min(plot.x + plot.width / 2, frame.maxX - half - 2))
            writer.text(title, x: x, y: frame.y + 18, size: 13, anchor: .middle, weight: "bold")
        }
        writer.rect(plot, fill: "#FFFFFF", stroke: "#BBBBBB")

        let xTicks = xAxis.scale == .logarithmic ? AxisTicks.logarithmic(xRange) : AxisTicks.linear(xRange, target: max(2, Int(plot.width / 45)))
        let yTicks = yAxis.scale == .logarithmic ? AxisTicks.logarithmic(yRange) : AxisTicks.linear(yRange, target: max(2, Int(plot.height / 26)))
        for tick in xTicks {
            let x = mapX(tick.value)
            writer.line(x1: x, y1: plot.y, x2: x, y2: plot.maxY, stroke: tick.label == nil ? "#F2F2F2" : "#E3E3E3")
            writer.line(x1: x, y1: plot.maxY, x2: x, y2: plot.maxY + (tick.label == nil ? 3 : 5), stroke: "#555555")
            if let label = tick.label {
                writer.text(label, x: x, y: plot.maxY + 17, size: 10.5, anchor: .middle, fill: "#444444")
            }
        }
        for tick in yTicks {
            let y = mapY(tick.value)
            writer.line(x1: plot.x, y1: y, x2: plot.maxX, y2: y, stroke: tick.label == nil ? "#F2F2F2" : "#E3E3E3")
            writer.line(x1: plot.x - (tick.label == nil ? 3 : 5), y1: y, x2: plot.x, y2: y, stroke: "#555555")
            if let label = tick.label {
                writer.text(label, x: plot.x - 8, y: y + 3.5, size: 10.5, anchor: .end, fill: "#444444")
            }
        }
        writer.line(x1: plot.x, y1: plot.maxY, x2: plot.maxX, y2: plot.maxY, stroke: "#333333")
        writer.line(x1: plot.x, y1: plot.y, x2: plot.x, y2: plot.maxY, stroke: "#333333")
        if !xAxis.label.isEmpty {
            writer.text(xAxis.label, x: plot.x + plot.width / 2, y: plot.maxY + 36, size: 12, anchor: .middle, extra: [("class", "axis-label")])
        }
        if !yAxis.label.isEmpty {
            let x = frame.x + 14, y = plot.y + plot.height / 2
            writer.text(yAxis.label, x: x, y: y, size: 12, anchor: .middle, rotate: -90, extra: [("class", "axis-label")])
        }

        func clampedPoints(_ s: Series) -> [(Double, Double)] {
            s.points.compactMap { p in
                guard Self.isDrawable(p.x, xAxis.scale), Self.isDrawable(p.y, yAxis.scale) else { return nil }
                return (min(max(mapX(p.x), plot.x), plot.maxX), min(max(mapY(p.y), plot.y), plot.maxY))
            }
        }
        for reference in resolvedReferences {
            let points = clampedPoints(reference)
            guard points.count >= 2 else { continue }
            writer.polyline(points, stroke: reference.color ?? "#777777", width: reference.lineWidth, dash: reference.dash,
                            extra: [("class", "reference"), ("data-label", reference.label)])
        }
        for s in resolvedSeries {
            let points = clampedPoints(s)
            writer.polyline(points, stroke: s.color ?? "#000000", width: s.lineWidth, dash: s.dash,
                            extra: [("class", "series"), ("data-label", s.label)])
            if s.showsMarkers {
                for (x, y) in points { writer.circle(cx: x, cy: y, r: 2.8, fill: s.color ?? "#000000") }
            }
        }
    }

    /// Draws legend entries in `columns` columns starting at (x, y).
    static func drawLegend(_ entries: [Series], into writer: inout SVGWriter, x: Double, y: Double, columns: Int, columnWidth: Double) {
        for (index, entry) in entries.enumerated() {
            let column = index % columns, row = index / columns
            let ex = x + Double(column) * columnWidth, ey = y + Double(row) * 18
            writer.line(x1: ex, y1: ey - 4, x2: ex + 24, y2: ey - 4, stroke: entry.color ?? "#000000", width: entry.lineWidth, dash: entry.dash)
            if entry.showsMarkers { writer.circle(cx: ex + 12, cy: ey - 4, r: 2.8, fill: entry.color ?? "#000000") }
            writer.text(entry.label, x: ex + 30, y: ey, size: 11, extra: [("class", "legend")])
        }
    }

    private var allPoints: [ChartPoint] { (series + references).flatMap(\.points) }

    private static func isDrawable(_ value: Double, _ scale: Scale) -> Bool {
        value.isFinite && (scale == .linear || value > 0)
    }

    /// The axis' fixed range, or the data's range with a 4% margin (in log space for log axes).
    static func range(for axis: Axis, values: [Double]) -> ClosedRange<Double> {
        if let range = axis.range { return range }
        let drawable = values.filter { isDrawable($0, axis.scale) }
        guard let low = drawable.min(), let high = drawable.max() else {
            return axis.scale == .logarithmic ? 1...10 : 0...1
        }
        switch axis.scale {
        case .linear:
            if low == high { return (low - 1)...(high + 1) }
            let pad = (high - low) * 0.04
            return (low - pad)...(high + pad)
        case .logarithmic:
            if low == high { return (low / 2)...(high * 2) }
            let pad = pow(high / low, 0.04)
            return (low / pad)...(high * pad)
        }
    }

    /// Maps data values on `range` to pixels from `from` to `to`.
    static func mapper(_ scale: Scale, _ range: ClosedRange<Double>, _ from: Double, _ to: Double) -> (Double) -> Double {
        switch scale {
        case .linear:
            let span = range.upperBound - range.lowerBound
            return { from + ($0 - range.lowerBound) / (span == 0 ? 1 : span) * (to - from) }
        case .logarithmic:
            let low = log10(range.lowerBound), span = log10(range.upperBound) - low
            return { from + (log10($0) - low) / (span == 0 ? 1 : span) * (to - from) }
        }
    }
}
