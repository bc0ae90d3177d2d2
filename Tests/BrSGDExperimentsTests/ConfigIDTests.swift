import BrSGDExperiments
import Foundation
import Testing

@Suite struct ConfigIDTests {
    @Test func readablePrefixFollowsTheDocumentedScheme() {
        let config = Fixtures.config(byzantine: 5)
        #expect(config.id.hasPrefix("lenet-fmnist-m20-b5-gaussian-sigma200-brsgd-beta0.5-seed1-"))
        #expect(config.id.count == "lenet-fmnist-m20-b5-gaussian-sigma200-brsgd-beta0.5-seed1-".count + 8)
    }

    /// Many configs that differ in one field each, including fields not in the readable prefix.
    static func sweep() -> [ExperimentConfig] {
        var configs: [ExperimentConfig] = []
        for attack in ["gaussian", "model-negation", "gradient-scale", "label-flip", "ALIE / z=1"] {
            for rule in ["brsgd", "median", "mean", "krum", "trimmed-mean"] {
                for b in [0, 2, 5, 10] {
                    for seed: UInt64 in [1, 2, 3] {
                        configs.append(Fixtures.config(attack: attack, rule: rule, byzantine: b, seed: seed))
                    }
                }
            }
        }
        let base = Fixtures.config()
        var variants: [ExperimentConfig] = []
        for beta in [0.1, 0.3, 0.5, 0.51, -1, 1e-5] { var c = base; c.ruleParameters = ["beta": beta]; variants.append(c) }
        for lr in [0.01, 0.03, 0.1] { var c = base; c.learningRate = lr; variants.append(c) }
        for epochs in [1, 10, 30] { var c = base; c.epochs = epochs; variants.append(c) }
        for batch in [16, 32, 64] { var c = base; c.batchSize = batch; variants.append(c) }
        for m in [0.0, 0.9] { var c = base; c.momentum = m; variants.append(c) }
        for wd in [0.0, 1e-4] { var c = base; c.weightDecay = wd; variants.append(c) }
        for subset: Int? in [nil, 1000] { var c = base; c.testSubsetSize = subset; variants.append(c) }
        for alpha: Double? in [0.1, 1.0] { var c = base; c.partition = "dirichlet"; c.dirichletAlpha = alpha; variants.append(c) }
        var t = base; t.ruleParameters = ["beta": 0.5, "threshold": 3.5]; variants.append(t)
        var s = base; s.attackParameters = ["sigma": 100]; variants.append(s)
        var mn = base; mn.dataset = "mnist"; variants.append(mn)
        return configs + variants
    }

    @Test func idsAreUniqueAcrossManyConfigs() {
        let configs = Set(Self.sweep())
        let ids = Set(configs.map(\.id))
        #expect(configs.count > 250)
        #expect(ids.count == configs.count)
    }

    @Test func idsAreFilesystemSafe() throws {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789._-")
        for config in Self.sweep() {
            let id = config.id
            #expect(id.allSatisfy { allowed.contains($0) }, "unsafe id \(id)")
            #expect(!id.hasPrefix(".") && !id.hasPrefix("-"))
            #expect(id.utf8.count <= 200)
        }
        // And a file with that name can actually be created.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("brsgd-ids-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for config in Self.sweep().prefix(50) {
            #expect(FileManager.default.createFile(atPath: directory.appendingPathComponent(config.id + ".json").path, contents: Data()))
        }
    }

    @Test func idIsStableForEqualConfigsAndLongNamesAreCut() {
        #expect(Fixtures.config().id == Fixtures.config().id)
        var long = Fixtures.config()
        long.rule = String(repeating: "very-long-rule-name", count: 30)
        #expect(long.id.utf8.count <= 200)
    }
}
