import Foundation
import Testing
import TensorIO

/// The README's and the guides' examples stay true: every `brsgd …` line of their `sh` blocks
/// (`.build/release/brsgd`, `.build-network/release/brsgd` or `brsgd`) is run with this build's
/// executable, in the order the README and then each guide in `docs/guide` give them, from a
/// fresh directory — `train` and `reproduce table1`, `robustness` and `byzfl` with `--dry-run` (everything checked: options,
/// ranges, files, output paths; nothing trained), `aggregate` for real on small matrices.
/// A file an example writes (`--output run.json`) is what a later one reads (`--config
/// run.json`): the dry run's experiment JSON stands in for it. The lines that need a network,
/// minutes of training or a benchmark (`demo`, `reproduce convex`, `bench`, `master`,
/// `worker`, `cluster`) are listed, and only their subcommand and options are checked, by
/// parsing them with `--help`.
@Suite struct ReadmeExamplesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The documents whose examples run: the README, then every guide.
    static func documents() throws -> [URL] {
        let guides = root.appendingPathComponent("docs/guide")
        let names = try FileManager.default.contentsOfDirectory(atPath: guides.path).filter { $0.hasSuffix(".md") }.sorted()
        return [root.appendingPathComponent("README.md")] + names.map { guides.appendingPathComponent($0) }
    }

    /// The example command lines of every document, continuation lines joined, comments cut.
    static func examples() throws -> [[String]] {
        try documents().flatMap { try examples(in: $0) }
    }

    /// The example command lines of one document.
    static func examples(in document: URL) throws -> [[String]] {
        let text = try String(contentsOf: document, encoding: .utf8)
        var lines: [String] = [], inShell = false, pending = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("```") { inShell = line.hasPrefix("```sh"); continue }
            guard inShell else { continue }
            var current = pending + line.trimmingCharacters(in: .whitespaces)
            if current.hasSuffix("\\") {
                current.removeLast()
                pending = current + " "
                continue
            }
            pending = ""
            if let hash = current.range(of: " #") { current = String(current[..<hash.lowerBound]) }
            lines.append(current)
        }
        return lines.compactMap { line in
            let words = line.split(separator: " ").map(String.init)
            guard let first = words.first, first == "brsgd" || first.hasSuffix("/release/brsgd") else { return nil }
            return Array(words.dropFirst())
        }
    }

    @Test func theReadmeHasExamplesOfEveryCommand() throws {
        let commands = Set(try Self.examples(in: Self.root.appendingPathComponent("README.md")).compactMap(\.first))
        #expect(commands.isSuperset(of: ["train", "reproduce", "aggregate", "bench", "master", "worker", "cluster"]))
    }

    @Test func everyExampleRunsAsPasted() throws {
        let dir = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createSymbolicLink(at: dir.appendingPathComponent("docs"),
                                                   withDestinationURL: Self.root.appendingPathComponent("docs"))
        // The matrices the aggregate examples read (the README makes G.npy with NumPy).
        var rows: [Float] = []
        for i in 0 ..< 20 {
            for j in 0 ..< 50 { rows.append(Float((i * 31 + j * 7) % 13) - 6) }
        }
        try TensorFile.writeMatrix(rows, rowCount: 20, columnCount: 50, to: dir.appendingPathComponent("G.npy"))
        try TensorFile.writeMatrix(rows, rowCount: 20, columnCount: 50, to: dir.appendingPathComponent("G.json"))
        var ran = 0
        for arguments in try Self.examples() {
            let run: CommandRun
            switch (arguments.first, arguments.dropFirst().first) {
            case ("train", _), ("reproduce", "table1"), ("reproduce", "robustness"), ("reproduce", "byzfl"):
                run = try CommandRunner.run(arguments + ["--dry-run"], in: dir)
                if arguments.first == "train", let output = arguments.firstIndex(of: "--output") {
                    try Data(run.stdout.utf8).write(to: dir.appendingPathComponent(arguments[output + 1]))
                }
            case ("aggregate", _):
                run = try CommandRunner.run(arguments, in: dir)
            default:
                let depth = arguments.first == "bench" || arguments.first == "reproduce" ? 2 : 1
                run = try CommandRunner.run(Array(arguments.prefix(depth)) + ["--help"], in: dir)
            }
            #expect(run.status == 0, "\(arguments.joined(separator: " ")): \(run.stderr)")
            ran += 1
        }
        #expect(ran >= 25)
    }
}
