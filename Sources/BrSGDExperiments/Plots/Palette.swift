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
}
