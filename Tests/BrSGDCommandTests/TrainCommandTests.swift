import Foundation
import Testing
import TensorIO

/// `brsgd train` end to end on the real FashionMNIST (a small logistic regression run):
/// results on standard output, progress on standard error, each output written on its own,
/// and a run record replayed gives the same model bytes.
@Suite(.enabled(if: FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz"),
                "needs FashionMNIST (apt-get install dataset-fashion-mnist)"))
struct TrainCommandTests {
    static let small = ["train", "--model", "logistic", "--workers", "4", "--byzantine", "1", "--attack", "gaussian",
                        "--rule", "krum", "--epochs", "1", "--batch-size", "1000", "--test-subset", "200", "--seed", "4"]

    @Test func aReplayedRunRecordGivesTheSameModelBytes() throws {
        let dir = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let record = dir.appendingPathComponent("run.json").path, first = dir.appendingPathComponent("a.npy").path
        let run = try CommandRunner.run(Self.small + ["--output", record, "--save-model", first])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("final test accuracy") && run.stdout.contains("| epoch |"), "results on stdout")
        #expect(run.stderr.contains("training logistic") && !run.stderr.contains("final test accuracy"), "progress on stderr")
        let text = try String(contentsOfFile: record, encoding: .utf8)
        #expect(text.contains("\"sigma\" : 200") && text.contains("\"assumed_byzantine\" : 1"), "every default resolved")
        let second = dir.appendingPathComponent("b.npy").path
        let replay = try CommandRunner.run(["train", "--config", record, "--save-model", second, "--quiet"])
        #expect(replay.status == 0, "\(replay.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: first)) == Data(contentsOf: URL(fileURLWithPath: second)))
        // A field replaced beside the record changes the run.
        let other = dir.appendingPathComponent("c.npy").path
        let changed = try CommandRunner.run(["train", "--config", record, "--seed", "5", "--save-model", other, "--quiet"])
        #expect(changed.status == 0, "\(changed.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: first)) != Data(contentsOf: URL(fileURLWithPath: other)))
    }

    @Test func jsonFormatPrintsTheRunRecord() throws {
        let run = try CommandRunner.run(Self.small + ["--format", "json", "--quiet"])
        #expect(run.status == 0, "\(run.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(object["skipped_rounds"] as? Int == 0)
        #expect((object["config"] as? [String: Any])?["workers"] as? Int == 4)
    }

    @Test func aFailedOutputDoesNotLoseTheOther() throws {
        let dir = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // The record's directory disappears during the run: the model is still written.
        let doomed = dir.appendingPathComponent("doomed")
        try FileManager.default.createDirectory(at: doomed, withIntermediateDirectories: true)
        let model = dir.appendingPathComponent("model.npy").path
        let process = Process()
        process.executableURL = CommandRunner.executable
        process.arguments = Self.small + ["--epochs", "3", "--output", doomed.appendingPathComponent("run.json").path,
                                          "--save-model", model]
        let err = Pipe()
        process.standardError = err
        process.standardOutput = Pipe()
        try process.run()
        // Once the run is announced the paths have been checked: now take the directory away.
        var stderr = ""
        while !stderr.contains("training logistic") {
            let chunk = err.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            stderr += String(decoding: chunk, as: UTF8.self)
        }
        try FileManager.default.removeItem(at: doomed)
        stderr += String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 1, "\(stderr)")
        #expect(stderr.contains("--output") && stderr.contains("cannot write"), "\(stderr)")
        #expect(try TensorFile.readVector(at: URL(fileURLWithPath: model)).count == 7_850)
    }
}
