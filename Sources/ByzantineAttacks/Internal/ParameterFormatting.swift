/// A parameter as attack names show it: `200`, `0.1`, `1e10`, `2.5e-7`, `nan`.
///
/// Swift's shortest round-trip description, without a trailing `.0`, and with large whole
/// numbers written with an exponent (`1e10` rather than `10000000000`).
func formatParameter(_ value: Double) -> String {
    guard value.isFinite else { return "\(value)" }
    if value == value.rounded(), abs(value) < 1e15 {
        let whole = Int(value)
        guard abs(whole) >= 1_000_000 else { return "\(whole)" }
        var mantissa = abs(whole), exponent = 0
        while mantissa % 10 == 0 { mantissa /= 10; exponent += 1 }
        var digits = String(mantissa)
        let fraction = digits.dropFirst()
        digits = fraction.isEmpty ? String(digits.prefix(1)) : "\(digits.prefix(1)).\(fraction)"
        return "\(whole < 0 ? "-" : "")\(digits)e\(exponent + fraction.count)"
    }
    return "\(value)"
}
