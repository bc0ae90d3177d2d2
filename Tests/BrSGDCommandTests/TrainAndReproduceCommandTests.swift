import Foundation
import Testing

/// `brsgd train`, `reproduce` and `demo`: help that teaches, and bad options refused before any work.
@Suite struct TrainAndReproduceCommandTests {
    static let fashionMNIST = FileManager.default.fileExists(
        atPath: "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz")
    /// Careless invocations: each is refused before any work, with exit status 64 and one
    /// line naming the option, the value and what is allowed.
    @Test(arguments: [
        (["train", "--workers", "20", "--byzantine", "5"], "--attack: 5 Byzantine workers need an attack"),
        (["train", "--workers", "4", "--byzantine", "5", "--attack", "gaussian"], "--byzantine: is 5; it must lie in 0...4"),
        (["train", "--byzantine", "1", "--byzantine-fraction", "0.2", "--workers", "10", "--attack", "gaussian"], "not both"),
        (["train", "--attack", "gauss"], "--attack: unknown attack 'gauss'"),
        (["train", "--attack", "gaussian"], "--attack: 'gaussian' has no Byzantine worker"),
        (["train", "--sigma", "3"], "--sigma: applies to an attack"),
        (["train", "--workers", "4", "--byzantine", "1", "--attack", "gaussian", "--scale", "3"], "--scale: does not apply to the gaussian attack"),
        (["train", "--rule", "krum", "--workers", "2"], "m' − f' − 2 ≥ 1"),
        (["train", "--rule", "krum", "--threshold", "3"], "--threshold: krum does not take threshold"),
        (["train", "--rule", "mean", "--beta", "0.3"], "--beta: mean does not take beta"),
        (["train", "--partition", "dirichlet"], "--dirichlet-alpha"),
        (["train", "--dirichlet-alpha", "0.5"], "--dirichlet-alpha: applies to --partition dirichlet only"),
        (["train", "--lr", "-1"], "--lr: is -1.0; it must be a finite number > 0"),
        (["train", "--momentum", "5"], "--momentum: is 5.0; it must lie in [0, 1)"),
        (["train", "--momentum", "nan"], "--momentum: is nan"),
        (["train", "--momentum", "1"], "--momentum: is 1.0"),
        (["train", "--worker-momentum", "1"], "--worker-momentum: is 1.0; it must lie in [0, 1)"),
        (["train", "--worker-momentum", "nan"], "--worker-momentum: is nan; it must lie in [0, 1)"),
        (["train", "--worker-momentum=-0.5"], "--worker-momentum: is -0.5"),
        (["train", "--weight-decay=-1"], "--weight-decay: is -1.0"),
        (["train", "--workers", "100000"], "--workers: is 100000; it must lie in 1...10000"),
        (["train", "--batch-size", "0"], "--batch-size: is 0"),
        (["train", "--test-subset", "0"], "--test-subset: is 0"),
        (["train", "--beta", "0"], "--beta: brsgd's β must lie in (0, 1], got 0.0"),
        (["train", "--workers", "20", "--byzantine", "12", "--attack", "alie"], "--attack: alie"),
        (["train", "--output", "/nonexistent-dir/run.json"], "--output /nonexistent-dir/run.json: the directory /nonexistent-dir does not exist"),
        (["train", "--save-model", "m.txt"], "--save-model m.txt: the file name must end in .npy or .json"),
        (["train", "--config", "/nonexistent.json"], "cannot read /nonexistent.json: no such file or directory"),
        (["bench", "aggregate", "--workers", "100000", "--dimension", "100000"], "--workers: is 100000"),
        (["bench", "aggregate", "--workers", "10000", "--dimension", "100000000"], "GB gradient matrix"),
        (["bench", "aggregate", "--rules", "krum", "--workers", "4", "--assumed-byzantine", "3"], "m' − f' − 2"),
        (["reproduce", "table1", "--epochs", "0"], "--epochs: is 0"),
        (["reproduce", "table1", "--rules", "bulyann"], "--rules: unknown rule 'bulyann'"),
        (["reproduce", "robustness", "--heterogeneity", "iid,zero"], "--heterogeneity: 'zero' is neither iid, a Dirichlet α > 0 nor a gamma similarity such as gamma-0.33"),
        (["reproduce", "robustness", "--heterogeneity", "0"], "--heterogeneity: '0' is neither iid"),
        (["reproduce", "robustness", "--attacks", "alie,ipmm"], "--attacks: unknown attack 'ipmm'"),
        (["reproduce", "robustness", "--fractions", "0.45,1.5"], "--fractions: must be numbers in (0, 1]"),
        (["reproduce", "robustness", "--worker-momentum", "1"], "--worker-momentum: is 1.0"),
        (["reproduce", "robustness", "--epochs", "0"], "--epochs: is 0"),
        (["reproduce", "robustness", "--rules", "median,krum", "--fractions", "0.25,0.45"],
         "--rules: krum assumes m ≥ 2f + 3 (Blanchard et al., 2017): with m = 20 it holds for f ≤ 8, not f = 9"),
        (["reproduce", "robustness", "--rules", "bulyan", "--fractions", "0.25"],
         "bulyan assumes m ≥ 4f + 3 (El Mhamdi et al., 2018): with m = 20 it holds for f ≤ 4, not f = 5"),
        (["reproduce", "robustness", "--rules", "median", "--fractions", "0.5"],
         "median assumes m ≥ 2f + 1, an honest majority: with m = 20 it holds for f ≤ 9, not f = 10"),
        (["reproduce", "robustness", "--rules", "nnm+bogus"], "--rules: 'nnm+bogus': the last word must be a rule"),
        (["reproduce", "robustness", "--rules", "clipping+median"], "--rules: 'clipping+median': clipping needs a value: clipping=c"),
        (["reproduce", "robustness", "--rules", "nnm+nnm+median"], "nnm is given twice"),
        (["reproduce", "robustness", "--output-dir", "/etc/passwd/grid"],
         "--output-dir /etc/passwd/grid: cannot create it: /etc/passwd is a file, not a directory"),
        (["reproduce", "table1", "--output-dir", "/etc/passwd"], "cannot create it: /etc/passwd is a file, not a directory"),
        (["reproduce", "convex", "--attack", "label-flip"], "gradient attack"),
        (["demo", "--batch-size", "0"], "--batch-size: is 0"),
    ])
    func carelessOptionsAreRefusedBeforeAnyWork(arguments: [String], expected: String) throws {
        let run = try CommandRunner.run(arguments)
        #expect(!run.crashed)
        #expect(run.status == 64, "\(arguments): exit \(run.status)")
        #expect(run.stderr.contains(expected), "\(arguments): \(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1, "\(arguments): one line, not \(run.stderr)")
        #expect(!run.stderr.contains("NSCocoaErrorDomain") && !run.stderr.contains(".tmp"))
    }

