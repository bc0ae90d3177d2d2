import Foundation
import Testing

/// `brsgd master`, `worker` and `cluster` end to end: real processes over gRPC on loopback.
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

    @Test func helpTeaches() throws {
        for (command, needles) in [
            (["master", "--help"], ["--listen", "--round-timeout", "--token-file", "--worker-tokens", "--checkpoint-every", "--resume",
                                    "--metrics-port", "--workers", "--rule", "--save-model", "Examples"]),
            (["worker", "--help"], ["--master", "--worker-id", "--token-file", "--attack", "reconnects", "--checkpoint",
                                    "--momentum-history", "resumes"]),
            (["cluster", "--help"], ["--workers", "--port", "loopback", "Example"]),
            (["--help"], ["master", "worker", "cluster"]),
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
}
