import BrSGDRecords
import Foundation

/// A small Markdown table, for READMEs and run summaries.
///
/// ```swift
/// var table = SummaryTable(headers: ["Rule", "Final accuracy (%)", "Time (s)"],
///                          alignments: [.left, .right, .right])
/// table.append(["brsgd", "84.9", "61.2"])
/// print(table.markdown)
/// // | Rule  | Final accuracy (%) | Time (s) |
/// // |:------|-------------------:|---------:|
/// // | brsgd |               84.9 |     61.2 |
/// ```
public struct SummaryTable: Sendable, Equatable {
    /// Column alignment.
    public enum Alignment: Sendable, Equatable {
        case left, right, center
    }

    /// Column titles.
    public var headers: [String]
    /// Alignment of each column.
    public var alignments: [Alignment]
    /// The rows, each with one text per column.
    public private(set) var rows: [[String]] = []

    /// Creates an empty table.
    ///
    /// - Parameter alignments: One per header; defaults to left for all.
    /// - Precondition: `alignments` is empty or has one entry per header.
    public init(headers: [String], alignments: [Alignment] = []) {
        precondition(alignments.isEmpty || alignments.count == headers.count, "one alignment per header")
        self.headers = headers
        self.alignments = alignments.isEmpty ? Array(repeating: .left, count: headers.count) : alignments
    }

    /// Appends a row.
    ///
    /// - Precondition: `row.count == headers.count`.
    public mutating func append(_ row: [String]) {
        precondition(row.count == headers.count, "a row needs one text per column")
        rows.append(row)
    }

    /// The table as Markdown, columns padded so it also reads well as plain text; `|` in a
    /// cell is escaped.
    public var markdown: String {
        let escaped = ([headers] + rows).map { $0.map { $0.replacingOccurrences(of: "|", with: "\\|") } }
        let widths = headers.indices.map { c in Swift.max(3, escaped.map { $0[c].count }.max() ?? 3) }
        func pad(_ text: String, _ c: Int) -> String {
            let space = String(repeating: " ", count: widths[c] - text.count)
            switch alignments[c] {
            case .left: return text + space
            case .right: return space + text
            case .center:
                let half = space.count / 2
                return String(repeating: " ", count: half) + text + String(repeating: " ", count: space.count - half)
            }
        }
        func line(_ row: [String]) -> String {
            "| " + row.indices.map { pad(row[$0], $0) }.joined(separator: " | ") + " |"
        }
        // Each segment is as wide as " cell ", with the colon(s) at the aligned edge(s).
        let segments = headers.indices.map { c -> String in
            let dashes = String(repeating: "-", count: widths[c])
            switch alignments[c] {
            case .left: return ":" + dashes + "-"
            case .right: return "-" + dashes + ":"
            case .center: return ":" + dashes + ":"
            }
        }
        let separator = "|" + segments.joined(separator: "|") + "|"
        return ([line(escaped[0]), separator] + escaped.dropFirst().map(line)).joined(separator: "\n") + "\n"
    }
}

extension SummaryTable {
    /// One row per run: rule, attack, α, final test accuracy (%) and wall time (s), in the
    /// order given — the README's first-run table.
    public static func finalAccuracy(of records: [RunRecord]) -> SummaryTable {
        var table = SummaryTable(
            headers: ["Rule", "Attack", "α", "Final accuracy (%)", "Time (s)"],
            alignments: [.left, .left, .right, .right, .right])
        for record in records {
            table.append([
                record.config.ruleName,
                record.config.attackName,
                Format.percent(record.config.byzantineFraction),
                Format.fixed(record.finalTestAccuracy * 100, 2),
                Format.fixed(record.totalSeconds, 1),
            ])
        }
        return table
    }
}
