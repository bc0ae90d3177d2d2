import BrSGDExperiments
import BrSGDRecords
import ByzantineAttacks
import Foundation
import RobustAggregation

/// Synthetic records for tests: deterministic, no training involved.
enum Fixtures {
    /// A resolved experiment (σ = 200 for gaussian, β = ½ for brsgd, f = b for the rules that take it).
    static func config(
        attack: String = "gaussian", rule: String = "brsgd", workers: Int = 20, byzantine: Int = 5,
        seed: UInt64 = 1
    ) -> Experiment {
        let experiment = Experiment(
            model: .lenet, dataset: .fashionMNIST, workers: workers, byzantine: byzantine,
            attack: byzantine == 0 ? nil : AttackConfiguration(kind: AttackKind(rawValue: attack)!),
            rule: RuleConfiguration(name: RuleName(rawValue: rule)!), learningRate: 0.03, epochs: 10, batchSize: 32,
            seed: seed)
        return try! experiment.resolved()
    }

    /// A run whose accuracy rises towards `finalAccuracy` (a fraction) over `epochs` epochs.
    static func record(_ config: Experiment, finalAccuracy: Double, epochs: Int = 10) -> RunRecord {
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

extension Fixtures {
    /// A Figure-3-like sweep: 4 attacks × 4 rules × α ∈ {10, 25, 50}% plus clean runs, two
    /// seeds each, 20 epochs. Accuracies are invented shapes (mean collapses under the
    /// omniscient attacks, median converges slowly, Krum drops at 50%), not results.
    static func figureSweep(epochs: Int = 20) -> [RunRecord] {
        var records: [RunRecord] = []
        func plateau(attack: String, rule: String, byzantine: Int) -> (final: Double, speed: Double) {
            let alpha = Double(byzantine) / 20
            switch rule {
            case "mean" where attack == "gaussian" || attack == "model-negation": return (0.10, 1)
            case "mean": return (0.86 - 0.5 * alpha * alpha, 3)
            case "median": return (0.84 - 0.3 * alpha, 1.2)
            case "krum": return (0.82 - (alpha >= 0.5 ? 0.12 : 0.02), 2.5)
            default: return (0.85 - 0.03 * alpha, 3)
            }
        }
        for rule in ["brsgd", "median", "mean", "krum"] {
            for seed: UInt64 in [1, 2] {
                let clean = config(rule: rule, byzantine: 0, seed: seed)
                records.append(curve(clean, final: 0.855, speed: 3, seed: seed, epochs: epochs))
                for attack in PaperTable1.attacks {
                    for b in [2, 5, 10] {
                        let shape = plateau(attack: attack, rule: rule, byzantine: b)
                        records.append(curve(config(attack: attack, rule: rule, byzantine: b, seed: seed),
                                             final: shape.final, speed: shape.speed, seed: seed, epochs: epochs))
                    }
                }
            }
        }
        return records
    }

    private static func curve(_ config: Experiment, final: Double, speed: Double, seed: UInt64, epochs: Int) -> RunRecord {
        var record = record(config, finalAccuracy: final, epochs: epochs)
        record.epochs = (1...epochs).map { e in
            let t = Double(e) / Double(epochs)
            let wiggle = 0.006 * sin(Double(e) * 1.7 + Double(seed))
            let accuracy = 0.1 + (final - 0.1) * (1 - exp(-speed * 4 * t)) / (1 - exp(-speed * 4)) + wiggle
            return EpochRecord(epoch: e, testAccuracy: accuracy, testLoss: 2.3 * (1 - accuracy), trainLoss: 2.3 * (1 - accuracy),
                               seconds: 2, rounds: 150)
        }
        record.finalTestAccuracy = record.epochs.last?.testAccuracy ?? 0
        return record
    }
}
