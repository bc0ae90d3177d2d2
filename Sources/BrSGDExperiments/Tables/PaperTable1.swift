import Foundation

/// Table 1 of Li et al., "Efficient Byzantine-Resilient SGD": test accuracy (%) of LeNet on
/// FashionMNIST with m = 20 workers, per attack, aggregation rule and Byzantine fraction α.
///
/// The values are the paper's, exactly as printed. Reading note: the paper's header lists
/// α = 0, 10%, 25%, 50% for Ours and 10%, 25%, 50% for Median and Mean but only 10%, 25%
/// for Krum; every row nevertheless has 13 numbers, in the order Ours(0, 10, 25, 50),
/// Median(10, 25, 50), Mean(10, 25, 50), Krum(10, 25, 50). The header lost Krum's 50%
/// column, not the rows, so the 13th number is Krum at α = 50% (the text's "Krum will
/// drop precipitously when … α = 50%" agrees with the low values there).
///
/// Names are the CLI's: attacks `gaussian`, `model-negation`, `gradient-scale`,
/// `label-flip` (the paper's "Label Inverse" / "Label Shift": y → 9 − y); rules `brsgd`
/// ("Ours"), `median`, `mean`, `krum`.
///
/// ```swift
/// PaperTable1.value(attack: "gaussian", rule: "krum", fraction: 0.5)  // 79.62
/// ```
public enum PaperTable1 {
    /// The epochs the paper's runs trained (its Figure 3 runs 10); runs of another length
    /// are not held against its values.
    public static let epochs = 10

    /// Attack names in the paper's row order.
    public static let attacks = ["gaussian", "model-negation", "gradient-scale", "label-flip"]

    /// Rule names in the paper's column-group order.
    public static let rules = ["brsgd", "median", "mean", "krum"]

    /// The (rule, α) of each of the 13 numbers in a row, in order.
    public static let columns: [(rule: String, fraction: Double)] = [
        ("brsgd", 0), ("brsgd", 0.10), ("brsgd", 0.25), ("brsgd", 0.50),
        ("median", 0.10), ("median", 0.25), ("median", 0.50),
        ("mean", 0.10), ("mean", 0.25), ("mean", 0.50),
        ("krum", 0.10), ("krum", 0.25), ("krum", 0.50),
    ]

    /// The 13 numbers of each row, exactly as printed in the paper (percent).
    public static let rows: [String: [Double]] = [
        "gaussian": [84.16, 83.42, 84.56, 83.29, 83.73, 85.40, 86.78, 9.93, 9.93, 9.93, 82.04, 79.56, 79.62],
        "model-negation": [85.87, 83.89, 84.07, 82.13, 83.29, 84.47, 82.84, 10.84, 10.84, 10.84, 80.44, 81.18, 79.36],
        "gradient-scale": [85.29, 84.33, 83.67, 82.87, 81.00, 61.13, 9.80, 85.87, 82.47, 60.67, 77.20, 81.33, 70.76],
        "label-flip": [85.11, 82.93, 82.49, 83.93, 84.91, 86.00, 82.09, 72.71, 74.93, 80.11, 81.82, 78.56, 68.76],
    ]

    /// Names the paper or other tools use for the same attack or rule, mapped to ours.
    static let aliases: [String: String] = [
        "label-inverse": "label-flip", "label-shift": "label-flip", "labelflip": "label-flip",
        "model-negative": "model-negation", "negation": "model-negation",
        "ours": "brsgd", "average": "mean", "coordinate-median": "median", "cwmed": "median",
    ]

    /// The canonical name of an attack or rule: lower-cased, spaces and `_` as `-`, aliases
    /// such as `Label Inverse` or `Ours` mapped to `label-flip` and `brsgd`.
    public static func canonicalName(_ name: String) -> String {
        let lowered = name.lowercased()
            .replacingOccurrences(of: " ", with: "-")
            .replacingOccurrences(of: "_", with: "-")
        return aliases[lowered] ?? lowered
    }

    /// The paper's accuracy (percent) for an attack, rule and Byzantine fraction α, or
    /// `nil` when the paper has no such cell.
    ///
    /// - Parameters:
    ///   - attack: Attack name (aliases accepted, see ``canonicalName(_:)``).
    ///   - rule: Rule name (aliases accepted).
    ///   - fraction: α as a fraction (0.25, not 25); matched within 1e-6.
    public static func value(attack: String, rule: String, fraction: Double) -> Double? {
        guard let row = rows[canonicalName(attack)] else { return nil }
        let rule = canonicalName(rule)
        guard let index = columns.firstIndex(where: { $0.rule == rule && abs($0.fraction - fraction) < 1e-6 }) else {
            return nil
        }
        return row[index]
    }
}
