import Foundation
import Testing

/// The networked commands in either build of `brsgd`. With the Networking trait (as `make test`
/// builds) the root help lists them; without it (as `make demo` builds) the help says how to
/// build them, and each of them, run, refuses with the same advice.
@Suite struct NetworkCommandAvailabilityTests {
    /// The help as one line: the argument parser wraps it to the terminal's width.
    static func words(_ text: String) -> String { text.split(whereSeparator: \.isWhitespace).joined(separator: " ") }

    @Test func theRootHelpNamesTheNetworkedCommands() throws {
        let run = try CommandRunner.run(["--help"])
        #expect(run.status == 0)
        for needle in ["master", "worker", "cluster"] { #expect(run.stdout.contains(needle), "--help lacks \(needle)") }
        #if !Networking
        #expect(Self.words(run.stdout).contains("make network"), "\(run.stdout)")
        #expect(Self.words(run.stdout).contains("--traits Networking"), "\(run.stdout)")
        #endif
    }

    #if !Networking
    @Test(arguments: ["master", "worker", "cluster"])
    func aLeftOutCommandSaysHowToBuildIt(command: String) throws {
        let run = try CommandRunner.run([command, "--workers", "4", "--log-level", "warning"])
        #expect(!run.crashed)
        #expect(run.status == 64)
        #expect(Self.words(run.stderr).contains("`brsgd \(command)` is one of the networked commands"), "\(run.stderr)")
        #expect(Self.words(run.stderr).contains("--traits Networking"), "\(run.stderr)")
    }
    #endif
}

#if Networking
/// `brsgd master`, `worker` and `cluster` end to end: real processes over gRPC on loopback.
/// Compiled with the Networking trait only (`make test` turns it on).
@Suite struct NetworkCommandTests {
    static let fashionMNIST = FileManager.default.fileExists(
        atPath: "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz")

    /// A small run: logistic regression, m = 4 with one Byzantine worker, 10 rounds.
    static let experiment = ["--model", "logistic", "--workers", "4", "--byzantine", "1", "--attack", "gaussian",
                             "--rule", "brsgd", "--epochs", "1", "--batch-size", "1500", "--lr", "0.05",
                             "--seed", "5", "--test-subset", "200", "--threads", "1"]

    @Test(.enabled(if: fashionMNIST))
    func clusterSavesTheModelOfTrainByteForByte() throws {
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let simulated = directory.appendingPathComponent("train.npy").path
        let networked = directory.appendingPathComponent("cluster.npy").path
        let record = directory.appendingPathComponent("cluster.json").path
        let train = try CommandRunner.run(["train", "--quiet", "--save-model", simulated] + Self.experiment)
        #expect(train.status == 0, "\(train.stderr)")
        let cluster = try CommandRunner.run(["cluster", "--log-level", "warning", "--save-model", networked,
                                             "--output", record] + Self.experiment)
        #expect(cluster.status == 0, "\(cluster.stderr)")
        #expect(!cluster.crashed)
        let a = try Data(contentsOf: URL(fileURLWithPath: simulated))
        let b = try Data(contentsOf: URL(fileURLWithPath: networked))
        #expect(a.count > 30_000)
        #expect(a == b, "the networked model differs from the simulated one")
        let json = try String(contentsOfFile: record, encoding: .utf8)
        #expect(json.contains("\"final_test_accuracy\""))
        #expect(cluster.stderr.contains("refused: none"), "\(cluster.stderr)")
    }