    @Test func helpTeaches() throws {
        for (command, needles) in [
            (["train", "--help"], ["--workers", "--byzantine", "--attack", "--rule", "--beta", "--partition", "--save-model",
                                   "--config", "--assumed-byzantine", "--dirichlet-alpha", "--format", "Example", "gaussian:", "brsgd:",
                                   "--worker-momentum", "--no-normalize", "--normalize"]),
            (["reproduce", "table1", "--help"], ["--seeds", "--add-rules", "--add-attacks", "resumes", "figure3.svg"]),
            (["reproduce", "robustness", "--help"], ["--heterogeneity", "--seeds", "worst", "heatmaps.svg", "resumes", "Examples"]),
            (["reproduce", "convex", "--help"], ["Theorem 1", "convex_n.svg"]),
            (["demo", "--help"], ["Krum", "20 workers"]),
            (["--help"], ["demo", "train", "reproduce", "aggregate", "bench"]),
        ] {
            let run = try CommandRunner.run(command)
            #expect(run.status == 0)
            for needle in needles { #expect(run.stdout.contains(needle), "\(command) help lacks \(needle)") }
        }
    }

    @Test func table1DryRunListsTheGrid() throws {
        let run = try CommandRunner.run(["reproduce", "table1", "--dry-run"])
        #expect(run.status == 0, "\(run.stderr)")
        let ids = run.stdout.split(separator: "\n")
        #expect(ids.count == 50)
        #expect(run.stderr.contains("50 runs"))
        let more = try CommandRunner.run(["reproduce", "table1", "--dry-run", "--seeds", "2", "--add-attacks", "alie,ipm"])
        #expect(more.stdout.split(separator: "\n").count == 2 * (2 + 6 * 4 * 3))
        let modern = try CommandRunner.run(["reproduce", "table1", "--dry-run", "--attacks", "alie,ipm", "--fractions", "0.25",
                                            "--add-rules", "trimmed-mean"])
        #expect(modern.stdout.split(separator: "\n").count == 2 + 2 * 5)
    }

    @Test(.enabled(if: fashionMNIST, "needs FashionMNIST (apt-get install dataset-fashion-mnist): the grid loads it"))
    func aGridWithAFailedRunExitsNonZeroAndTheNextCountsOnlyItsOwnRuns() throws {
        let dir = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let base = dir.appendingPathComponent("base.json")
        try Data(#"{"model": "logistic", "workers": 4, "epochs": 1, "batch_size": 2000, "test_subset": 100}"#.utf8).write(to: base)
        let common = ["reproduce", "table1", "--config", base.path, "--output-dir", dir.path, "--attacks", "gaussian",
                      "--fractions", "0.5", "--jobs", "1"]
        // Krum at m = 4, b = 2 cannot run: the grid says so and exits 1; the mean runs.
        let first = try CommandRunner.run(common + ["--rules", "krum,mean"])
        #expect(first.status == 1, "\(first.stderr)")
        #expect(first.stderr.contains("runs failed"))
        let second = try CommandRunner.run(common + ["--rules", "median"])
        #expect(second.status == 0, "\(second.stderr)")
        let csv = try String(contentsOf: dir.appendingPathComponent("table1.csv"), encoding: .utf8).split(separator: "\n")
        #expect(csv.contains { $0.hasPrefix("gaussian,median,0.5,1,") }, "\(csv)")
        #expect(!csv.contains { $0.hasPrefix("gaussian,mean,0.5,1,") }, "the second grid's tables count only its own runs")
    }

    @Test func robustnessDryRunListsTheDefaultGrid() throws {
        let run = try CommandRunner.run(["reproduce", "robustness", "--dry-run"])
        #expect(run.status == 0, "\(run.stderr)")
        let ids = run.stdout.split(separator: "\n")
        // 6 clean runs (2 heterogeneities × 3 seeds) + 8 rules × 10 attacks × 2 fractions × 2 × 3.
        #expect(ids.count == 6 + 8 * 10 * 2 * 2 * 3)
        #expect(run.stderr.contains("\(ids.count) runs"))
        #expect(ids.filter { $0.contains("-b9-") && $0.contains("-dir0.5-") }.count == 8 * 10 * 3)
        let clipping = ids.filter { $0.contains("-centered-clipping-") }
        #expect(clipping.count == 10 * 2 * 2 * 3 && clipping.allSatisfy { $0.contains("center_previous-clipping_radius1-iterations1") },
                "the authors' centered clipping, as the grid's defaults say: \(clipping.first ?? "")")
        #expect(ids.allSatisfy { $0.contains("wmom0.9") })
    }

    /// A real grid (logistic regression, one short epoch): the reports are written, and a
    /// second call resumes every run.
    @Test(.enabled(if: fashionMNIST, "needs FashionMNIST (apt-get install dataset-fashion-mnist): the grid loads it"))
    func robustnessGridWritesItsReportsAndResumes() throws {
        let dir = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let base = dir.appendingPathComponent("base.json")
        try Data(#"{"model": "logistic", "workers": 5, "epochs": 1, "batch_size": 1000, "test_subset": 200}"#.utf8).write(to: base)
        let arguments = ["reproduce", "robustness", "--config", base.path, "--output-dir", dir.path, "--rules", "median,brsgd-robust",
                         "--attacks", "ipm,sign-flip", "--fractions", "0.2", "--heterogeneity", "iid,0.5", "--seeds", "2",
                         "--jobs", "2", "--format", "json"]
        let first = try CommandRunner.run(arguments)
        #expect(first.status == 0, "\(first.stderr)")
        // 2 heterogeneities × (2 clean + 2 rules × 2 attacks × 2 seeds) = 20 runs.
        let runs = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("runs").path)
        #expect(runs.filter { $0.hasSuffix(".json") }.count == 20)
        for name in ["robustness.md", "robustness.csv", "robustness.json", "heatmaps.svg", "heatmap-median.svg",
                     "heatmap-brsgd-robust.svg", "grid.json"] {
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent(name).path), "\(name)")
        }
        let report = try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any]
        #expect((report?["cells"] as? [Any])?.count == 2 * 2, "rule × heterogeneity at one fraction")
        let csv = try String(contentsOf: dir.appendingPathComponent("robustness.csv"), encoding: .utf8)
        #expect(csv.split(separator: "\n").count == 1 + 2 + 2 * 2 * 2)
        let second = try CommandRunner.run(arguments)
        #expect(second.status == 0)
        #expect(second.stderr.contains("20 runs were already in"))
        // A larger grid over the same runs, --report-only: nothing runs, and its reports cover
        // the runs that are there (the new attack's cells are left out).
        var larger = arguments
        larger[larger.firstIndex(of: "ipm,sign-flip")!] = "ipm,sign-flip,alie"
        let third = try CommandRunner.run(larger + ["--report-only"])
        #expect(third.status == 0, "\(third.stderr)")
        #expect(third.stderr.contains("the reports of the 20 of 28 runs already in"), "\(third.stderr)")
        let after = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("runs").path)
        #expect(after.filter { $0.hasSuffix(".json") }.count == 20, "nothing was run")
        #expect(!(try String(contentsOf: dir.appendingPathComponent("robustness.csv"), encoding: .utf8)).contains(",alie,"))
    }
}
