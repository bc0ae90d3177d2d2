import Foundation
import Testing
import TensorIO

/// `brsgd bench aggregate` on a given matrix: what it reports, not how fast (no timing
/// thresholds: the numbers are this machine's).
@Suite(.serialized) struct BenchAggregateCommandTests {
    struct Row: Decodable {
        var rule: String
        var m: Int
        var d: Int
        var runs: Int
        var median_ms: Double
        var stream_pass_ms: Double
        var ratio: Double
        var cpu_ms: Double
        var stream_pass_cpu_ms: Double
        var cpu_ratio: Double
    }

    @Test func timesTheRulesOnTheGivenMatrixAndSaysWhatItMeasured() throws {
        let dir = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("G.npy")
        let values = (0 ..< 7 * 40).map { Float(($0 * 37) % 11) - 5 }
        try TensorFile.writeMatrix(values, rowCount: 7, columnCount: 40, to: file)
        let run = try CommandRunner.run(["bench", "aggregate", "--input", file.path, "--rules", "mean,krum",
                                         "--assumed-byzantine", "1", "--runs", "1", "--format", "json"])
        #expect(run.status == 0, "\(run.stderr)")
        let rows = try JSONDecoder().decode([Row].self, from: Data(run.stdout.utf8))
        #expect(rows.map(\.rule) == ["mean", "krum"])
        for row in rows {
            #expect(row.m == 7 && row.d == 40 && row.runs == 1)
            #expect(row.median_ms >= 0 && row.stream_pass_ms > 0 && row.cpu_ms >= 0 && row.stream_pass_cpu_ms >= 0)
            #expect(row.ratio == row.median_ms / row.stream_pass_ms)
        }
    }

    @Test func refusesAnInputWithShapeOptionsAndRulesItsRowsCannotTake() throws {
        let dir = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("G.npy")
        try TensorFile.writeMatrix([Float](repeating: 1, count: 4 * 3), rowCount: 4, columnCount: 3, to: file)
        for (arguments, expected) in [
            (["--input", file.path, "--workers", "20"], "--workers: not with --input"),
            (["--input", file.path, "--seed", "2"], "--seed: not with --input"),
            (["--input", file.path, "--rules", "krum", "--assumed-byzantine", "3"], "m' − f' − 2"),
            (["--input", dir.appendingPathComponent("missing.npy").path], "--input:"),
        ] {
            let run = try CommandRunner.run(["bench", "aggregate", "--runs", "1"] + arguments)
            #expect(run.status != 0, "\(arguments)")
            #expect(run.stderr.contains(expected), "\(arguments): \(run.stderr)")
        }
    }
}
