import Foundation

extension ExperimentConfig {
    /// A stable, filesystem-safe identifier, used as the run's file name (`<id>.json`).
    ///
    /// Scheme: a readable prefix of the fields that tell runs apart in a sweep, then a hash
    /// of every field, joined by `-`:
    ///
    ///     <model>-<dataset>-m<workers>-b<byzantine>-<attack>[-<key><value>…]
    ///         -<rule>[-<key><value>…][-dir<alpha>]-seed<seed>-<hash>
    ///
    /// - `fashion-mnist` is shortened to `fmnist`; other names are kept.
    /// - Parameters appear sorted by key, values in shortest form (`0.5`, `200`, `1e-05`
    ///   becomes `1e_05`: a value never adds a `-`); the partition appears only when it is
    ///   not `iid`.
    /// - `<hash>` is 8 hex digits of FNV-1a (64-bit, folded to 32) over a canonical text of
    ///   *all* fields, so two configs that differ only in, say, learning rate or epochs
    ///   still get different ids. The canonical text uses Swift's shortest round-trip
    ///   `Double` description, which is the same on every platform.
    /// - Every character outside `[a-z0-9._-]` is replaced by `_`, letters are lower-cased,
    ///   and the prefix is cut to keep the whole id within 200 bytes, so the id is a valid
    ///   file name on Linux, macOS and Windows.
    ///
    /// Example: `lenet-fmnist-m20-b5-gaussian-sigma200-brsgd-beta0.5-seed1-1a2b3c4d`.
    public var id: String {
        var parts: [String] = [
            Self.safe(model),
            Self.safe(dataset == "fashion-mnist" ? "fmnist" : dataset),
            "m\(workers)",
            "b\(byzantineCount)",
            Self.safe(attack),
        ]
        parts += Self.parameterParts(attackParameters)
        parts.append(Self.safe(rule))
        parts += Self.parameterParts(ruleParameters)
        if partition != "iid" {
            let alpha = dirichletAlpha.map { Self.number($0) } ?? ""
            parts.append(Self.safe(partition == "dirichlet" ? "dir\(alpha)" : partition + alpha))
        }
        parts.append("seed\(seed)")
        var prefix = parts.joined(separator: "-")
        if prefix.utf8.count > 190 { prefix = String(decoding: prefix.utf8.prefix(190), as: UTF8.self) }
        return prefix + "-" + Self.hashText(canonicalText)
    }

    /// Every field, in a fixed order, as text; the input of the hash in ``id``.
    var canonicalText: String {
        func dict(_ d: [String: Double]) -> String {
            d.keys.sorted().map { "\($0)=\(d[$0]!.description)" }.joined(separator: ",")
        }
        return [
            "dataset=\(dataset)", "model=\(model)", "workers=\(workers)",
            "byzantine=\(byzantineCount)", "attack=\(attack)", "attack_parameters={\(dict(attackParameters))}",
            "rule=\(rule)", "rule_parameters={\(dict(ruleParameters))}", "partition=\(partition)",
            "dirichlet_alpha=\(dirichletAlpha?.description ?? "nil")", "epochs=\(epochs)",
            "batch_size=\(batchSize)", "learning_rate=\(learningRate.description)",
            "momentum=\(momentum.description)", "weight_decay=\(weightDecay.description)",
            "seed=\(seed)", "test_subset_size=\(testSubsetSize.map(String.init) ?? "nil")",
        ].joined(separator: ";")
    }

    private static func parameterParts(_ parameters: [String: Double]) -> [String] {
        parameters.keys.sorted().map { key in
            // A `-` inside a value (sign or exponent) would read as a separator.
            safe(key.replacingOccurrences(of: "-", with: "_") + number(parameters[key]!).replacingOccurrences(of: "-", with: "_"))
        }
    }

    /// Shortest text of a number: `5` for 5.0, `0.5`, `1e+10` for 1e10.
    private static func number(_ value: Double) -> String {
        if value.isFinite, value == value.rounded(), abs(value) < 1e15 {
            return String(Int64(value))
        }
        return value.description
    }

    /// Lower-cases and replaces every character outside `[a-z0-9._-]` with `_`; never
    /// returns an empty string or one that starts with `.`.
    private static func safe(_ text: String) -> String {
        var out = ""
        for ch in text.lowercased() {
            let allowed = ("a"..."z").contains(ch) || ("0"..."9").contains(ch) || ch == "." || ch == "_" || ch == "-"
            out.append(allowed ? ch : "_")
        }
        if out.isEmpty { return "_" }
        if out.hasPrefix(".") { out = "_" + out.dropFirst() }
        return out
    }

    /// 32-bit fold of 64-bit FNV-1a, as 8 lower-case hex digits.
    private static func hashText(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let folded = UInt32(truncatingIfNeeded: hash ^ (hash >> 32))
        let hex = String(folded, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }
}
