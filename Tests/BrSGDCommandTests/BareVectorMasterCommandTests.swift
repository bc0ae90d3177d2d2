import Foundation
import Testing
import TensorIO

/// `brsgd master --parameters`: what it refuses, each as one line and exit 64, before it
/// listens. (The runs themselves, with hand-driven gRPC workers, are in
/// BrSGDTransportGRPCTests' BareVectorCommandTests: that target has the gRPC client.)
@Suite struct BareVectorMasterCommandTests {
    /// A directory with `init.npy` (d = 6), `init.json`, `f64.npy`, `matrix.npy`, `nan.npy`, `empty.json`.
    static func files() throws -> URL {
        let directory = try CommandRunner.temporaryDirectory()
        func url(_ name: String) -> URL { directory.appendingPathComponent(name) }
        try TensorFile.writeVector([0, 1, 2, 3, 4, 5], to: url("init.npy"))
        try TensorFile.writeVector([0, 1, 2], to: url("init.json"))
        try TensorFile.writeMatrix([0, 1, 2, 3], rowCount: 2, columnCount: 2, to: url("matrix.npy"))
        try TensorFile.writeVector([0, .nan, 2, .infinity], to: url("nan.npy"))
        try "[]".write(to: url("empty.json"), atomically: true, encoding: .utf8)
        // float64 beyond float32's range: +Inf once rounded.
        var f64 = Data([0x93]) + Data("NUMPY".utf8)
        let header = "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }"
        let padded = header + String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
        f64 += Data([1, 0, UInt8(padded.utf8.count & 0xff), UInt8(padded.utf8.count >> 8)]) + Data(padded.utf8)
        for value in [1.0, 1e300] { withUnsafeBytes(of: value.bitPattern.littleEndian) { f64 += Data($0) } }
        try f64.write(to: url("f64.npy"))
        return directory
    }

