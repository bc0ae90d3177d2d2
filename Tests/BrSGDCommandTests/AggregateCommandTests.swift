import Foundation
import Testing
import RobustAggregation
import TensorIO

/// `brsgd aggregate` end to end: the real executable, real files, real exit codes.
@Suite(.serialized) struct AggregateCommandTests {
    let dir: URL

    init() throws { dir = try CommandRunner.temporaryDirectory() }

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    func write(_ text: String, _ name: String) throws -> String {
        try Data(text.utf8).write(to: dir.appendingPathComponent(name))
        return path(name)
    }

    @Test func npyInNpyOutMatchesTheLibrary() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let rows: [[Float]] = [[1, 1], [2, 2], [3, 3], [100, -100]]
        try TensorFile.writeMatrix(rows.flatMap { $0 }, rowCount: 4, columnCount: 2, to: URL(fileURLWithPath: path("G.npy")))
        let run = try CommandRunner.run(["aggregate", "--rule", "brsgd", "--beta", "0.5", "--threshold", "auto",
                                         "--input", path("G.npy"), "--output", path("g.npy"),
                                         "--diagnostics", path("d.json")])
        #expect(run.status == 0, "\(run.stderr)")
        let output = try TensorFile.readVector(at: URL(fileURLWithPath: path("g.npy")))
        #expect(output == (try BrSGD().aggregate(GradientMatrix(rows: rows))).gradient)
        #expect(run.stdout.contains("brsgd(beta=0.5,threshold=auto): m=4 d=2 rejected=0 selected=2 [0, 1]"), "\(run.stdout)")
        let diagnostics = try JSONDecoder().decode(AggregationDiagnostics.self,
                                                   from: Data(contentsOf: URL(fileURLWithPath: path("d.json"))))
        #expect(diagnostics.brsgd?.constraint1 == [0, 1, 2])
    }

    @Test func jsonInJsonOutWithNonFiniteRows() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = try write("[[1, 2], [NaN, 0], [3, 4], [5, Infinity]]", "G.json")
        let run = try CommandRunner.run(["aggregate", "--rule", "mean", "--input", input, "--output", path("g.json")])
        #expect(run.status == 0, "\(run.stderr)")
        let text = try String(contentsOfFile: path("g.json"), encoding: .utf8)
        #expect(try TensorFile.readVector(at: URL(fileURLWithPath: path("g.json"))) == [2, 3], "\(text)")
        #expect(run.stdout.contains("rejected=2 [1, 3]"))
    }

    /// BrSGD's ℓ1 distances to the median (in Float) overflow to +Inf on a row of huge finite
    /// values: the diagnostics still encode, that distance as the string "Infinity", as run
    /// records write it, and the row is left out of C1.
    @Test func diagnosticsWithADistanceTooLargeForAFloat() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let huge = (0 ..< 64).map { $0 % 2 == 0 ? "-3.4e38" : "3.4e38" }.joined(separator: ", ")
        let ones = Array(repeating: "1", count: 64).joined(separator: ", ")
        let twos = Array(repeating: "2", count: 64).joined(separator: ", ")
        let input = try write("[[\(ones)], [\(twos)], [\(ones)], [\(huge)]]", "G.json")
        let run = try CommandRunner.run(["aggregate", "--rule", "brsgd", "--input", input,
                                         "--output", path("g.json"), "--diagnostics", path("d.json")])
        #expect(run.status == 0, "\(run.stderr)")
        let text = try String(contentsOfFile: path("d.json"), encoding: .utf8)
        #expect(text.contains("\"Infinity\""), "\(text)")
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        let diagnostics = try decoder.decode(AggregationDiagnostics.self, from: Data(text.utf8))
        #expect(diagnostics.brsgd?.distances.last == .infinity, "\(text)")
        #expect(diagnostics.brsgd?.constraint1.contains(3) == false, "\(text)")
    }

    /// Each kind of bad input: a clear message naming the problem, exit status 1, no crash.
    @Test(arguments: [
        ("ragged JSON", "[[1, 2], [3]]", "G.json", [String](), "row 1"),
        ("1-D array", "[1, 2, 3]", "G.json", [], "2-D"),
        ("3-D array", "[[[1]], [[2]]]", "G.json", [], ""),
        ("not numbers", "[[1, \"a\"]]", "G.json", [], ""),
        ("empty matrix", "[]", "G.json", [], "empty"),
        ("unknown extension", "[[1]]", "G.txt", [], ".npy"),
        ("krum with too few rows", "[[1], [2], [3]]", "G.json", ["--rule", "krum", "--assumed-byzantine", "1"], "m' − f' − 2"),
        ("krum without f", "[[1], [2], [3]]", "G.json", ["--rule", "krum"], "--assumed-byzantine"),
        ("f with a rule that takes none", "[[1], [2], [3]]", "G.json", ["--rule", "median", "--assumed-byzantine", "1"], "--assumed-byzantine: median does not take"),
        ("threshold with krum", "[[1], [2], [3]]", "G.json", ["--rule", "krum", "--assumed-byzantine", "0", "--threshold", "1"], "--threshold"),
        ("output in a missing directory", "[[1], [2]]", "G.json", ["--diagnostics", "/nonexistent-dir/d.json"], "--diagnostics"),
        ("beta out of range", "[[1], [2]]", "G.json", ["--beta", "1.5"], "β"),
        ("bad threshold", "[[1], [2]]", "G.json", ["--threshold", "-3"], "--threshold"),
        ("all rows NaN", "[[NaN], [NaN]]", "G.json", [], "NaN"),
    ])
    func badInputFailsClearly(name: String, content: String, file: String, extra: [String], expected: String) throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = try write(content, file)
        let run = try CommandRunner.run(["aggregate", "--input", input, "--output", path("g.npy")] + extra)
        #expect(!run.crashed, "\(name): crashed")
        #expect(run.status != 0, "\(name): exit status \(run.status)")
        #expect(run.stderr.hasPrefix("error: ") && run.stderr.split(separator: "\n").count == 1, "\(name): \(run.stderr)")
        #expect(expected.isEmpty || run.stderr.contains(expected), "\(name): \(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: path("g.npy")), "\(name): wrote an output")
    }

    /// An output that is the input (by another spelling too) is refused, and the input stays.
    @Test func anOutputThatIsTheInputIsRefused() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = try write("[[1], [2], [3]]", "G.json")
        let before = try Data(contentsOf: URL(fileURLWithPath: input))
        for (option, output) in [("--output", input), ("--output", dir.path + "/./G.json"), ("--diagnostics", input)] {
            var arguments = ["aggregate", "--input", input, "--output", option == "--output" ? output : path("g.json")]
            if option == "--diagnostics" { arguments += ["--diagnostics", output] }
            let run = try CommandRunner.run(arguments)
            #expect(run.status == 64, "\(arguments): \(run.stderr)")
            #expect(run.stderr == "error: \(option) \(output) is also --input: writing it would overwrite that file; give another path\n",
                    "\(run.stderr)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: input)) == before)
    }

    @Test func badNpyFilesFailClearly() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        // A valid float32 file, then truncated; and an int64 file.
        try TensorFile.writeMatrix([Float](repeating: 1, count: 20), rowCount: 4, columnCount: 5,
                                   to: URL(fileURLWithPath: path("G.npy")))
        let full = try Data(contentsOf: URL(fileURLWithPath: path("G.npy")))
        try full.prefix(full.count - 7).write(to: URL(fileURLWithPath: path("T.npy")))
        var header = "{'descr': '<i8', 'fortran_order': False, 'shape': (2, 2), }"
        while (10 + header.count + 1) % 64 != 0 { header += " " }
        var int64 = Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.count + 1), 0])
        int64.append(Data((header + "\n").utf8))
        int64.append(Data(count: 32))
        try int64.write(to: URL(fileURLWithPath: path("I.npy")))
        for (file, expected) in [("T.npy", "truncated"), ("I.npy", "<i8"), ("missing.npy", "missing.npy")] {
            let run = try CommandRunner.run(["aggregate", "--input", path(file), "--output", path("g.npy")])
            #expect(!run.crashed)
            #expect(run.status != 0)
            #expect(run.stderr.contains(expected), "\(file): \(run.stderr)")
        }
    }

    @Test func helpTeachesTheCommand() throws {
        let run = try CommandRunner.run(["aggregate", "--help"])
        #expect(run.status == 0)
        for needle in ["--rule", "--beta", "--threshold", "--assumed-byzantine", "--format", "--input", "--output", "Example",
                       "brsgd: BrSGD, Algorithm 2", "auto"] {
            #expect(run.stdout.contains(needle), "help lacks \(needle)")
        }
    }
}
