import BrSGDExperiments
import BrSGDRecords
import ByzantineAttacks
import RobustAggregation
import Foundation
import Testing

@Suite struct ConfigIDTests {
    @Test func readablePrefixFollowsTheDocumentedScheme() {
        let config = Fixtures.config(byzantine: 5)
        let prefix = "lenet-fmnist-m20-b5-gaussian-sigma200-brsgd-beta0.5-threshold_auto-seed1-"
        #expect(config.id.hasPrefix(prefix))
        #expect(config.id.count == prefix.count + 8)
        #expect(Fixtures.config(rule: "krum").id.hasPrefix("lenet-fmnist-m20-b5-gaussian-sigma200-krum-assumed_byzantine5-seed1-"))
        #expect(Fixtures.config(byzantine: 0).id.hasPrefix("lenet-fmnist-m20-b0-none-brsgd-"))
    }

    /// Many configs that differ in one field each, including fields not in the readable prefix.
    static func sweep() -> [Experiment] {
        var configs: [Experiment] = []
        for attack in ["gaussian", "model-negation", "gradient-scale", "label-flip", "alie"] {
            for rule in ["brsgd", "median", "mean", "krum", "trimmed-mean"] {
                for b in [0, 2, 5, 10] {
                    for seed: UInt64 in [1, 2, 3] {
                        configs.append(Fixtures.config(attack: attack, rule: rule, byzantine: b, seed: seed))
                    }
                }
            }
        }
        let base = Fixtures.config()
        var variants: [Experiment] = []
        for beta in [0.1, 0.3, 0.51, -1, 1e-5] { var c = base; c.rule.selectionFraction = beta; variants.append(c) }
        for lr in [0.01, 0.03, 0.1] { var c = base; c.learningRate = lr; variants.append(c) }
        for epochs in [1, 10, 30] { var c = base; c.epochs = epochs; variants.append(c) }
        for batch in [16, 32, 64] { var c = base; c.batchSize = batch; variants.append(c) }
        for m in [0.0, 0.9] { var c = base; c.momentum = m; variants.append(c) }
        for wd in [0.0, 1e-4] { var c = base; c.weightDecay = wd; variants.append(c) }
        for subset in [100, 1000] { var c = base; c.testSubset = subset; variants.append(c) }
        for alpha in [0.1, 1.0] { var c = base; c.partition = .dirichlet(alpha: alpha); variants.append(c) }
        var t = base; t.rule.threshold = 3.5; variants.append(t)
        var n = base; n.rule.nearestNeighborMixing = true; variants.append(n)
        var s = base; s.attack?.standardDeviation = 100; variants.append(s)
        var mn = base; mn.dataset = .mnist; variants.append(mn)
        var md = base; md.model = .mlp; variants.append(md)
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

    @Test func idIsStableAndIgnoresWhatDoesNotChangeTheBytes() {
        #expect(Fixtures.config().id == Fixtures.config().id)
        var other = Fixtures.config()
        other.threads = 7
        other.dataDirectory = "/somewhere/else"
        #expect(other.id == Fixtures.config().id)
        var long = Fixtures.config(rule: "multi-krum")
        long.rule.selectionCount = 123_456_789
        long.rule.nearestNeighborMixing = true
        long.attack = AttackConfiguration(kind: .alie, z: -1.234567890123e-7)
        #expect(long.id.utf8.count <= 200)
        #expect(!long.id.contains("--"))
    }
}
