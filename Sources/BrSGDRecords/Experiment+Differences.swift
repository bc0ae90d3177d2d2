import Foundation

/// One field in which two experiments differ, by its JSON name, with each side's value as
/// compact JSON (`null` when a side does not have it).
public struct ExperimentFieldDifference: Sendable, Hashable, CustomStringConvertible {
    /// The field's JSON name (`epochs`, `test_subset`, `rule`, …).
    public var field: String
    /// Its value in the experiment asked about (`self` of ``Experiment/differences(from:)``).
    public var here: String
    /// Its value in the other experiment.
    public var there: String

    /// `epochs: 3 here, 1 there`.
    public var description: String { "\(field): \(here) here, \(there) there" }
}

extension Experiment {
    /// The fields, in the order of their JSON names, in which `other` differs from this
    /// experiment, over what makes its ``id`` (every field but `threads` and `data_dir`).
    /// Empty exactly when the two have the same id's hash input.
    ///
    /// - Complexity: O(size of the two JSON texts).
    public func differences(from other: Experiment) -> [ExperimentFieldDifference] {
        let mine = Self.fields(of: canonicalText)
        let theirs = Self.fields(of: other.canonicalText)
        return Set(mine.keys).union(theirs.keys).sorted().compactMap { field in
            let here = mine[field] ?? "null"
            let there = theirs[field] ?? "null"
            return here == there ? nil : ExperimentFieldDifference(field: field, here: here, there: there)
        }
    }

    /// Each top-level field of a JSON object, as compact JSON with sorted keys.
    private static func fields(of text: String) -> [String: String] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]) as? [String: Any]
        else { return [:] }
        var out: [String: String] = [:]
        for (key, value) in object {
            if value is NSNull { continue }
            if let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes]) {
                out[key] = String(decoding: data, as: UTF8.self)
            }
        }
        return out
    }
}