    @Test(arguments: [
        (["--parameters", "$/missing.npy", "--rounds", "3"], "--parameters $/missing.npy: "),
        (["--parameters", "$/matrix.npy", "--rounds", "3"], "--parameters $/matrix.npy: "),
        (["--parameters", "$/nan.npy", "--rounds", "3"], "--parameters $/nan.npy: element 1 is nan (and 1 more are not finite)"),
        (["--parameters", "$/f64.npy", "--rounds", "3"], "--parameters $/f64.npy: element 1 is inf"),
        (["--parameters", "$/empty.json", "--rounds", "3"], "--parameters $/empty.json: "),
        (["--parameters", "$/init.npy"], "--rounds: --parameters needs the number of rounds"),
        (["--parameters", "$/init.npy", "--rounds", "0"], "--rounds: is 0; it must lie in 1..."),
        (["--rounds", "3", "--epochs", "2", "--model", "logistic"], "--epochs, --rounds: give the run's length one way, not both"),
        (["--parameters", "$/init.npy", "--rounds", "3", "--model", "lenet"], "--model: does not apply with --parameters"),
        (["--parameters", "$/init.npy", "--rounds", "3", "--dataset", "mnist"], "--dataset: does not apply with --parameters: the master of --parameters holds no dataset"),
        (["--parameters", "$/init.npy", "--rounds", "3", "--data-dir", "/tmp"], "--data-dir: does not apply with --parameters"),
        (["--parameters", "$/init.npy", "--rounds", "3", "--epochs", "2"], "--epochs: does not apply with --parameters: without a dataset there is no epoch to count"),
        (["--parameters", "$/init.npy", "--rounds", "3", "--batch-size", "8"], "--batch-size: does not apply with --parameters"),
        (["--parameters", "$/init.npy", "--rounds", "3", "--partition", "iid"], "--partition: does not apply with --parameters"),
        (["--parameters", "$/init.npy", "--rounds", "3", "--workers", "4", "--byzantine", "1", "--attack", "gaussian"], "--attack: does not apply with --parameters"),
        (["--parameters", "$/init.npy", "--rounds", "3", "--sigma", "3"], "--sigma: does not apply with --parameters"),
        (["--parameters", "$/init.npy", "--rounds", "3", "--test-subset", "100"], "--test-subset: does not apply with --parameters"),
        (["--parameters", "$/init.npy", "--rounds", "3", "--threads", "2"], "--threads: does not apply with --parameters"),
        (["--parameters", "$/init.npy", "--rounds", "3", "--config", "$/run.json"], "--config: does not apply with --parameters"),
        (["--parameters", "$/init.npy", "--rounds", "3", "--workers", "4", "--byzantine", "5"], "--byzantine: is 5; it must lie in 0...4"),
        (["--parameters", "$/init.npy", "--rounds", "3", "--workers", "3", "--rule", "krum", "--assumed-byzantine", "1"], "--rule: krum(f=1) needs m' − f' − 2 ≥ 1"),
        (["--parameters", "$/init.npy", "--rounds", "3", "--lr", "0"], "--lr: is 0.0; it must be a finite number > 0"),
        (["--parameters", "$/init.npy", "--rounds", "3", "--momentum", "1"], "--momentum: is 1.0; it must lie in [0, 1)"),
        (["--parameters", "$/init.npy", "--rounds", "3", "--rule", "median", "--beta", "0.5"], "--beta"),
        (["--parameters", "$/init.npy", "--rounds", "3", "--output", "$/run.txt"], "--output $/run.txt: the file name must end in .json"),
        (["--parameters", "$/init.npy", "--rounds", "3", "--save-model", "/nonexistent/w.npy"], "--save-model /nonexistent/w.npy"),
    ])
    func aMistakeIsRefusedInOneLineWithExit64(arguments: [String], expected: String) throws {
        let directory = try Self.files()
        defer { try? FileManager.default.removeItem(at: directory) }
        let arguments = arguments.map { $0.replacingOccurrences(of: "$", with: directory.path) }
        let expected = expected.replacingOccurrences(of: "$", with: directory.path)
        // A refusal comes before the server starts: it never says where it listens.
        let run = try CommandRunner.run(["master", "--listen", "127.0.0.1:0", "--start-timeout", "0.2",
                                         "--log-level", "critical"] + arguments)
        #expect(!run.crashed)
        #expect(run.status == 64, "\(arguments): \(run.status) \(run.stderr)")
        let lines = run.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(arguments): \(run.stderr)")
        #expect(run.stderr.hasPrefix("error: " + expected), "\(arguments): \(run.stderr)")
        #expect(!run.stderr.contains("listening"), "\(arguments): \(run.stderr)")
    }

    /// A run record of a bare vector given to `train` (or to a built-in master) is refused:
    /// the engine has no such model.
    @Test func aBareVectorRecordIsNoConfigForTrain() throws {
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("bare.json").path
        try #"{"model": "parameters", "parameter_count": 10, "rounds": 5, "workers": 2}"#
            .write(toFile: config, atomically: true, encoding: .utf8)
        for arguments in [["train", "--config", config], ["master", "--config", config, "--log-level", "critical"]] {
            let command = arguments[0]
            let run = try CommandRunner.run(arguments)
            #expect(run.status == 64, "\(command): \(run.stderr)")
            #expect(run.stderr.contains("only brsgd master --parameters serves"), "\(command): \(run.stderr)")
        }
        let model = try CommandRunner.run(["train", "--model", "parameters"])
        #expect(model.status != 0, "--model takes the built-in models only")
    }

    @Test func helpTeachesTheMasterForAnyModel() throws {
        let run = try CommandRunner.run(["master", "--help"])
        #expect(run.status == 0)
        for needle in ["--parameters", "--rounds", "Any model", "evaluated false", "w ← w − η·rule(G)"] {
            #expect(run.stdout.contains(needle), "master --help lacks \(needle)")
        }
        #expect(!run.stdout.contains("parameters: a vector of d"), "--model lists the built-in models only")
    }
}
