import Foundation
import Testing

/// `brsgd reproduce byzfl` and the options ByzFL's protocol added to `train`: help that
/// teaches, mistakes refused before any work, and a tiny real grid.
@Suite struct ReproduceByzFLCommandTests {
    static let fashionMNISTDirectory = "/usr/share/datasets/fashion-mnist"
    static let fashionMNIST = FileManager.default.fileExists(atPath: fashionMNISTDirectory + "/t10k-labels-idx1-ubyte.gz")

    @Test(arguments: [
        (["train", "--partition", "gamma"], "--partition gamma: needs --gamma"),
        (["train", "--gamma", "0.3"], "--gamma: applies to --partition gamma only"),
        (["train", "--partition", "dirichlet", "--dirichlet-alpha", "1", "--gamma", "0.3"], "--gamma: applies to --partition gamma only"),
        (["train", "--partition", "gamma", "--gamma", "1.5"], "--gamma: is 1.5; it must lie in [0, 1]"),
        (["train", "--partition", "gamma", "--gamma", "0.5", "--workers", "2", "--byzantine", "2", "--attack", "sign-flip"],
         "--byzantine: is 2 of 2 workers"),
        (["train", "--epochs", "2", "--rounds", "5"], "--epochs, --rounds: give the run's length one way, not both"),
        (["train", "--rounds", "0"], "--rounds: is 0"),
        (["train", "--evaluate-every", "0"], "--evaluate-every: is 0"),
        (["reproduce", "robustness", "--heterogeneity", "iid,gamma-1.5"], "--heterogeneity: 'gamma-1.5': γ must be a number in [0, 1]"),
        (["reproduce", "byzfl", "--gammas", "1,2"], "--gammas: '2': γ must be a number in [0, 1]"),
        (["reproduce", "byzfl", "--byzantine", "0,1"], "--byzantine: must be whole numbers ≥ 1"),
        (["reproduce", "byzfl", "--rules", "nnm+trimmed-man"], "--rules: 'nnm+trimmed-man': the last word must be a rule"),
        (["reproduce", "byzfl", "--rules", "bulyan", "--byzantine", "1,2,3"],
         "--rules: bulyan assumes m ≥ 4f + 3 (El Mhamdi et al., 2018): with m = 13 it holds for f ≤ 2, not f = 3"),
        (["reproduce", "byzfl", "--rounds", "0"], "--rounds: is 0"),
    ])
    func mistakesAreRefusedBeforeAnyWork(arguments: [String], message: String) throws {
        let run = try CommandRunner.run(arguments)
        #expect(run.status == 64, "\(arguments): \(run.stderr)")
        #expect(run.stderr.contains(message), "\(arguments): \(run.stderr)")
    }

    @Test func helpTeaches() throws {
        let run = try CommandRunner.run(["reproduce", "byzfl", "--help"])
        #expect(run.status == 0)
        for phrase in ["ByzFL", "gamma similarity", "800 rounds", "best method", "published", "MNIST", "FashionMNIST",
                       "tune", "--gammas", "--byzantine", "--honest-workers", "--rounds", "--evaluate-every", "Examples:"] {
            #expect(run.stdout.contains(phrase), "\(phrase)")
        }
        let train = try CommandRunner.run(["train", "--help"])
        for phrase in ["--gamma", "--rounds", "--evaluate-every", "byzfl-cnn"] {
            #expect(train.stdout.contains(phrase), "\(phrase)")
        }
    }

    @Test func theDefaultGridIsByzFLs() throws {
        let run = try CommandRunner.run(["reproduce", "byzfl", "--dry-run", "--dataset", "mnist"])
        #expect(run.status == 0, "\(run.stderr)")
        let ids = run.stdout.split(separator: "\n")
        // 2 rules × 3 attacks × f = 1…4 × 4 γ × 3 seeds.
        #expect(ids.count == 2 * 3 * 4 * 4 * 3)
        #expect(ids.allSatisfy { $0.hasPrefix("byzfl-cnn-mnist-m1") && $0.contains("-t800-") })
        #expect(ids.filter { $0.contains("-m14-b4-") && $0.contains("-gamma0.33-") }.count == 2 * 3 * 3)
    }

