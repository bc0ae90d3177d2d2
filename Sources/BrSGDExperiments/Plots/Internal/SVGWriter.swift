import Foundation

/// A rectangle in SVG user units (y grows downwards).
struct Rect: Equatable {
    var x: Double
    var y: Double
    var width: Double
    var height: Double
    var maxX: Double { x + width }
    var maxY: Double { y + height }
}

/// Builds an SVG document as text; escapes every attribute and text it is given.
struct SVGWriter {
    private(set) var body: [String] = []
    let width: Double
    let height: Double

    init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    /// A number for an attribute: at most two decimals, no trailing zeros.
    static func n(_ value: Double) -> String {
        let rounded = (value * 100).rounded() / 100
        if rounded == rounded.rounded() { return String(Int(rounded)) }
        return String(format: "%.2f", rounded).replacingOccurrences(of: #"0+$"#, with: "", options: .regularExpression)
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for ch in text {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(ch)
            }
        }
        return out
    }

    private static func attributes(_ pairs: [(String, String)]) -> String {
        pairs.map { " \($0.0)=\"\(escape($0.1))\"" }.joined()
    }

    mutating func raw(_ element: String) { body.append(element) }

    mutating func rect(_ r: Rect, fill: String, stroke: String? = nil, extra: [(String, String)] = []) {
        var a: [(String, String)] = [("x", Self.n(r.x)), ("y", Self.n(r.y)), ("width", Self.n(r.width)), ("height", Self.n(r.height)), ("fill", fill)]
        if let stroke { a.append(("stroke", stroke)) }
        body.append("<rect\(Self.attributes(a + extra))/>")
    }

    mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: String, width: Double = 1, dash: String? = nil, extra: [(String, String)] = []) {
        var a: [(String, String)] = [("x1", Self.n(x1)), ("y1", Self.n(y1)), ("x2", Self.n(x2)), ("y2", Self.n(y2)), ("stroke", stroke), ("stroke-width", Self.n(width))]
        if let dash { a.append(("stroke-dasharray", dash)) }
        body.append("<line\(Self.attributes(a + extra))/>")
    }

    mutating func polyline(_ points: [(Double, Double)], stroke: String, width: Double, dash: String?, extra: [(String, String)]) {
        let text = points.map { "\(Self.n($0.0)),\(Self.n($0.1))" }.joined(separator: " ")
        var a: [(String, String)] = [("points", text), ("fill", "none"), ("stroke", stroke), ("stroke-width", Self.n(width)),
                                     ("stroke-linejoin", "round"), ("stroke-linecap", "round")]
        if let dash { a.append(("stroke-dasharray", dash)) }
        body.append("<polyline\(Self.attributes(a + extra))/>")
    }

    mutating func circle(cx: Double, cy: Double, r: Double, fill: String, stroke: String = "white") {
        body.append("<circle\(Self.attributes([("cx", Self.n(cx)), ("cy", Self.n(cy)), ("r", Self.n(r)), ("fill", fill), ("stroke", stroke), ("stroke-width", "0.8")]))/>")
    }

    enum Anchor: String { case start, middle, end }

    mutating func text(_ content: String, x: Double, y: Double, size: Double, anchor: Anchor = .start, weight: String? = nil,
                       fill: String = "#222222", rotate: Double? = nil, extra: [(String, String)] = []) {
        var a: [(String, String)] = [("x", Self.n(x)), ("y", Self.n(y)), ("font-size", Self.n(size)), ("text-anchor", anchor.rawValue), ("fill", fill)]
        if let weight { a.append(("font-weight", weight)) }
        if let rotate { a.append(("transform", "rotate(\(Self.n(rotate)) \(Self.n(x)) \(Self.n(y)))")) }
        body.append("<text\(Self.attributes(a + extra))>\(Self.escape(content))</text>")
    }

    /// The finished document.
    func document(title: String) -> String {
        var lines = [
            #"<?xml version="1.0" encoding="UTF-8"?>"#,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Self.n(width))\" height=\"\(Self.n(height))\" viewBox=\"0 0 \(Self.n(width)) \(Self.n(height))\" font-family=\"sans-serif\">",
            "<title>\(Self.escape(title))</title>",
            "<rect x=\"0\" y=\"0\" width=\"\(Self.n(width))\" height=\"\(Self.n(height))\" fill=\"white\"/>",
        ]
        lines += body
        lines.append("</svg>")
        return lines.joined(separator: "\n") + "\n"
    }

    /// Approximate width of `text` at `size` in a sans-serif font, for layout.
    static func textWidth(_ text: String, size: Double, bold: Bool = false) -> Double {
        Double(text.count) * size * (bold ? 0.63 : 0.58)
    }
}
