import Foundation
import Testing

/// `brsgd train`, `reproduce` and `demo`: help that teaches, and bad options refused before any work.
@Suite struct TrainAndReproduceCommandTests {
    @Test(arguments: [
        (["train", "--workers", "20", "--byzantine", "5"], "need an --attack"),
        (["train", "--workers", "4", "--byzantine", "5", "--attack", "gaussian"], "--byzantine must lie in 0...4"),
        (["train", "--byzantine", "1", "--byzantine-fraction", "0.2", "--workers", "10", "--attack", "gaussian"], "not both"),
        (["train", "--attack", "gauss"], "unknown --attack 'gauss'"),
        (["train", "--rule", "krum"], "m' − f' − 2 ≥ 1"),
        (["train", "--model", "resnet"], "unknown model 'resnet'"),
        (["train", "--partition", "dirichlet"], "--alpha"),
        (["train", "--lr", "-1"], "--lr"),
        (["train", "--beta", "0"], "β"),
        (["train", "--workers", "20", "--byzantine", "12", "--attack", "alie"], "f"),
        (["reproduce", "table1", "--epochs", "0"], "≥ 1"),
        (["reproduce", "convex", "--attack", "label-flip"], "gradient attack"),
    ])
    func badOptionsAreRefused(arguments: [String], expected: String) throws {
        let run = try CommandRunner.run(arguments)
        #expect(!run.crashed)
        #expect(run.status != 0, "\(arguments)")
        #expect(run.stderr.contains(expected), "\(arguments): \(run.stderr)")
    }

    @Test func helpTeaches() throws {
        for (command, needles) in [
            (["train", "--help"], ["--workers", "--byzantine", "--attack", "--rule", "--beta", "--partition", "--save-model",
                                   "Example", "gaussian:", "brsgd:"]),
            (["reproduce", "table1", "--help"], ["--seeds", "--add-rules", "--add-attacks", "resumes", "figure3.svg"]),
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
}
