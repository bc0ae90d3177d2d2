import BrSGDExperiments
import BrSGDRecords
import Foundation
import Testing

@Suite struct RecordTests {
    @Test func runRecordRoundTripsThroughJSONWithSnakeCaseKeys() throws {
        let record = Fixtures.record(Fixtures.config(), finalAccuracy: 0.84)
        let data = try record.jsonData()
        let decoded = try JSONDecoder().decode(RunRecord.self, from: data)
        #expect(decoded == record)

        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        for key in ["config", "epochs", "final_test_accuracy", "total_seconds", "aggregation_timing",
                    "byzantine_selection", "rejected_rows_count", "rounds", "skipped_rounds", "missing_rows_count",
                    "evaluated", "started_at", "finished_at", "brsgd_version", "host"] {
            #expect(object[key] != nil, "missing top-level key \(key)")
        }
        let config = try #require(object["config"] as? [String: Any])
        for key in ["dataset", "model", "workers", "byzantine", "attack", "rule", "partition", "epochs",
                    "batch_size", "lr", "momentum", "weight_decay", "seed", "threads"] {
            #expect(config[key] != nil, "missing config key \(key)")
        }
        #expect((config["attack"] as? [String: Any])?["sigma"] as? Double == 200, "defaults resolved")
        #expect((config["rule"] as? [String: Any])?["beta"] as? Double == 0.5)
        let epoch = try #require((object["epochs"] as? [[String: Any]])?.first)
        #expect(Set(epoch.keys) == ["epoch", "test_accuracy", "test_loss", "train_loss", "seconds", "rounds"])
        let timing = try #require(object["aggregation_timing"] as? [String: Any])
        #expect(Set(timing.keys) == ["count", "mean_ms", "median_ms", "p95_ms", "max_ms", "all_ms"])
        let selection = try #require(object["byzantine_selection"] as? [String: Any])
        #expect(selection["rounds"] as? Int == 940)
        let workers = try #require(selection["workers"] as? [[String: Any]])
        #expect(workers.first?["selected_rounds"] as? Int == 3)
        // No camelCase key anywhere in the file.
        let text = String(decoding: data, as: UTF8.self)
        #expect(!text.contains("Accuracy") && !text.contains("byzantineCount") && !text.contains("Rows"))
    }

    @Test func optionalFieldsRoundTrip() throws {
        var config = Fixtures.config()
        config.partition = .dirichlet(alpha: 0.3)
        config.testSubset = 1000
        let record = Fixtures.record(config, finalAccuracy: 0.5)
        #expect(try JSONDecoder().decode(RunRecord.self, from: record.jsonData()) == record)
    }

    @Test func writeThenReadGivesTheSameRecordAndLeavesNoTemporaryFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("brsgd-records-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let record = Fixtures.record(Fixtures.config(), finalAccuracy: 0.8)
        let url = directory.appendingPathComponent(record.fileName)
        try record.write(to: url)
        try record.write(to: url)  // overwrite in place
        #expect(try RunRecord.read(from: url) == record)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == [record.fileName])
        #expect(try RunRecord.readAll(in: directory) == [record])
    }

    @Test func readingABadFileNamesTheFile() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString).json")
        try Data(#"{"config": 3}"#.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let error = try #require(throws: ExperimentFileError.self) { try RunRecord.read(from: url) }
        #expect(error.code == .decodingFailed)
        #expect(error.description.contains(url.lastPathComponent))

        let missing = url.deletingLastPathComponent().appendingPathComponent("missing-\(UUID().uuidString).json")
        let readError = try #require(throws: ExperimentFileError.self) { try RunRecord.read(from: missing) }
        #expect(readError.code == .readFailed)
        #expect(readError.description.contains(missing.lastPathComponent))
    }

    @Test func timingSummaryStatistics() {
        let summary = TimingSummary(milliseconds: (1...20).map(Double.init).reversed())
        #expect(summary.count == 20)
        #expect(summary.mean == 10.5)
        #expect(summary.median == 10.5)
        #expect(summary.p95 == 19)
        #expect(summary.max == 20)
        #expect(summary.all == nil)
        #expect(TimingSummary(milliseconds: []).count == 0)
        #expect(TimingSummary(milliseconds: [3, 1, 2]).median == 2)
    }

    @Test func byzantineFractionAndSelectionRate() {
        #expect(Fixtures.config(byzantine: 5).byzantineFraction == 0.25)
        #expect(Fixtures.config(byzantine: 0).byzantineFraction == 0)
        let selection = ByzantineSelection(rounds: 10, selectedRounds: [4: 5, 2: 0])
        #expect(selection.workers.map(\.worker) == [2, 4])
        #expect(selection.selectionRate == 0.25)
    }
}

@Suite struct RecordEdgeCaseTests {
    @Test func divergedRunWithNonFiniteLossesIsWrittenAndReadBack() throws {
        var record = Fixtures.record(Fixtures.config(rule: "mean"), finalAccuracy: 0.1)
        record.epochs[0].testLoss = .nan
        record.epochs[1].trainLoss = .infinity
        record.epochs[2].testLoss = -.infinity
        let data = try record.jsonData()
        #expect(String(decoding: data, as: UTF8.self).contains(#""test_loss" : "NaN""#))
        let decoded = try RunRecord.decode(from: data)
        #expect(decoded.epochs[0].testLoss.isNaN)
        #expect(decoded.epochs[1].trainLoss == .infinity)
        #expect(decoded.epochs[2].testLoss == -.infinity)
        #expect(decoded.epochs[3...] == record.epochs[3...])
    }

    @Test func largeSeedsSurviveJSON() throws {
        let record = Fixtures.record(Fixtures.config(seed: .max), finalAccuracy: 0.5)
        #expect(try RunRecord.decode(from: record.jsonData()).config.seed == .max)
    }

    @Test func timestampIsISO8601InUTC() {
        #expect(RunRecord.timestamp(Date(timeIntervalSince1970: 1_795_000_000)) == "2026-11-18T11:06:40Z")
    }

    @Test func finalAccuracyDefaultsToTheLastEpoch() {
        let record = Fixtures.record(Fixtures.config(), finalAccuracy: 0.8)
        #expect(record.finalTestAccuracy == record.epochs.last?.testAccuracy)
    }
}
