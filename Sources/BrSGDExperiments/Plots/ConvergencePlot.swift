import Foundation

/// The strongly convex experiment: ‖w_T − w*‖ against n (samples per worker) on log-log
/// axes, one series per (rule, attack), each with its fitted slope in the legend, and a
/// dashed reference line of slope −1/2 (Theorem 1: Õ(1/√n + 1/√(nm))).
///
/// ```swift
/// let plot = ConvergencePlot(measurements: [
///     .init(rule: "brsgd", attack: "none", samplesPerWorker: 100, distance: 0.31), …])
/// try plot.svg().write(to: url, atomically: true, encoding: .utf8)
/// // legend: "brsgd, no attack: slope −0.49"
/// ```
public struct ConvergencePlot: Sendable, Equatable {
    /// One measured distance to the optimum.
    public struct Measurement: Codable, Sendable, Equatable, Hashable {
        /// Aggregation rule.
        public var rule: String
        /// Attack name; `none` for a clean run.
        public var attack: String
        /// Byzantine fraction α (0 for a clean run).
        public var byzantineFraction: Double
        /// Samples per worker n.
        public var samplesPerWorker: Double
        /// ‖w_T − w*‖₂ at the end of training.
        public var distance: Double

        /// Creates a measurement.
        public init(rule: String, attack: String, byzantineFraction: Double = 0, samplesPerWorker: Double, distance: Double) {
            self.rule = rule
            self.attack = attack
            self.byzantineFraction = byzantineFraction
            self.samplesPerWorker = samplesPerWorker
            self.distance = distance
        }

        enum CodingKeys: String, CodingKey {
            case rule, attack, distance
            case byzantineFraction = "byzantine_fraction"
            case samplesPerWorker = "samples_per_worker"
        }
    }

    /// One curve: its label (with slope), points (mean distance per n) and fit.
    public struct Curve: Sendable, Equatable {
        /// Aggregation rule.
        public var rule: String
        /// Attack name; `none` for a clean run.
        public var attack: String
        /// Byzantine fraction α.
        public var byzantineFraction: Double
        /// Mean distance at each n, by increasing n.
        public var points: [ChartPoint]
        /// Least-squares power law through the points; `nil` with fewer than two n.
        public var fit: PowerLawFit?

        /// Legend text, for example `brsgd, no attack: slope −0.49`.
        public var label: String {
            let setting = attack == "none" || byzantineFraction == 0
                ? "no attack" : "\(attack) α=\(Format.percent(byzantineFraction))"
            let slope = fit.map { ": slope " + Format.fixed($0.slope, 2).replacingOccurrences(of: "-", with: "−") } ?? ""
            return "\(rule), \(setting)\(slope)"
        }
    }

    /// The curves, in order of first appearance in the measurements.
    public private(set) var curves: [Curve]
    /// Chart title.
    public var title: String

    /// Groups measurements by (rule, attack, α); repeated n are averaged.
    public init(measurements: [Measurement], title: String = "Strongly convex: distance to the optimum") {
        struct Key: Hashable { var rule: String; var attack: String; var fraction: Double }
        var order: [Key] = []
        var groups: [Key: [Double: [Double]]] = [:]
        for m in measurements {
            let key = Key(rule: m.rule, attack: m.attack, fraction: Format.fractionKey(m.byzantineFraction))
            if groups[key] == nil { order.append(key) }
            groups[key, default: [:]][m.samplesPerWorker, default: []].append(m.distance)
        }
        curves = order.map { key in
            let byN = groups[key] ?? [:]
            let points = byN.keys.sorted().map { n in ChartPoint(x: n, y: Statistics.mean(byN[n] ?? []) ?? .nan) }
            return Curve(rule: key.rule, attack: key.attack, byzantineFraction: key.fraction, points: points, fit: PowerLawFit(points: points))
        }
        self.title = title
    }

    /// The line chart: log-log axes, markers at the measurements, and the −1/2 reference
    /// line drawn below every curve (at 0.6 × the lowest fitted value at the smallest n) so
    /// it reads as a guide to the eye, not as data.
    public var chart: LineChart {
        var chart = LineChart(
            title: title,
            xAxis: .init(label: "Samples per worker n", scale: .logarithmic),
            yAxis: .init(label: "‖w_T − w*‖₂", scale: .logarithmic))
        chart.series = curves.map { LineChart.Series(label: $0.label, points: $0.points, showsMarkers: true) }
        let xs = curves.flatMap(\.points).map(\.x).filter { $0 > 0 && $0.isFinite }
        let starts = curves.compactMap { $0.fit?.value(at: xs.min() ?? 1) }.filter { $0 > 0 && $0.isFinite }
        if let low = xs.min(), let high = xs.max(), low < high, let lowest = starts.min() {
            let anchor = lowest * 0.6
            let reference = [low, high].map { ChartPoint(x: $0, y: anchor * pow($0 / low, -0.5)) }
            chart.references = [LineChart.Series(label: "slope −1/2 (theory: Õ(1/√n))", points: reference, lineWidth: 1.3)]
        }
        return chart
    }

    /// The plot as a standalone SVG document.
    public func svg(width: Double = 720, height: Double = 420) -> String {
        chart.svg(width: width, height: height)
    }
}
