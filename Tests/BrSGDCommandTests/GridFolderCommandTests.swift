import Foundation
import Testing

/// A grid's output folder holds one experiment: another base is refused before any work
/// (or replaced on request), tables count only the grid asked for and state its settings,
/// one grid works in a folder at a time, and Ctrl-C says what was saved. Every grid here
/// trains logistic regression on a synthetic dataset, so no installed data is needed.
@Suite struct GridFolderCommandTests {
    /// A folder with the synthetic dataset and a small base experiment (m = 4).
    struct Folder {
        let root: URL
        var data: URL { root.appendingPathComponent("data") }
        var output: URL { root.appendingPathComponent("out") }
        var base: URL { root.appendingPathComponent("base.json") }
        var runs: [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: output.appendingPathComponent("runs").path)) ?? [])
                .filter { $0.hasSuffix(".json") }.sorted()
        }

        init() throws {
            root = try CommandRunner.temporaryDirectory()
            try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
            try SyntheticIDX.write(to: data)
            try Data(#"{"model": "logistic", "workers": 4, "epochs": 1, "batch_size": 8}"#.utf8).write(to: base)
        }

        /// `reproduce table1` over the base: gaussian at α = ½, the mean only (3 runs: the two
        /// clean runs and one attacked one), then `extra`.
        func table1(_ extra: [String]) throws -> CommandRun {
            try CommandRunner.run(["reproduce", "table1", "--config", base.path, "--output-dir", output.path, "--data-dir", data.path,
                                   "--attacks", "gaussian", "--fractions", "0.5", "--rules", "mean", "--jobs", "1"] + extra)
        }

        func text(_ name: String) throws -> String {
            try String(contentsOf: output.appendingPathComponent(name), encoding: .utf8)
        }
    }

    @Test func anotherBaseInTheFolderIsRefusedBeforeAnyWorkAndReplacedOnlyOnRequest() throws {
        let folder = try Folder()
        defer { try? FileManager.default.removeItem(at: folder.root) }
        let first = try folder.table1([])
        #expect(first.status == 0, "\(first.stderr)")
        let firstRuns = folder.runs
        #expect(firstRuns.count == 3)
        #expect(try folder.text("table1.md").contains("1 epoch, batch 8 per worker"))

        let other = try folder.table1(["--epochs", "2"])
        #expect(other.status == 64, "\(other.stderr)")
        #expect(other.stderr.contains("holds 3 runs of another experiment (epochs 1 there, 2 asked for)"), "\(other.stderr)")
        #expect(other.stderr.contains("--replace"))
        #expect(!other.stderr.contains("Table 1 grid"), "refused before the grid starts")
        #expect(folder.runs == firstRuns, "nothing run, nothing deleted")

        let subset = try folder.table1(["--test-subset", "50"])
        #expect(subset.status == 64)
        #expect(subset.stderr.contains("test_subset null there, 50 asked for"), "\(subset.stderr)")

        let replaced = try folder.table1(["--epochs", "2", "--replace"])
        #expect(replaced.status == 0, "\(replaced.stderr)")
        #expect(replaced.stderr.contains("--replace: deleted 3 runs of another experiment"), "\(replaced.stderr)")
        #expect(folder.runs.count == 3 && Set(folder.runs).isDisjoint(with: firstRuns))
        #expect(try folder.text("table1.md").contains("2 epochs, batch 8 per worker"))
        let grid = try JSONSerialization.jsonObject(with: Data(try folder.text("grid.json").utf8)) as? [String: Any]
        #expect(grid?["runs"] as? Int == 3)
        #expect(grid?["epochs"] as? Int == 2)
    }

    /// A smaller grid over the same base shares the folder, and its tables hold only its runs.
    @Test func aGridOverTheSameBaseKeepsTheFolderAndCountsOnlyItsOwnRuns() throws {
        let folder = try Folder()
        defer { try? FileManager.default.removeItem(at: folder.root) }
        let larger = try folder.table1(["--rules", "mean,median"])
        #expect(larger.status == 0, "\(larger.stderr)")
        #expect(folder.runs.count == 4)
        let smaller = try folder.table1([])
        #expect(smaller.status == 0, "\(smaller.stderr)")
        #expect(smaller.stderr.contains("3 runs were already in"))
        #expect(folder.runs.count == 4, "the other run stays")
        let csv = try folder.text("table1.csv")
        #expect(!csv.split(separator: "\n").contains { $0.hasPrefix("gaussian,median,0.5,1,") }, "\(csv)")
        #expect(csv.split(separator: "\n").contains { $0.hasPrefix("gaussian,mean,0.5,1,") }, "\(csv)")
    }

    static let hasFlock = FileManager.default.isExecutableFile(atPath: "/usr/bin/flock")

    @Test(.enabled(if: hasFlock, "needs flock(1) (util-linux) to hold the folder's lock from outside"))
    func aSecondGridIntoABusyFolderIsRefused() throws {
        let folder = try Folder()
        defer { try? FileManager.default.removeItem(at: folder.root) }
        try FileManager.default.createDirectory(at: folder.output, withIntermediateDirectories: true)
        // Another grid's lock: flock(1) takes the same flock(2) lock the command takes.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        // --no-fork: the lock's holder is `sleep` itself, so terminating it frees the lock at once.
        holder.arguments = ["--no-fork", folder.output.appendingPathComponent(".lock").path, "sleep", "60"]
        try holder.run()
        // SIGKILL: a child inherits the signals this test process ignores, SIGTERM among them.
        defer { kill(holder.processIdentifier, SIGKILL); holder.waitUntilExit() }
        var refused: CommandRun?
        // flock(1) may not hold the lock yet when the first try comes: try until it does.
        for _ in 0 ..< 100 {
            let run = try folder.table1([])
            if run.status != 0 { refused = run; break }
            try FileManager.default.removeItem(at: folder.output.appendingPathComponent("runs"))
            Thread.sleep(forTimeInterval: 0.05)
        }
        let run = try #require(refused)
        #expect(run.status == 64, "\(run.stderr)")
        #expect(run.stderr.contains("another grid is running into it"), "\(run.stderr)")
        #expect(folder.runs.isEmpty)
    }

    @Test func ctrlCInAGridSaysWhatWasSavedAndHowToGoOn() throws {
        let folder = try Folder()
        defer { try? FileManager.default.removeItem(at: folder.root) }
        let process = Process()
        process.executableURL = CommandRunner.executable
        process.arguments = ["reproduce", "table1", "--config", folder.base.path, "--output-dir", folder.output.path,
                             "--data-dir", folder.data.path, "--seeds", "40", "--jobs", "1"]
        let errors = folder.root.appendingPathComponent("stderr.txt")
        try Data().write(to: errors)
        process.standardError = try FileHandle(forWritingTo: errors)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // Interrupt once a run is saved (the grid has 40 × 50 runs: it is far from done).
        for _ in 0 ..< 6000 where folder.runs.isEmpty && process.isRunning { Thread.sleep(forTimeInterval: 0.01) }
        #expect(process.isRunning)
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        let text = try String(contentsOf: errors, encoding: .utf8)
        #expect(process.terminationStatus == 130, "\(text)")
        // The note counts the runs saved when the signal came; one more may finish while the
        // process exits.
        let saved = folder.runs.count
        #expect(saved >= 1)
        let said = [saved, saved - 1].filter {
            text.contains("interrupted: \($0) of 2000 runs are saved in \(folder.output.appendingPathComponent("runs").path)")
        }
        #expect(!said.isEmpty, "\(text)")
        #expect(text.contains("run the same command again to go on"))
    }
}
