@testable import BrSGDRecords
import ByzantineAttacks
import Foundation
import RobustAggregation
import Testing

/// The fields ByzFL's protocol needs: the gamma partition, a run counted in rounds, and
/// evaluations during training (and the record's peak accuracy).
@Suite struct ByzFLFieldsTests {
    static let base = Experiment(model: .byzflCNN, dataset: .mnist, partition: .gammaSimilarity(gamma: 0.33), workers: 14,
                                 byzantine: 4, attack: AttackConfiguration(kind: .signFlip),
                                 rule: RuleConfiguration(name: .trimmedMean, nearestNeighborMixing: true, clippingThreshold: 2),
                                 learningRate: 0.1, weightDecay: 1e-4, batchSize: 25, workerMomentum: 0.9,
                                 rounds: 800, evaluateEvery: 50)

    @Test func jsonRoundTripsTheNewFields() throws {
        let experiment = try Self.base.resolved()
        let text = String(decoding: try experiment.jsonData(), as: UTF8.self)
        for key in [#""partition" : "gamma""#, #""gamma" : 0.33"#, #""rounds" : 800"#, #""evaluate_every" : 50"#,
                    #""model" : "byzfl-cnn""#] {
            #expect(text.contains(key), "\(key) in \(text)")
        }
        #expect(!text.contains("\"epochs\""), "a run in rounds writes no epochs")
        let decoded = try JSONDecoder().decode(Experiment.self, from: experiment.jsonData())
        #expect(decoded == experiment)
        #expect(decoded.id == experiment.id)
        #expect(experiment.id.hasPrefix("byzfl-cnn-mnist-m14-b4-sign-flip-scale1-trimmed-mean-"), "\(experiment.id)")
        #expect(experiment.id.contains("-gamma0.33-t800-seed1-"), "\(experiment.id)")
        _ = try experiment.validated()
    }

    @Test func withoutTheNewFieldsTheJSONHasNoneOfThem() throws {
        let plain = try Experiment(workers: 4, seed: 3).resolved()
        for key in ["gamma", "rounds", "evaluate_every"] {
            #expect(!plain.canonicalText.contains("\"\(key)\""), "\(key)")
        }
        #expect(plain.canonicalText.contains("\"epochs\""))
    }

    @Test func eachNewFieldChangesTheId() throws {
        let id = try Self.base.resolved().id
        var other = Self.base
        other.partition = .gammaSimilarity(gamma: 0.66)
        #expect(try other.resolved().id != id)
        other = Self.base
        other.rounds = 400
        #expect(try other.resolved().id != id)
        other = Self.base
        other.evaluateEvery = 25
        #expect(try other.resolved().id != id)
    }

    @Test(arguments: [
        #"{"partition": "gamma"}"#,                                  // needs its γ
        #"{"partition": "iid", "gamma": 0.5}"#,                      // γ without gamma
        #"{"partition": "dirichlet", "dirichlet_alpha": 1, "gamma": 0.5}"#,
        #"{"partition": "gamma", "gamma": 0.5, "dirichlet_alpha": 1}"#,
        #"{"rounds": 800, "epochs": 3}"#,                            // the length one way only
        #"{"model": "parameters", "parameter_count": 10, "rounds": 5, "evaluate_every": 2}"#,
    ])
    func badFilesAreRefused(json: String) {
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Experiment.self, from: Data(json.utf8)) }
    }

    static let invalid: [(String, @Sendable (inout Experiment) -> Void, Experiment.Field)] = [
        ("γ < 0", { $0.partition = .gammaSimilarity(gamma: -0.1) }, .gamma),
        ("γ > 1", { $0.partition = .gammaSimilarity(gamma: 1.5) }, .gamma),
        ("γ NaN", { $0.partition = .gammaSimilarity(gamma: .nan) }, .gamma),
        ("gamma without an honest worker", { $0.byzantine = 14 }, .byzantine),
        ("rounds 0", { $0.rounds = 0 }, .rounds),
        ("evaluate every 0", { $0.evaluateEvery = 0 }, .evaluateEvery),
    ]

    @Test(arguments: 0 ..< invalid.count)
    func aBadFieldIsNamed(index: Int) {
        let (label, change, field) = Self.invalid[index]
        var experiment = Self.base
        change(&experiment)
        #expect { try experiment.validated() } throws: { ($0 as? ExperimentError)?.field == field }
        let error = try? #require(throws: ExperimentError.self, "\(label)") { try experiment.validated() }
        #expect(error?.commandLineDescription.hasPrefix(field.option) == true, "\(label): \(String(describing: error))")
    }

    @Test func aBareVectorDoesNotEvaluate() {
        var bare = Experiment.bareVector(parameterCount: 10, rounds: 5, workers: 2)
        bare.evaluateEvery = 2
        #expect { try bare.validated() } throws: { ($0 as? ExperimentError)?.field == .evaluateEvery }
    }

    @Test func totalRoundsAndLength() {
        var experiment = Experiment(workers: 10, epochs: 3, batchSize: 25)
        #expect(experiment.totalRounds(trainingCount: 60_000) == 3 * 240)
        #expect(experiment.lengthDescription == "3 epochs")
        experiment.rounds = 800
        #expect(experiment.totalRounds(trainingCount: 60_000) == 800)
        #expect(experiment.lengthDescription == "800 rounds")
    }

    static func record(epochs: [Double], evaluations: [EvaluationRecord]?) -> RunRecord {
        RunRecord(config: Experiment(), epochs: epochs.enumerated().map {
                      EpochRecord(epoch: $0.offset + 1, testAccuracy: $0.element, testLoss: 1, trainLoss: 1, seconds: 1, rounds: 10)
                  },
                  totalSeconds: 1, aggregationTiming: TimingSummary(milliseconds: [1]),
                  byzantineSelection: ByzantineSelection(rounds: 10, workers: []),
                  startedAt: "2026-01-01T00:00:00Z", finishedAt: "2026-01-01T00:00:01Z", brsgdVersion: "test",
                  evaluations: evaluations)
    }

    @Test func thePeakIsTheBestOfTheEpochsAndTheEvaluations() throws {
        let evaluations = [EvaluationRecord(round: 0, testAccuracy: 0.1, testLoss: 2.3),
                           EvaluationRecord(round: 5, testAccuracy: 0.9, testLoss: 0.4),
                           EvaluationRecord(round: 10, testAccuracy: 0.6, testLoss: 0.9)]
        let record = Self.record(epochs: [0.6, 0.7], evaluations: evaluations)
        #expect(record.peakTestAccuracy == 0.9)
        #expect(record.finalTestAccuracy == 0.7)
        #expect(Self.record(epochs: [0.6, 0.7], evaluations: nil).peakTestAccuracy == 0.7)
        #expect(Self.record(epochs: [], evaluations: nil).peakTestAccuracy.isNaN)
        // JSON: the evaluations round-trip; without them the key is absent, and an older
        // record (no key) reads with none.
        let data = try record.jsonData()
        #expect(try RunRecord.decoder.decode(RunRecord.self, from: data) == record)
        let plain = Self.record(epochs: [0.5], evaluations: nil)
        let plainText = String(decoding: try plain.jsonData(), as: UTF8.self)
        #expect(!plainText.contains("evaluations"))
        #expect(try RunRecord.decoder.decode(RunRecord.self, from: Data(plainText.utf8)).evaluations == nil)
        #expect(String(decoding: data, as: UTF8.self).contains(#""test_accuracy" : 0.9"#))
    }
}
