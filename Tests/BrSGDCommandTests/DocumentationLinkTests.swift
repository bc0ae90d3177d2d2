import Foundation
import Testing

/// Every relative link of the README and of `docs/` (and the Python package's README) leads
/// somewhere: the file exists, and an anchor names a heading of it (GitHub's slugs).
@Suite struct DocumentationLinkTests {
    static let root = ReadmeExamplesTests.root

    /// The Markdown files checked: the README, python/README.md and every `.md` under docs/.
    static func documents() throws -> [URL] {
        var files = [root.appendingPathComponent("README.md"), root.appendingPathComponent("python/README.md")]
        let docs = root.appendingPathComponent("docs")
        guard let walker = FileManager.default.enumerator(at: docs, includingPropertiesForKeys: nil) else { return files }
        for case let url as URL in walker where url.pathExtension == "md" { files.append(url) }
        return files
    }

    /// GitHub's anchor for a heading: lower case; letters, digits, spaces, hyphens and
    /// underscores kept; spaces become hyphens.
    static func slug(_ heading: String) -> String {
        String(heading.lowercased().compactMap { character -> Character? in
            if character == " " { return "-" }
            if character.isLetter || character.isNumber || character == "-" || character == "_" { return character }
            return nil
        })
    }

    static func anchors(of file: URL) throws -> Set<String> {
        let text = try String(contentsOf: file, encoding: .utf8)
        var inCode = false, anchors = Set<String>()
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") { inCode.toggle(); continue }
            if !inCode, line.hasPrefix("#") {
                anchors.insert(slug(line.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces)))
            }
        }
        return anchors
    }

    /// `(target, line)` of every inline link and image outside code blocks and code spans.
    static func links(in file: URL) throws -> [(String, Int)] {
        let text = try String(contentsOf: file, encoding: .utf8)
        var inCode = false, found: [(String, Int)] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.hasPrefix("```") { inCode.toggle(); continue }
            if inCode { continue }
            // Drop code spans, then read every `](target)`.
            let plain = line.split(separator: "`", omittingEmptySubsequences: false).enumerated()
                .filter { $0.offset % 2 == 0 }.map(\.element).joined(separator: " ")
            var rest = Substring(plain)
            while let open = rest.range(of: "](") {
                rest = rest[open.upperBound...]
                guard let close = rest.firstIndex(of: ")") else { break }
                found.append((String(rest[..<close]), number + 1))
                rest = rest[close...]
            }
        }
        return found
    }

    @Test func everyRelativeLinkResolves() throws {
        var checked = 0
        for file in try Self.documents() {
            for (target, line) in try Self.links(in: file) {
                if target.hasPrefix("http://") || target.hasPrefix("https://") || target.hasPrefix("mailto:") { continue }
                let parts = target.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
                let path = String(parts[0]), anchor = parts.count > 1 ? String(parts[1]) : nil
                let destination = path.isEmpty ? file : file.deletingLastPathComponent().appendingPathComponent(path).standardized
                let place = "\(file.path.replacingOccurrences(of: Self.root.path + "/", with: "")):\(line)"
                #expect(FileManager.default.fileExists(atPath: destination.path), "\(place): \(target) does not exist")
                if let anchor, destination.pathExtension == "md", FileManager.default.fileExists(atPath: destination.path) {
                    #expect(try Self.anchors(of: destination).contains(anchor), "\(place): no heading #\(anchor) in \(path)")
                }
                checked += 1
            }
        }
        #expect(checked >= 40)
    }
}
