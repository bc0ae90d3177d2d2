import Foundation

/// Tick positions and labels for an axis.
enum AxisTicks {
    struct Tick: Equatable {
        var value: Double
        var label: String?  // nil for an unlabelled minor tick
    }

    /// "Nice" linear ticks (steps of 1, 2, 2.5 or 5 × 10^k) covering `range`, about `target` of them.
    static func linear(_ range: ClosedRange<Double>, target: Int = 5) -> [Tick] {
        let span = range.upperBound - range.lowerBound
        guard span > 0, span.isFinite else { return [Tick(value: range.lowerBound, label: label(range.lowerBound, step: 1))] }
        let raw = span / Double(max(target, 1))
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        let step = [1, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        var ticks: [Tick] = []
        var value = (range.lowerBound / step).rounded(.up) * step
        while value <= range.upperBound + step * 1e-9 {
            let v = abs(value) < step * 1e-9 ? 0 : value
            ticks.append(Tick(value: v, label: label(v, step: step)))
            value += step
        }
        return ticks
    }

    /// Log ticks: labelled decades, with 2 and 5 labelled too when the range spans less than
    /// two decades, and unlabelled minor ticks at 2…9 × 10^k. A range so narrow that this
    /// labels fewer than two ticks labels every 1…9 × 10^k in it, and failing that uses
    /// linear ticks.
    static func logarithmic(_ range: ClosedRange<Double>) -> [Tick] {
        guard range.lowerBound > 0 else { return linear(range) }
        let low = Int(log10(range.lowerBound).rounded(.down))
        let high = Int(log10(range.upperBound).rounded(.up))
        let dense = log10(range.upperBound / range.lowerBound) < 2
        var ticks: [Tick] = []
        for k in low...high {
            let decade = pow(10, Double(k))
            for m in 1...9 {
                let value = Double(m) * decade
                guard value >= range.lowerBound * (1 - 1e-9), value <= range.upperBound * (1 + 1e-9) else { continue }
                let labelled = m == 1 || (dense && (m == 2 || m == 5))
                ticks.append(Tick(value: value, label: labelled ? logLabel(value, exponent: k) : nil))
            }
        }
        if ticks.filter({ $0.label != nil }).count < 2 {
            ticks = ticks.map { Tick(value: $0.value, label: logLabel($0.value, exponent: Int(log10($0.value * (1 + 1e-9)).rounded(.down)))) }
        }
        if ticks.count < 2 { return linear(range, target: 3) }
        return ticks
    }

    /// `value` with as many decimals as `step` needs.
    static func label(_ value: Double, step: Double) -> String {
        var decimals = max(0, -Int(log10(step).rounded(.down)))
        if abs(step * pow(10, Double(decimals)) - (step * pow(10, Double(decimals))).rounded()) > 1e-6 { decimals += 1 }
        return Format.fixed(value, decimals).replacingOccurrences(of: "-", with: "−")
    }

    private static func logLabel(_ value: Double, exponent: Int) -> String {
        if exponent >= -3 && exponent <= 4 {
            return label(value, step: pow(10, Double(min(exponent, 0))))
        }
        let mantissa = Int((value / pow(10, Double(exponent))).rounded())
        return (mantissa == 1 ? "" : "\(mantissa)×") + "1e\(exponent)".replacingOccurrences(of: "-", with: "−")
    }
}
