import BrSGDRecords
import ByzantineAttacks
import Foundation
import RobustAggregation
import Testing

/// The experiment of a master for any model (`model: parameters`): its JSON, its id, its
/// validation — and that a built-in model's JSON, hence its id, is what it was before.
@Suite struct BareVectorExperimentTests {
    static let bare = Experiment.bareVector(parameterCount: 44_534, rounds: 300, workers: 4, byzantine: 1,
                                            rule: RuleConfiguration(name: .krum), learningRate: 0.05, momentum: 0.9)

    static func keys(_ experiment: Experiment) throws -> Set<String> {
        let object = try JSONSerialization.jsonObject(with: try experiment.jsonData()) as? [String: Any]
        return Set(try #require(object).keys)
    }

    @Test func itsJSONHoldsDAndTAndNoDataset() throws {
        let resolved = try Self.bare.resolved()
        #expect(try Self.keys(resolved) == ["model", "parameter_count", "rounds", "workers", "byzantine", "attack", "rule",
                                             "lr", "momentum", "worker_momentum", "weight_decay", "normalize", "seed",
                                             "threads"])
        let read = try JSONDecoder().decode(Experiment.self, from: try resolved.jsonData())
        #expect(read == resolved)
        #expect(read.isBareVector && read.dimension == 44_534 && read.rounds == 300)
        #expect(resolved.rule.byzantineCount == 1, "Krum's f defaults to b, as for a built-in model")
    }

    @Test func aBuiltInModelsJSONHasTheKeysItAlwaysHad() throws {
        let experiment = try Experiment(workers: 20, byzantine: 5, attack: AttackConfiguration(kind: .gaussian)).resolved()
        // No bare-vector key; normalize and worker_momentum are the only keys added since the
        // first records, and the id leaves them out at their old values (false, 0).
        #expect(try Self.keys(experiment) == ["model", "dataset", "partition", "workers", "byzantine", "attack", "rule", "lr",
                                              "momentum", "worker_momentum", "weight_decay", "normalize", "epochs",
                                              "batch_size", "seed", "threads"])
        #expect(experiment.dimension == 61_706 && experiment.parameterCount == nil && experiment.rounds == nil)
    }

    @Test func itsIDNamesDMBRuleAndT() throws {
        let id = try Self.bare.resolved().id
        #expect(id.hasPrefix("parameters-d44534-m4-b1-krum-assumed_byzantine1-t300-seed1-"), "\(id)")
        var other = try Self.bare.resolved()
        other.learningRate = 0.1
        #expect(other.id != id, "every field is in the hash")
    }

    @Test(arguments: [
        (#"{"model": "parameters", "parameter_count": 10, "rounds": 5, "dataset": "mnist"}"#, "dataset"),
        (#"{"model": "parameters", "parameter_count": 10, "rounds": 5, "epochs": 2}"#, "epochs"),
        (#"{"model": "parameters", "parameter_count": 10, "rounds": 5, "batch_size": 2}"#, "batch_size"),
        (#"{"model": "logistic", "parameter_count": 7850}"#, "parameter_count"),
    ])
    func aKeyOfTheOtherKindOfModelIsRefused(json: String, key: String) throws {
        do {
            _ = try JSONDecoder().decode(Experiment.self, from: Data(json.utf8))
            Issue.record("\(json) was read")
        } catch let error as DecodingError {
            guard case .dataCorrupted(let context) = error else { Issue.record("\(error)"); return }
            #expect(context.debugDescription.contains("'\(key)'"), "\(context.debugDescription)")
        }
    }

    static let invalid: [(String, @Sendable (inout Experiment) -> Void, Experiment.Field)] = [
        ("no d", { $0.parameterCount = nil }, .parameterCount),
        ("d 0", { $0.parameterCount = 0 }, .parameterCount),
        ("d too large", { $0.parameterCount = Experiment.maximumParameterCount + 1 }, .parameterCount),
        ("no T", { $0.rounds = nil }, .rounds),
        ("T 0", { $0.rounds = 0 }, .rounds),
        ("no workers", { $0.workers = 0 }, .workers),
        ("b > m", { $0.byzantine = 5 }, .byzantine),
        ("an attack", { $0.attack = AttackConfiguration(kind: .gaussian) }, .attack),
        ("η 0", { $0.learningRate = 0 }, .learningRate),
        ("momentum 1", { $0.momentum = 1 }, .momentum),
        ("Krum with m − f − 2 < 1", { $0.rule.byzantineCount = 3 }, .rule),
    ]

    @Test(arguments: invalid.indices)
    func eachBadFieldIsNamed(index: Int) throws {
        let (what, change, field) = Self.invalid[index]
        var experiment = try Self.bare.resolved()
        change(&experiment)
        #expect(throws: ExperimentError.self, "\(what)") { try experiment.validated() }
        do {
            _ = try experiment.validated()
        } catch {
            #expect(error.field == field, "\(what): \(error)")
        }
    }

    /// A built-in model may count its run in rounds (``Experiment/rounds``), but has no d.
    @Test func aBuiltInModelWithDIsRefused() {
        var experiment = Experiment()
        experiment.rounds = 0
        #expect { try experiment.validated() } throws: { ($0 as? ExperimentError)?.field == .rounds }
        experiment.rounds = nil
        experiment.parameterCount = 10
        #expect { try experiment.validated() } throws: { ($0 as? ExperimentError)?.field == .parameterCount }
    }

    @Test func theCommandLineNamesDAsParameters() {
        #expect(Experiment.Field.parameterCount.option == "--parameters")
        #expect(Experiment.Field.rounds.option == "--rounds")
    }
}
