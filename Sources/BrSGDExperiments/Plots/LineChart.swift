/// A point of a chart series.
public struct ChartPoint: Codable, Sendable, Equatable, Hashable {
    /// Horizontal coordinate, in data units.
    public var x: Double
    /// Vertical coordinate, in data units.
    public var y: Double

    /// Creates a point.
    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }
}

/// A line chart of labelled series, rendered as standalone SVG; the building block of
/// ``Figure3Plot`` and ``ConvergencePlot``.
///
/// ```swift
/// var chart = LineChart(title: "Gaussian attack", xAxis: .init(label: "Epoch"),
///                       yAxis: .init(label: "Test accuracy (%)", range: 0...100))
/// chart.series.append(.init(label: "BrSGD, α = 25%", points: points))
/// let svg = chart.svg()
/// ```
///
/// Each series is drawn as one `<polyline class="series">`; points that are not finite (or
/// not positive on a log axis) are left out, and points outside a fixed range are clamped
/// to the plot area's edge. Colours come from ``Palette`` unless a series sets its own.
public struct LineChart: Sendable, Equatable {
    /// Linear or base-10 logarithmic axis.
    public enum Scale: Sendable, Equatable {
        case linear, logarithmic
    }

    /// One axis: its label, scale and (optionally) fixed range.
    public struct Axis: Sendable, Equatable {
        /// Axis title, for example `Epoch`; empty for none.
        public var label: String
        /// Linear or log.
        public var scale: Scale
        /// Fixed range; `nil` fits the data with a small margin.
        public var range: ClosedRange<Double>?

        /// Creates an axis.
        public init(label: String, scale: Scale = .linear, range: ClosedRange<Double>? = nil) {
            self.label = label
            self.scale = scale
            self.range = range
        }
    }

    /// One line.
    public struct Series: Sendable, Equatable {
        /// Legend text.
        public var label: String
        /// The points, drawn in order.
        public var points: [ChartPoint]
        /// Stroke colour (`#RRGGBB`); `nil` takes the palette colour of the series' index.
        public var color: String?
        /// `stroke-dasharray`; `nil` takes the palette pattern of the series' index.
        public var dash: String?
        /// Whether to draw a dot at every point.
        public var showsMarkers: Bool
        /// Stroke width in px.
        public var lineWidth: Double

        /// Creates a series.
        public init(label: String, points: [ChartPoint], color: String? = nil, dash: String? = nil,
                    showsMarkers: Bool = false, lineWidth: Double = 1.8) {
            self.label = label
            self.points = points
            self.color = color
            self.dash = dash
            self.showsMarkers = showsMarkers
            self.lineWidth = lineWidth
        }
    }

    /// Chart title (empty for none).
    public var title: String
    /// Horizontal axis.
    public var xAxis: Axis
    /// Vertical axis.
    public var yAxis: Axis
    /// The data series, one line each.
    public var series: [Series]
    /// Lines drawn behind the data and listed in the legend (for example a theory slope),
    /// as `<polyline class="reference">`.
    public var references: [Series]
    /// Whether to keep room for the y-axis title even when it is empty, so that panels of a
    /// grid share one plot width (and so the same ticks).
    var reservesAxisLabelSpace = false

    /// Creates a chart.
    public init(title: String, xAxis: Axis, yAxis: Axis, series: [Series] = [], references: [Series] = []) {
        self.title = title
        self.xAxis = xAxis
        self.yAxis = yAxis
        self.series = series
        self.references = references
    }
}
