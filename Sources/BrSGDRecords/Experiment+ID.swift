import Foundation

extension Experiment {
    /// A stable, filesystem-safe identifier, used as the run's file name (`<id>.json`).
    ///
    /// Scheme: a readable prefix of the fields that tell runs apart in a sweep, then a hash
    /// of every field, joined by `-`:
    ///
    ///     <model>-<dataset>-m<workers>-b<byzantine>-<attack>[-<key><value>…]
    ///         -<rule>[-<key><value>…][-wmom<β>][-dir<alpha>|-gamma<γ>][-t<rounds>]-seed<seed>-<hash>
    ///
    /// - `fashion-mnist` is shortened to `fmnist`; other names are kept.
    /// - Parameters (the rule's and the attack's, as their JSON names them) appear sorted by
    ///   key, values in shortest form (`0.5`, `200`, `1e-05` becomes `1e_05`: a value never
    ///   adds a `-`; `true` flags by their name alone); the partition appears only when it is
    ///   not `iid`, worker momentum only when it is not 0, the rounds only when the run is
    ///   counted in rounds rather than epochs.
    /// - `<hash>` is 8 hex digits of FNV-1a (64-bit, folded to 32) over the experiment's JSON
    ///   with sorted keys, without the fields that do not change the bytes (`threads`,
    ///   `data_dir`), so two experiments that differ only in, say, learning rate or epochs
    ///   still get different ids, and the same experiment run with more threads does not.
    ///   `normalize` and `worker_momentum` enter the hash only when they differ from what
    ///   every run had before they existed (false, 0): older records keep their ids.
    /// - Every character outside `[a-z0-9._-]` is replaced by `_`, letters are lower-cased,
    ///   and the prefix is cut to keep the whole id within 200 bytes, so the id is a valid
    ///   file name on Linux, macOS and Windows.
    ///
    /// Example: `lenet-fmnist-m20-b5-gaussian-sigma200-brsgd-beta0.5-threshold_auto-seed1-1a2b3c4d`.
    ///
    /// A bare vector (``ModelName/parameters``) has no dataset and no attack; its prefix
    /// names d and T instead:
    ///
    ///     parameters-d<d>-m<workers>-b<byzantine>-<rule>[-<key><value>…]-t<rounds>-seed<seed>-<hash>
    public var id: String {
        if isBareVector {
            var parts = ["parameters", "d\(parameterCount ?? 0)", "m\(workers)", "b\(byzantine)", Self.safe(ruleName)]
            parts += Self.parameterParts(rule)
            parts += ["t\(rounds ?? 0)", "seed\(seed)"]
            return identifier(parts)
        }
        var parts: [String] = [
            Self.safe(model.rawValue),
            Self.safe(dataset == .fashionMNIST ? "fmnist" : dataset.rawValue),
            "m\(workers)",
            "b\(byzantine)",
            Self.safe(attackName),
        ]
        if byzantine > 0, let attack { parts += Self.parameterParts(attack) }
        parts.append(Self.safe(ruleName))
        parts += Self.parameterParts(rule)
        if workerMomentum != 0 { parts.append(Self.safe("wmom" + Self.number(workerMomentum))) }
        if let alpha = partition.dirichletAlpha { parts.append(Self.safe("dir" + Self.number(alpha))) }
        if let gamma = partition.gamma { parts.append(Self.safe("gamma" + Self.number(gamma))) }
        if let rounds { parts.append("t\(rounds)") }
        parts.append("seed\(seed)")
        return identifier(parts)
    }

    /// The parts joined by `-`, cut to 190 bytes, then `-` and the hash of ``canonicalText``.
    private func identifier(_ parts: [String]) -> String {
        var prefix = parts.joined(separator: "-")
        if prefix.utf8.count > 190 { prefix = String(decoding: prefix.utf8.prefix(190), as: UTF8.self) }
        return prefix + "-" + Self.hashText(canonicalText)
    }

    /// The experiment's JSON with sorted keys, without `threads` and `data_dir`: the input
    /// of the hash in ``id``.
    var canonicalText: String {
        var identity = self
        identity.threads = 1
        identity.dataDirectory = nil
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.userInfo[Self.identityKey] = true
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return (try? encoder.encode(identity)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    /// `key` + value for every parameter of a configuration's JSON but its name (sorted).
    private static func parameterParts<T: Encodable>(_ configuration: T) -> [String] {
        guard let data = try? JSONEncoder().encode(configuration),
              let object = try? JSONDecoder().decode([String: Scalar].self, from: data) else { return [] }
        return object.keys.sorted().compactMap { key -> String? in
            guard key != "name", let scalar = object[key] else { return nil }
            let value: String
            switch scalar {
            case .flag(let on):
                guard on else { return nil }
                value = ""
            case .number(let number): value = Self.number(number)
            case .text(let text): value = "_" + text
            }
            // A `-` inside a value (sign or exponent) would read as a separator.
            return safe(key + value.replacingOccurrences(of: "-", with: "_"))
        }
    }

    /// A JSON scalar of a configuration.
    private enum Scalar: Decodable {
        case flag(Bool), number(Double), text(String)
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let flag = try? c.decode(Bool.self) { self = .flag(flag) }
            else if let number = try? c.decode(Double.self) { self = .number(number) }
            else { self = .text(try c.decode(String.self)) }
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