    @Test(arguments: [
        (["master", "--listen", "nowhere"], "--listen must be host:port"),
        (["master", "--workers", "4", "--byzantine", "1", "--attack", "alie"], "omniscient"),
        (["cluster", "--workers", "4", "--byzantine", "1", "--attack", "model-negation"], "omniscient"),
        (["master", "--checkpoint-every", "5"], "--checkpoint-every needs --checkpoint"),
        (["master", "--resume"], "--resume needs --checkpoint"),
        (["worker", "--worker-id", "0", "--attack", "mimic"], "omniscient"),
        (["worker", "--worker-id", "-1"], "--worker-id"),
        (["worker", "--worker-id", "0", "--momentum-history", "1"], "--momentum-history: is 1; it must lie in 2...100000"),
        (["worker", "--worker-id", "0", "--checkpoint", "/nonexistent-dir/w.json"], "--checkpoint /nonexistent-dir/w.json: the directory /nonexistent-dir does not exist"),
        (["master", "--token-file", "a", "--worker-tokens", "b"], "not both"),
        (["master", "--worker-tokens", "/nonexistent/tokens.txt"], "cannot read --worker-tokens"),
    ])
    func badNetworkOptionsAreRefused(arguments: [String], expected: String) throws {
        let run = try CommandRunner.run(arguments)
        #expect(!run.crashed)
        #expect(run.status != 0, "\(arguments)")
        #expect(run.stderr.contains(expected), "\(arguments): \(run.stderr)")
    }

    /// A checkpoint that exists is never overwritten by a fresh start: without --resume, the
    /// master and the cluster refuse before any work and say how to go on.
    @Test func anExistingCheckpointIsNotOverwrittenWithoutResume() throws {
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let checkpoint = directory.appendingPathComponent("ck.json")
        let content = Data(#"{"format_version": 2, "round": 411}"#.utf8)
        try content.write(to: checkpoint)
        for command in ["master", "cluster"] {
            let run = try CommandRunner.run([command, "--workers", "2", "--checkpoint", checkpoint.path])
            #expect(run.status == 64, "\(command): \(run.stderr)")
            #expect(run.stderr.contains("--checkpoint \(checkpoint.path) exists (411 rounds done): add --resume to go on from it, "
                                        + "or remove it (or give another --checkpoint) to start over"), "\(command): \(run.stderr)")
        }
        #expect(try Data(contentsOf: checkpoint) == content)
    }

