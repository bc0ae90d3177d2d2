import BrSGDExperiments
import BrSGDRecords
import Foundation
import Testing

/// Every table states what its runs were made with, says when its records mix settings,
/// and compares with the paper only runs of the paper's length.
@Suite struct RunSettingsTests {
    static func records(epochs: [Int], testSubset: Int? = nil) -> [RunRecord] {
        epochs.enumerated().map { index, epochs in
            var config = Fixtures.config(seed: UInt64(index + 1))
            config.epochs = epochs
            config.testSubset = testSubset
            return Fixtures.record(config, finalAccuracy: 0.5, epochs: 2)
        }
    }

    @Test func aTableStatesItsSettings() throws {
        let report = Table1Report(records: Self.records(epochs: [3, 3], testSubset: 500))
        let markdown = report.markdown()
        #expect(markdown.contains("Settings: lenet on fashion-mnist, m = 20, 3 epochs, batch 32 per worker, η = 0.03, momentum 0, "
                                  + "worker momentum 0, evaluated on a seeded subset of 500 test examples."), "\(markdown)")
        #expect(!markdown.contains("mix settings"))
        let json = try JSONSerialization.jsonObject(with: try report.jsonData()) as? [String: Any]
        let settings = try #require(json?["settings"] as? [String: Any])
        #expect(settings["epochs"] as? [Int] == [3])
        #expect(settings["test_subsets"] as? [Int] == [500])
        let robustness = RobustnessReport(records: Self.records(epochs: [1])).markdown()
        #expect(robustness.contains("1 epoch, batch 32 per worker") && robustness.contains("the whole test set"), "\(robustness)")
    }

    @Test func recordsOfDifferentExperimentsAreSaidToMix() {
        let markdown = Table1Report(records: Self.records(epochs: [1, 3])).markdown()
        #expect(markdown.contains("1 or 3 epochs"), "\(markdown)")
        #expect(markdown.contains("These records mix settings"))
    }

    @Test func runsShorterThanThePapersAreNotHeldAgainstIt() {
        let short = Table1Report(records: Self.records(epochs: [1])).differenceMarkdown()
        #expect(short == "No cell is compared with the paper: these runs trained 1 epoch, the paper's 10. "
                + "Run the grid with --epochs 10 to compare.\n")
        let full = Table1Report(records: Self.records(epochs: [10])).differenceMarkdown()
        #expect(full.hasPrefix("Cells more than 5 points from the paper: 1."), "\(full)")
    }
}