    /// A directory holding the four files under `name` (a link to FashionMNIST's).
    static func dataDirectory(named name: String) throws -> URL {
        let dir = try CommandRunner.temporaryDirectory()
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent(name).path,
                                                   withDestinationPath: fashionMNISTDirectory)
        return dir
    }

    @Test(.enabled(if: fashionMNIST, "needs FashionMNIST (apt-get install dataset-fashion-mnist) to stand in for a data directory"))
    func theDatasetIsMNISTWhereItsFilesAreElseFashionMNIST() throws {
        let withMNIST = try Self.dataDirectory(named: "mnist")
        let withoutMNIST = try Self.dataDirectory(named: "fashion-mnist")
        defer {
            try? FileManager.default.removeItem(at: withMNIST)
            try? FileManager.default.removeItem(at: withoutMNIST)
        }
        let arguments = ["reproduce", "byzfl", "--dry-run", "--rules", "clipping=2+nnm+trimmed-mean", "--seeds", "1"]
        let mnist = try CommandRunner.run(arguments + ["--data-dir", withMNIST.path])
        #expect(mnist.stdout.split(separator: "\n").allSatisfy { $0.hasPrefix("byzfl-cnn-mnist-") }, "\(mnist.stdout)")
        let fashion = try CommandRunner.run(arguments + ["--data-dir", withoutMNIST.path])
        #expect(fashion.stdout.split(separator: "\n").allSatisfy { $0.hasPrefix("byzfl-cnn-fmnist-") }, "\(fashion.stdout)")
    }

    /// A real grid, tiny: ByzFL's CNN, one rule, one attack, f = 1, γ = 1 and 0, 4 rounds
    /// evaluated every 2 on 200 test examples. FashionMNIST's files stand in for MNIST's, so
    /// the tables show ByzFL's published values beside ours. A second call resumes.
    @Test(.enabled(if: fashionMNIST, "needs FashionMNIST (apt-get install dataset-fashion-mnist) to stand in for MNIST"))
    func aTinyGridWritesItsReportsAndResumes() throws {
        let data = try Self.dataDirectory(named: "mnist")
        let output = try CommandRunner.temporaryDirectory()
        defer {
            try? FileManager.default.removeItem(at: data)
            try? FileManager.default.removeItem(at: output)
        }
        let arguments = ["reproduce", "byzfl", "--data-dir", data.path, "--output-dir", output.path, "--rules", "clipping=2+nnm+trimmed-mean",
                         "--attacks", "sign-flip", "--byzantine", "1", "--gammas", "1,0", "--seeds", "1", "--rounds", "4",
                         "--evaluate-every", "2", "--test-subset", "200", "--jobs", "2"]
        let first = try CommandRunner.run(arguments)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("ByzFL's benchmark on MNIST"), "\(first.stderr)")
        for name in ["byzfl.md", "byzfl.csv", "byzfl.json", "heatmaps.svg", "grid.json"] {
            #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent(name).path), "\(name)")
        }
        // The tables: rows γ from 0, columns f; ByzFL's published values beside ours.
        #expect(first.stdout.contains("## Best method"))
        #expect(first.stdout.contains("## clipping=2+nnm+trimmed-mean"))
        #expect(first.stdout.contains("| γ = 0 |") && first.stdout.contains("| γ = 1 |"))
        #expect(first.stdout.range(of: "| γ = 0 |")!.lowerBound < first.stdout.range(of: "| γ = 1 |")!.lowerBound)
        #expect(first.stdout.contains("(87)") && first.stdout.contains("(98)"), "\(first.stdout)")
        #expect(first.stdout.contains("not tuned"))
        let runs = try FileManager.default.contentsOfDirectory(atPath: output.appendingPathComponent("runs").path)
            .filter { $0.hasSuffix(".json") }
        #expect(runs.count == 2)
        let record = try JSONSerialization.jsonObject(
            with: Data(contentsOf: output.appendingPathComponent("runs").appendingPathComponent(runs[0]))) as? [String: Any]
        let evaluations = record?["evaluations"] as? [[String: Any]]
        #expect(evaluations?.compactMap { $0["round"] as? Int } == [0, 2, 4])
        let csv = try String(contentsOf: output.appendingPathComponent("byzfl.csv"), encoding: .utf8).split(separator: "\n")
        #expect(csv.count == 1 + 2 + 2, "a line per (rule, γ, attack), then the best method per γ: \(csv)")
        let second = try CommandRunner.run(arguments)
        #expect(second.status == 0)
        #expect(second.stderr.contains("2 runs were already in"), "\(second.stderr)")
    }
}
