import ByzantineAttacks
import Datasets
import Foundation
import RobustAggregation

/// Any key, for reading the keys a JSON object actually holds.
struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension Experiment.Field: CodingKey {}

extension Experiment: Codable {
    /// The JSON keys are the fields' names (``Field``): one list for files, errors and options.
    typealias CodingKeys = Field

    /// The keys of a built-in model's experiment that a bare vector (``ModelName/parameters``)
    /// has no use for: reading one beside `"model": "parameters"` is an error, not ignored.
    static let builtInModelKeys: [CodingKeys] = [.dataset, .dataDirectory, .partition, .dirichletAlpha, .gamma, .epochs,
                                                 .batchSize, .testSubset, .evaluateEvery]

    /// Reads an experiment file or the `config` of a run record. Absent fields take the
    /// defaults of ``init(model:dataset:dataDirectory:partition:workers:byzantine:attack:rule:learningRate:momentum:weightDecay:epochs:batchSize:seed:testSubset:threads:workerMomentum:normalize:)``,
    /// but an absent `normalize` reads as false: records written before the field existed
    /// trained on raw pixels, and a replay must do the same. An unknown key is an error (a typo must not be ignored). Records written before
    /// the typed experiment (with `byzantine_count`, `rule_parameters`, …) are read too.
    public init(from decoder: any Decoder) throws {
        let keys = try decoder.container(keyedBy: AnyCodingKey.self).allKeys.map(\.stringValue)
        if keys.contains("byzantine_count") {
            self = try LegacyExperimentConfig(from: decoder).experiment
            return
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        for key in keys where CodingKeys(rawValue: key) == nil {
            throw DecodingError.dataCorruptedError(
                forKey: CodingKeys.model, in: c,
                debugDescription: "unknown key '\(key)'; an experiment has \(CodingKeys.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let defaults = Experiment()
        model = try c.decodeIfPresent(ModelName.self, forKey: .model) ?? defaults.model
        parameterCount = try c.decodeIfPresent(Int.self, forKey: .parameterCount)
        rounds = try c.decodeIfPresent(Int.self, forKey: .rounds)
        if model == .parameters {
            for key in Self.builtInModelKeys where keys.contains(key.rawValue) {
                throw DecodingError.dataCorruptedError(
                    forKey: key, in: c,
                    debugDescription: "'\(key.rawValue)' applies to a built-in model; the parameters model is a vector the workers define (parameter_count, rounds)")
            }
        } else {
            if keys.contains(CodingKeys.parameterCount.rawValue) {
                throw DecodingError.dataCorruptedError(
                    forKey: .parameterCount, in: c,
                    debugDescription: "'parameter_count' applies to the parameters model only; \(model.rawValue)'s follows from the model")
            }
            if rounds != nil && keys.contains(CodingKeys.epochs.rawValue) {
                throw DecodingError.dataCorruptedError(
                    forKey: .rounds, in: c, debugDescription: "give the run's length as epochs or as rounds, not both")
            }
        }
        dataset = try c.decodeIfPresent(DatasetName.self, forKey: .dataset) ?? defaults.dataset
        dataDirectory = try c.decodeIfPresent(String.self, forKey: .dataDirectory)
        let partitionName = try c.decodeIfPresent(String.self, forKey: .partition) ?? "iid"
        let alpha = try c.decodeIfPresent(Double.self, forKey: .dirichletAlpha)
        let gamma = try c.decodeIfPresent(Double.self, forKey: .gamma)
        if alpha != nil && partitionName != "dirichlet" {
            throw DecodingError.dataCorruptedError(forKey: .dirichletAlpha, in: c,
                                                   debugDescription: "dirichlet_alpha applies to the dirichlet partition only")
        }
        if gamma != nil && partitionName != "gamma" {
            throw DecodingError.dataCorruptedError(forKey: .gamma, in: c,
                                                   debugDescription: "gamma applies to the gamma partition only")
        }
        switch partitionName {
        case "iid":
            partition = .iid
        case "dirichlet":
            guard let alpha else {
                throw DecodingError.dataCorruptedError(forKey: .dirichletAlpha, in: c,
                                                       debugDescription: "the dirichlet partition needs dirichlet_alpha")
            }
            partition = .dirichlet(alpha: alpha)
        case "gamma":
            guard let gamma else {
                throw DecodingError.dataCorruptedError(forKey: .gamma, in: c,
                                                       debugDescription: "the gamma partition needs gamma, in [0, 1]")
            }
            partition = .gammaSimilarity(gamma: gamma)
        default:
            throw DecodingError.dataCorruptedError(forKey: .partition, in: c,
                                                   debugDescription: "partition must be iid, dirichlet or gamma, got '\(partitionName)'")
        }
        workers = try c.decodeIfPresent(Int.self, forKey: .workers) ?? defaults.workers
        byzantine = try c.decodeIfPresent(Int.self, forKey: .byzantine) ?? defaults.byzantine
        attack = try c.decodeIfPresent(AttackConfiguration.self, forKey: .attack)
        rule = try c.decodeIfPresent(RuleConfiguration.self, forKey: .rule) ?? defaults.rule
        learningRate = try c.decodeIfPresent(Double.self, forKey: .learningRate) ?? defaults.learningRate
        momentum = try c.decodeIfPresent(Double.self, forKey: .momentum) ?? defaults.momentum
        workerMomentum = try c.decodeIfPresent(Double.self, forKey: .workerMomentum) ?? defaults.workerMomentum
        normalize = try c.decodeIfPresent(Bool.self, forKey: .normalize) ?? false
        weightDecay = try c.decodeIfPresent(Double.self, forKey: .weightDecay) ?? defaults.weightDecay
        epochs = try c.decodeIfPresent(Int.self, forKey: .epochs) ?? defaults.epochs
        batchSize = try c.decodeIfPresent(Int.self, forKey: .batchSize) ?? defaults.batchSize
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? defaults.seed
        testSubset = try c.decodeIfPresent(Int.self, forKey: .testSubset)
        evaluateEvery = try c.decodeIfPresent(Int.self, forKey: .evaluateEvery)
        threads = try c.decodeIfPresent(Int.self, forKey: .threads) ?? defaults.threads
    }

    /// Writes every field (the attack as `null` without Byzantine workers). For the
    /// identity hash (``id``) `normalize` and `worker_momentum` are left out at the values
    /// every run had before they existed (false, 0), so older runs keep their ids. A bare
    /// vector writes `parameter_count` and `rounds` instead of the dataset, partition, epochs,
    /// batch size and test subset. A built-in model never writes `parameter_count`; it writes
    /// `rounds` instead of `epochs` when it has them, `gamma` only for the gamma partition and
    /// `evaluate_every` only when set, so the JSON (and so the ``id``) of a run without them
    /// is what it was before they existed.
    public func encode(to encoder: any Encoder) throws {
        let isIdentity = encoder.userInfo[Self.identityKey] as? Bool == true
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(model, forKey: .model)
        if isBareVector {
            try c.encodeIfPresent(parameterCount, forKey: .parameterCount)
            try c.encodeIfPresent(rounds, forKey: .rounds)
        } else {
            try c.encode(dataset, forKey: .dataset)
            try c.encodeIfPresent(dataDirectory, forKey: .dataDirectory)
            try c.encode(partition.name, forKey: .partition)
            try c.encodeIfPresent(partition.dirichletAlpha, forKey: .dirichletAlpha)
            try c.encodeIfPresent(partition.gamma, forKey: .gamma)
        }
        try c.encode(workers, forKey: .workers)
        try c.encode(byzantine, forKey: .byzantine)
        if let attack { try c.encode(attack, forKey: .attack) } else { try c.encodeNil(forKey: .attack) }
        try c.encode(rule, forKey: .rule)
        try c.encode(learningRate, forKey: .learningRate)
        try c.encode(momentum, forKey: .momentum)
        if !isIdentity || workerMomentum != 0 { try c.encode(workerMomentum, forKey: .workerMomentum) }
        try c.encode(weightDecay, forKey: .weightDecay)
        if !isIdentity || normalize { try c.encode(normalize, forKey: .normalize) }
        if !isBareVector {
            if let rounds { try c.encode(rounds, forKey: .rounds) } else { try c.encode(epochs, forKey: .epochs) }
            try c.encode(batchSize, forKey: .batchSize)
            try c.encodeIfPresent(testSubset, forKey: .testSubset)
            try c.encodeIfPresent(evaluateEvery, forKey: .evaluateEvery)
            // A built-in model that (invalidly) holds one writes it, for validation to name.
            try c.encodeIfPresent(parameterCount, forKey: .parameterCount)
        }
        try c.encode(seed, forKey: .seed)
        try c.encode(threads, forKey: .threads)
    }
}

extension Experiment {
    /// Set (to true) in an encoder's `userInfo` to encode the experiment for its identity hash.
    static let identityKey = CodingUserInfoKey(rawValue: "brsgd.experiment.identity")!
}

/// The experiment as records before the typed experiment stored it: names as strings and
/// parameters as a `[String: Double]` (read only, so old result directories still load).
struct LegacyExperimentConfig: Decodable {
    var dataset: String
    var model: String
    var workers: Int
    var byzantineCount: Int
    var attack: String
    var attackParameters: [String: Double]
    var rule: String
    var ruleParameters: [String: Double]
    var partition: String
    var dirichletAlpha: Double?
    var epochs: Int
    var batchSize: Int
    var learningRate: Double
    var momentum: Double
    var weightDecay: Double
    var seed: UInt64
    var testSubsetSize: Int?

    enum CodingKeys: String, CodingKey {
        case dataset, model, workers, attack, rule, partition, epochs, momentum, seed
        case byzantineCount = "byzantine_count"
        case attackParameters = "attack_parameters"
        case ruleParameters = "rule_parameters"
        case dirichletAlpha = "dirichlet_alpha"
        case batchSize = "batch_size"
        case learningRate = "learning_rate"
        case weightDecay = "weight_decay"
        case testSubsetSize = "test_subset_size"
    }

    var experiment: Experiment {
        get throws {
            func corrupt(_ what: String) -> DecodingError {
                DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: what))
            }
            guard let modelName = ModelName(rawValue: model) else { throw corrupt("unknown model '\(model)'") }
            guard let datasetName = DatasetName(rawValue: dataset) else { throw corrupt("unknown dataset '\(dataset)'") }
            guard let ruleName = RuleName(rawValue: rule) else { throw corrupt("unknown rule '\(rule)'") }
            let p = ruleParameters
            let nnm = (p["nnm"] ?? 0) != 0
            let f = p["f"].map { Int($0) } ?? byzantineCount
            let ruleConfiguration = RuleConfiguration(
                name: ruleName, byzantineCount: ruleName.takesByzantineCount || nnm ? f : nil,
                selectionFraction: p["beta"], threshold: p["threshold"], selectionCount: p["q"].map { Int($0) },
                smoothing: p["nu"], iterations: p["iterations"].map { Int($0) }, radius: p["tau"],
                nearestNeighborMixing: nnm)
            var attackConfiguration: AttackConfiguration?
            if attack != "none" && byzantineCount > 0 {
                guard let kind = AttackKind(rawValue: attack) else { throw corrupt("unknown attack '\(attack)'") }
                let a = attackParameters
                attackConfiguration = AttackConfiguration(
                    kind: kind, standardDeviation: a["sigma"], scale: a["scale"], z: a["z"], epsilon: a["epsilon"],
                    target: a["target"].map { Int($0) })
            }
            return Experiment(
                model: modelName, dataset: datasetName,
                partition: partition == "dirichlet" ? .dirichlet(alpha: dirichletAlpha ?? 1) : .iid,
                workers: workers, byzantine: byzantineCount, attack: attackConfiguration, rule: ruleConfiguration,
                learningRate: learningRate, momentum: momentum, weightDecay: weightDecay, epochs: epochs,
                batchSize: batchSize, seed: seed, testSubset: testSubsetSize, threads: 1, normalize: false)
        }
    }
}

extension Experiment {
    /// The experiment as pretty JSON with sorted keys (what `docs/experiment-example.json` shows).
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// Reads an experiment from `url`: an experiment file, or a run record (its `config`).
    /// - Throws: ``ExperimentError`` (`unreadable`) naming the file and, for bad JSON, the key.
    public static func read(from url: URL) throws(ExperimentError) -> Experiment {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ExperimentError(.unreadable, "cannot read \(url.path): \(describeFileError(error))")
        }
        struct RecordShape: Decodable { var config: Experiment }
        let decoder = RunRecord.decoder
        do {
            let keys = try decoder.decode([String: AnyDecodable].self, from: data).keys
            // A run record holds the experiment under `config`; an experiment has no such key.
            if keys.contains("config") {
                return try decoder.decode(RecordShape.self, from: data).config
            }
            return try decoder.decode(Experiment.self, from: data)
        } catch let error as DecodingError {
            throw ExperimentError(.unreadable, "\(url.path) is not a valid experiment or run record: \(describe(error))")
        } catch {
            throw ExperimentError(.unreadable, "\(url.path) is not a valid experiment or run record: \(error)")
        }
    }
}