    @Test func helpTeaches() throws {
        for (command, needles) in [
            (["master", "--help"], ["--listen", "--round-timeout", "--token-file", "--worker-tokens", "--checkpoint-every", "--resume",
                                    "--metrics-port", "--workers", "--rule", "--save-model", "Examples"]),
            (["worker", "--help"], ["--master", "--worker-id", "--token-file", "--attack", "reconnects", "--checkpoint",
                                    "--momentum-history", "resumes"]),
            (["cluster", "--help"], ["--workers", "--listen", "loopback", "Example"]),
        ] {
            let run = try CommandRunner.run(command)
            #expect(run.status == 0)
            for needle in needles { #expect(run.stdout.contains(needle), "\(command) help lacks \(needle)") }
        }
    }

    /// Each mistake in a --worker-tokens file is named with its line, before any data is loaded.
    @Test(arguments: [
        ("0 0123456789abcdef-zero\n1\n", "line 2: expected '<worker id> <token>'"),
        ("0 0123456789abcdef-zero\n2 0123456789abcdef-two\n", "line 2: worker id 2 is not in 0..<2"),
        ("# ids and secrets\n0 0123456789abcdef-zero\n0 0123456789abcdef-again\n", "line 3: worker id 0 appears again (first on line 2)"),
        ("0 0123456789abcdef-zero\n1 short\n", "line 2: the token of worker 1 must have at least 16 characters"),
        ("0 0123456789abcdef-same\n\n1 0123456789abcdef-same\n", "workers 0 and 1 have the same token"),
        ("1 0123456789abcdef-one\n", "no token for worker id 0"),
        // CRLF line endings read as LF ones; the messages still name the line and what was expected.
        ("0 0123456789abcdef-zero\r\n1\r\n", "line 2: expected '<worker id> <token>' (two fields separated by spaces), found 1 field"),
        ("0 0123456789abcdef-zero\r\nx 0123456789abcdef-one\r\n", "line 2: expected '<worker id> <token>' (two fields separated by spaces), found 'x' is not a worker id"),
        ("0 0123456789abcdef-zero\r\n\r\n1 short\r\n", "line 3: the token of worker 1 must have at least 16 characters, found 5"),
    ])
    func badWorkerTokenFilesAreRefusedWithTheirLine(contents: String, expected: String) throws {
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("tokens.txt").path
        try contents.write(toFile: file, atomically: true, encoding: .utf8)
        let run = try CommandRunner.run(["master", "--worker-tokens", file, "--workers", "2", "--model", "logistic",
                                         "--data-dir", directory.path, "--log-level", "critical"])
        #expect(!run.crashed)
        #expect(run.status != 0)
        #expect(run.stderr.contains(expected), "\(run.stderr)")
    }

    /// A heterogeneous fleet: the golden LeNet run of ``KernelPathCommandTests`` over gRPC on
    /// loopback, one worker forced onto the reference kernels and the others (and the master)
    /// on the fastest path this CPU has, saves the simulation's model, byte for byte.
    @Test(.enabled(if: KernelPathCommandTests.hasSHA256, "needs sha256sum (coreutils)"))
    func workersOnDifferentKernelPathsSaveTheSimulationsModel() throws {
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try SyntheticIDX.write(to: directory)
        let model = directory.appendingPathComponent("net.npy").path
        let port = 45000 + Int.random(in: 0 ..< 2000)
        let master = BackgroundProcess(["master", "--listen", "127.0.0.1:\(port)", "--data-dir", directory.path,
                                        "--save-model", model, "--start-timeout", "120", "--log-level", "warning"]
                                       + KernelPathCommandTests.experiment)
        // Worker 0 is the Byzantine one (it is told its attack, as `cluster` tells it); worker 1
        // runs the reference kernels.
        let workers = (0 ..< 4).map { (id: Int) -> BackgroundProcess in
            var arguments: [String] = ["worker", "--master", "127.0.0.1:\(port)", "--worker-id", String(id)]
            arguments += ["--data-dir", directory.path, "--give-up-after", "60", "--log-level", "warning"]
            if id == 0 { arguments += ["--attack", "sign-flip"] }
            let environment: [String: String] = id == 1 ? ["BRSGD_KERNELS": "reference"] : [:]
            return BackgroundProcess(arguments, environment: environment)
        }
        let finished = master.wait(timeout: 600)
        for worker in workers { _ = worker.wait(timeout: 60) }
        #expect(finished.status == 0, "\(finished.stderr)")
        #expect(try SyntheticIDX.sha256(model) == KernelPathCommandTests.goldenModelSHA256)
    }

    @Test func aWorkerGivesUpOnAMasterThatNeverAnswers() throws {
        let port = 43000 + Int.random(in: 0 ..< 2000)
        let worker = try CommandRunner.run(["worker", "--master", "127.0.0.1:\(port)", "--worker-id", "0",
                                            "--give-up-after", "1", "--log-level", "error"])
        #expect(worker.status != 0)
        #expect(!worker.crashed)
        #expect(worker.stderr.contains("unreachable"), "\(worker.stderr)")
    }

    @Test(.enabled(if: fashionMNIST))
    func aWorkerWithTheWrongTokenIsRefusedAndSaysSo() throws {
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let good = directory.appendingPathComponent("good").path, bad = directory.appendingPathComponent("bad").path
        try "0123456789abcdef-good\n".write(toFile: good, atomically: true, encoding: .utf8)
        try "0123456789abcdef-bad!\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let port = 45000 + Int.random(in: 0 ..< 2000)
        let master = Process()
        master.executableURL = CommandRunner.executable
        master.arguments = ["master", "--listen", "127.0.0.1:\(port)", "--token-file", good, "--workers", "2",
                            "--model", "logistic", "--epochs", "1", "--test-subset", "100", "--start-timeout", "60",
                            "--log-level", "critical"]
        master.standardError = FileHandle.nullDevice
        try master.run()
        defer { master.terminate(); master.waitUntilExit() }
        let worker = try CommandRunner.run(["worker", "--master", "127.0.0.1:\(port)", "--worker-id", "0",
                                            "--token-file", bad, "--give-up-after", "30", "--log-level", "error"])
        #expect(worker.status != 0)
        #expect(!worker.crashed)
        #expect(worker.stderr.contains("refused the token"), "\(worker.stderr)")
        #expect(master.isRunning, "the master stays up")
    }

    /// A --worker-tokens file written with CRLF (as Windows editors save it) is accepted: the
    /// master gets past the tokens to waiting for its workers.
    @Test(.enabled(if: fashionMNIST))
    func aWorkerTokensFileWithCRLFLineEndingsIsAccepted() throws {
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("tokens.txt").path
        try "# ids and secrets\r\n0 0123456789abcdef-zero\r\n1 0123456789abcdef-one\r\n".write(
            toFile: file, atomically: true, encoding: .utf8)
        let run = try CommandRunner.run(["master", "--listen", "127.0.0.1:0", "--worker-tokens", file, "--workers", "2",
                                         "--model", "logistic", "--start-timeout", "0.5", "--log-level", "critical"])
        #expect(!run.crashed)
        #expect(run.stderr.contains("0 of 2 workers were ready"), "\(run.stderr)")
        #expect(!run.stderr.contains("--worker-tokens"), "\(run.stderr)")
    }

    /// The run of the signal tests: m = 2, 600 rounds of logistic regression, long enough to
    /// be stopped in the middle.
    static let longExperiment = ["--model", "logistic", "--workers", "2", "--epochs", "1", "--batch-size", "50",
                                 "--lr", "0.05", "--seed", "9", "--test-subset", "100", "--threads", "1"]

    /// SIGTERM stops the master mid-run after it writes its checkpoint (round t not yet
    /// aggregated), and the workers leave cleanly on SIGTERM too; resumed from that
    /// checkpoint, the run saves the model of `brsgd train` byte for byte.
    @Test(.enabled(if: fashionMNIST))
    func aMasterStoppedBySIGTERMCheckpointsAndResumesToTheSameModel() throws {
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let checkpoint = directory.appendingPathComponent("ck.json").path
        let simulated = directory.appendingPathComponent("train.npy").path
        let networked = directory.appendingPathComponent("net.npy").path
        let port = 47000 + Int.random(in: 0 ..< 2000)
        func master(resume: Bool) -> BackgroundProcess {
            BackgroundProcess(["master", "--listen", "127.0.0.1:\(port)", "--checkpoint", checkpoint, "--checkpoint-every", "1",
                               "--save-model", networked, "--start-timeout", "120", "--log-level", "warning"]
                              + (resume ? ["--resume"] : []) + Self.longExperiment)
        }
        func workers() -> [BackgroundProcess] {
            (0 ..< 2).map { BackgroundProcess(["worker", "--master", "127.0.0.1:\(port)", "--worker-id", "\($0)",
                                               "--give-up-after", "60", "--log-level", "info"]) }
        }
        let first = master(resume: false)
        var team = workers()
        // Stop once training is under way: the first checkpoint (after round 1) is there.
        try first.waitUntil { FileManager.default.fileExists(atPath: checkpoint) }
        let stopped = first.stop(SIGTERM)
        #expect(!stopped.crashed)
        #expect(stopped.status == 128 + SIGTERM, "\(stopped.stderr)")
        #expect(stopped.stderr.contains("stopped by SIGTERM"), "\(stopped.stderr)")
        #expect(FileManager.default.fileExists(atPath: checkpoint), "the checkpoint is written on SIGTERM")
        for worker in team {
            let left = worker.stop(SIGTERM)
            #expect(!left.crashed)
            #expect(left.status == 128 + SIGTERM, "\(left.stderr)")
            #expect(left.stderr.contains("stopped by SIGTERM"), "\(left.stderr)")
        }
        let saved = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: checkpoint))) as? [String: Any]
        let round = try #require(saved?["round"] as? Int)
        #expect(round >= 1 && round < 600, "stopped mid-run at round \(round)")

        let second = master(resume: true)
        team = workers()
        let finished = second.wait(timeout: 300)
        for worker in team { _ = worker.wait(timeout: 60) }
        #expect(finished.status == 0, "\(finished.stderr)")
        let train = try CommandRunner.run(["train", "--quiet", "--save-model", simulated] + Self.longExperiment)
        #expect(train.status == 0, "\(train.stderr)")
        let a = try Data(contentsOf: URL(fileURLWithPath: simulated))
        let b = try Data(contentsOf: URL(fileURLWithPath: networked))
        #expect(a.count > 30_000 && a == b, "the resumed model differs from brsgd train's")
    }

    /// SIGTERM or SIGINT to `brsgd cluster` stops every worker it started and removes its
    /// token directory.
    @Test(.enabled(if: fashionMNIST), arguments: [SIGTERM, SIGINT])
    func aStoppedClusterStopsItsWorkersAndRemovesItsTokens(signal: Int32) throws {
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let temporary = directory.appendingPathComponent("tmp")
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
        let cluster = BackgroundProcess(["cluster", "--log-level", "warning"] + Self.longExperiment,
                                        environment: ["TMPDIR": temporary.path])
        try cluster.waitUntil { childProcesses(of: cluster.pid).count == 2 }
        let children = childProcesses(of: cluster.pid)
        #expect(try FileManager.default.contentsOfDirectory(atPath: temporary.path).count == 1, "the token directory")
        let stopped = cluster.stop(signal)
        #expect(!stopped.crashed)
        #expect(stopped.status == 128 + signal, "\(stopped.stderr)")
        #expect(stopped.stderr.contains("stopping the workers"), "\(stopped.stderr)")
        for child in children { #expect(kill(child, 0) != 0, "worker \(child) still runs") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: temporary.path).isEmpty, "the token directory is left")
    }
}

