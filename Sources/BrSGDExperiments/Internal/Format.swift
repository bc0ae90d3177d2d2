import Foundation

/// Number and label formatting shared by tables and plots.
enum Format {
    /// `value` with exactly `digits` decimals, C locale (`84.90`); `—` when not finite.
    static func fixed(_ value: Double, _ digits: Int) -> String {
        guard value.isFinite else { return "—" }
        let text = String(format: "%.\(digits)f", value)
        return text == "-" + String(format: "%.\(digits)f", 0.0) ? String(format: "%.\(digits)f", 0.0) : text
    }

    /// A fraction as a percentage with no needless decimals: 0.1 → `10%`, 1/3 → `33.3%`.
    static func percent(_ fraction: Double) -> String {
        let p = fraction * 100
        if abs(p - p.rounded()) < 1e-6 { return "\(Int(p.rounded()))%" }
        return fixed(p, 1) + "%"
    }

    /// A number in shortest form: 0.25 → `0.25`, 2.0 → `2`.
    static func shortest(_ value: Double) -> String {
        if value.isFinite, value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return value.description
    }

    /// `model-negation` → `Model Negation`.
    static func title(_ name: String) -> String {
        name.split(whereSeparator: { $0 == "-" || $0 == "_" || $0 == " " })
            .map { $0.prefix(1).uppercased() + $0.dropFirst() }
            .joined(separator: " ")
    }

    /// How the paper names a rule: `brsgd` → `Ours`, `krum` → `Krum`, others in title case.
    static func ruleTitle(_ rule: String) -> String {
        switch rule {
        case "brsgd": "Ours"
        case "mean": "Mean"
        case "median": "Median"
        case "krum": "Krum"
        default: title(rule)
        }
    }

    /// Rounds a fraction to 1e-6 so that b/m computed in different ways keys the same cell.
    static func fractionKey(_ fraction: Double) -> Double {
        (fraction * 1e6).rounded() / 1e6
    }
}

/// Mean and sample standard deviation.
enum Statistics {
    static func mean(_ values: [Double]) -> Double? {
        values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }

    /// Sample standard deviation (divides by n − 1); `nil` for fewer than two values.
    static func sampleStandardDeviation(_ values: [Double]) -> Double? {
        guard values.count >= 2, let m = mean(values) else { return nil }
        let squares = values.reduce(0) { $0 + ($1 - m) * ($1 - m) }
        return (squares / Double(values.count - 1)).squareRoot()
    }
}