/// Decodes any JSON value (to look at an object's keys without knowing their types).
struct AnyDecodable: Decodable {
    init(from decoder: any Decoder) throws {}
}

/// A decoding error as one sentence naming the key path.
func describe(_ error: DecodingError) -> String {
    func path(_ context: DecodingError.Context) -> String {
        let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
        return keys.isEmpty ? "top level" : keys.joined(separator: ".")
    }
    switch error {
    case .keyNotFound(let key, let context):
        return "missing key '\(key.stringValue)' at \(path(context))"
    case .typeMismatch(let type, let context):
        return "wrong type at \(path(context)): expected \(type)"
    case .valueNotFound(let type, let context):
        return "missing value at \(path(context)): expected \(type)"
    case .dataCorrupted(let context):
        let underlying = (context.underlyingError as NSError?).map { " (\($0.localizedDescription))" } ?? ""
        return "\(context.debugDescription) at \(path(context))\(underlying)"
    @unknown default:
        return "\(error)"
    }
}

/// A file-system error without Foundation's domain and code: "No such file or directory".
public func describeFileError(_ error: any Error) -> String {
    let ns = error as NSError
    if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain,
       let message = strerrorMessage(Int32(underlying.code)) {
        return message
    }
    if ns.domain == NSPOSIXErrorDomain, let message = strerrorMessage(Int32(ns.code)) { return message }
    switch ns.code {
    case NSFileNoSuchFileError, NSFileReadNoSuchFileError: return "no such file or directory"
    case NSFileReadNoPermissionError, NSFileWriteNoPermissionError: return "permission denied"
    case NSFileWriteOutOfSpaceError: return "no space left on the device"
    case NSFileReadCorruptFileError: return "the file is corrupt"
    default: return ns.localizedDescription
    }
}

/// Why creating the directory `path` failed: the first of its ancestors that exists but is not
/// a directory, when there is one (Foundation reports that case as a bare "error 512"), else
/// what ``describeFileError(_:)`` says.
public func describeDirectoryCreationError(_ error: any Error, creating path: String) -> String {
    var prefix = URL(fileURLWithPath: path).standardizedFileURL
    while prefix.pathComponents.count > 1 {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: prefix.path, isDirectory: &isDirectory) {
            if !isDirectory.boolValue { return "\(prefix.path) is a file, not a directory" }
            break
        }
        prefix.deleteLastPathComponent()
    }
    return describeFileError(error)
}

private func strerrorMessage(_ code: Int32) -> String? {
    guard let text = strerror(code) else { return nil }
    return String(cString: text).lowercased()
}