/// A `brsgd` process running beside the test, its standard error collected.
final class BackgroundProcess: @unchecked Sendable {
    // @unchecked: `process` is only touched from the test's thread; the stderr buffer is
    // filled by the pipe's reader and read after the process ended (waitUntilExit orders them).
    let process = Process()
    private let errorPipe = Pipe()
    private var collected = Data()
    private let lock = NSLock()

    init(_ arguments: [String], environment: [String: String] = [:]) {
        process.executableURL = CommandRunner.executable
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errorPipe
        errorPipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.lock(); self.collected.append(data); self.lock.unlock()
        }
        try? process.run()
    }

    var pid: Int32 { process.processIdentifier }

    /// Polls `condition` every 50 ms for at most 120 s.
    func waitUntil(_ condition: () -> Bool) throws {
        for _ in 0 ..< 2400 {
            if condition() { return }
            guard process.isRunning else { throw CommandTestFailure("brsgd exited early: \(stderr)") }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw CommandTestFailure("timed out")
    }

    /// Sends `signal`, then waits for the exit.
    func stop(_ signal: Int32) -> CommandRun {
        kill(pid, signal)
        return wait(timeout: 60)
    }

    /// Waits for the exit (SIGKILL after `timeout` seconds).
    func wait(timeout: Double) -> CommandRun {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        if process.isRunning { kill(pid, SIGKILL) }
        process.waitUntilExit()
        errorPipe.fileHandleForReading.readabilityHandler = nil
        let rest = errorPipe.fileHandleForReading.readDataToEndOfFile()
        lock.lock(); collected.append(rest); let text = String(decoding: collected, as: UTF8.self); lock.unlock()
        return CommandRun(status: process.terminationStatus, stdout: "", stderr: text,
                          crashed: process.terminationReason == .uncaughtSignal)
    }

    var stderr: String {
        lock.lock(); defer { lock.unlock() }
        return String(decoding: collected, as: UTF8.self)
    }
}

struct CommandTestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The live child processes of `pid` (from /proc).
func childProcesses(of pid: Int32) -> [Int32] {
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
    return entries.compactMap(Int32.init).filter { child in
        guard let status = try? String(contentsOfFile: "/proc/\(child)/status", encoding: .utf8) else { return false }
        let fields = Dictionary(status.split(separator: "\n").compactMap { line -> (String, String)? in
            let parts = line.split(separator: ":", maxSplits: 1)
            return parts.count == 2 ? (String(parts[0]), parts[1].trimmingCharacters(in: .whitespaces)) : nil
        }, uniquingKeysWith: { a, _ in a })
        return fields["PPid"] == "\(pid)" && fields["State"]?.hasPrefix("Z") == false
    }
}
#endif
