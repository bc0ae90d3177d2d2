import BrSGDExperiments
import Foundation

/// Synthetic records for tests: deterministic, no training involved.
enum Fixtures {
    static func config(
        attack: String = "gaussian", rule: String = "brsgd", workers: Int = 20, byzantine: Int = 5,
        seed: UInt64 = 1, ruleParameters: [String: Double] = ["beta": 0.5]
    ) -> ExperimentConfig {
        ExperimentConfig(
            dataset: "fashion-mnist", model: "lenet", workers: workers, byzantineCount: byzantine,
            attack: byzantine == 0 ? "none" : attack, attackParameters: attack == "gaussian" ? ["sigma": 200] : [:],
            rule: rule, ruleParameters: ruleParameters, epochs: 10, batchSize: 32, learningRate: 0.03, seed: seed)
    }

    /// A run whose accuracy rises towards `finalAccuracy` (a fraction) over `epochs` epochs.
    static func record(_ config: ExperimentConfig, finalAccuracy: Double, epochs: Int = 10) -> RunRecord {
        let epochRecords = (1...epochs).map { e in
            let progress = 1 - exp(-3 * Double(e) / Double(epochs))
            let scale = 1 - exp(-3.0)
            return EpochRecord(
                epoch: e, testAccuracy: finalAccuracy * progress / scale, testLoss: 2 - progress,
                trainLoss: 2.1 - progress, seconds: 1.5, rounds: 94)
        }
        return RunRecord(
            config: config, epochs: epochRecords, totalSeconds: 15.25,
            aggregationTiming: TimingSummary(milliseconds: [1, 2, 3, 4, 10], keepingAll: true),
            byzantineSelection: ByzantineSelection(rounds: 940, selectedRounds: [0: 3, 1: 0]),
            rejectedRowsCount: 2, startedAt: "2026-11-26T20:00:00Z", finishedAt: "2026-11-26T20:00:15Z",
            brsgdVersion: "0.1.0-test", host: HostInfo(cores: 8, operatingSystem: "Linux"))
    }
}
