/// Colours and dash patterns for plots, safe for the common forms of colour blindness.
///
/// The colours are Okabe and Ito's palette ("Color Universal Design", 2008) without its
/// yellow, which is too light on white; after seven series, dash patterns tell lines apart.
public enum Palette {
    /// Blue, orange, bluish green, vermillion, reddish purple, sky blue, black.
    public static let colors = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000"]

    /// `stroke-dasharray` values: solid first, then dashed, dotted, dash-dot, long dash.
    public static let dashes: [String?] = [nil, "6 3", "1.5 3", "6 3 1.5 3", "10 4"]

    /// The colour of series `index`, cycling.
    public static func color(_ index: Int) -> String { colors[index % colors.count] }

    /// The dash pattern of series `index`: solid for the first seven, then the next pattern.
    public static func dash(_ index: Int) -> String? { dashes[(index / colors.count) % dashes.count] }

    /// Viridis at `level` in [0, 1] (clamped), by linear interpolation of nine stops of
    /// matplotlib's table.
    public static func viridis(_ level: Double) -> String {
        let stops: [(Double, Double, Double)] = [
            (68, 1, 84), (71, 44, 122), (59, 81, 139), (44, 113, 142), (33, 144, 141),
            (39, 173, 129), (92, 200, 99), (170, 220, 50), (253, 231, 37),
        ]
        let t = min(1, max(0, level.isFinite ? level : 0)) * Double(stops.count - 1)
        let i = min(stops.count - 2, Int(t))
        let f = t - Double(i)
        let (a, b) = (stops[i], stops[i + 1])
        func mix(_ x: Double, _ y: Double) -> Int { Int((x + (y - x) * f).rounded()) }
        return String(format: "#%02X%02X%02X", mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
    }
}
