#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import RobustAggregation

/// A rule as the C interface receives it: the JSON form of ``RuleConfiguration``, checked
/// more strictly than its decoder alone checks it.
///
/// `RuleConfiguration`'s decoder ignores keys it does not know, so a misspelt
/// `"asumed_byzantine"` would silently give the rule its default. Here every key must be
/// `name` or one of ``RuleConfiguration/Parameter``'s names — the one list the library
/// keeps, so a parameter added there is accepted here without a change.
struct RuleRequest {
    let configuration: RuleConfiguration

    /// Decodes the NUL-terminated UTF-8 JSON at `json`.
    /// - Throws: `invalid_argument` for NULL; `invalid_configuration` for text that is not a
    ///   JSON object of the right types; `unknown_rule` and `unknown_parameter` naming the
    ///   valid names.
    init(json: UnsafePointer<CChar>?) throws(InterfaceError) {
        guard let json else { throw .invalidArgument("rule_json is NULL") }
        try self.init(data: Data(String(cString: json).utf8))
    }

    init(data: Data) throws(InterfaceError) {
        let keys: KeyProbe
        do {
            keys = try JSONDecoder().decode(KeyProbe.self, from: data)
        } catch {
            throw .invalidConfiguration(
                "the rule must be a JSON object such as {\"name\": \"krum\", \"assumed_byzantine\": 4}; \(Self.describe(error))")
        }
        let parameterNames = RuleConfiguration.Parameter.allCases.map(\.rawValue)
        if let unknown = keys.names.first(where: { $0 != "name" && !parameterNames.contains($0) }) {
            throw .unknownParameter("unknown parameter '\(unknown)'; the parameters are \(parameterNames.joined(separator: ", "))")
        }
        let ruleNames = RuleName.allCases.map(\.rawValue).joined(separator: ", ")
        guard let name = keys.ruleName else {
            throw .invalidConfiguration("the rule has no \"name\" (a string); the rules are \(ruleNames)")
        }
        guard RuleName(rawValue: name) != nil else {
            throw .unknownRule("unknown rule '\(name)'; the rules are \(ruleNames)")
        }
        do {
            configuration = try JSONDecoder().decode(RuleConfiguration.self, from: data)
        } catch {
            throw .invalidConfiguration(Self.describe(error, keys: keys))
        }
        // Trimmed mean computes 2f and Bulyan 4f + 3 in Int: an f near Int.max traps, which
        // would kill the host process. No real cluster comes near 2³¹ workers.
        for (parameter, value) in [(RuleConfiguration.Parameter.assumedByzantine, configuration.byzantineCount),
                                   (.multiKrumCount, configuration.selectionCount)] {
            if let value, value > Self.largestCount {
                throw InterfaceError(code: AggregationError.Code.invalidParameter.name,
                                     message: "\(parameter) must be at most \(Self.largestCount), got \(value)")
            }
        }
    }

    /// The largest worker count the interface accepts for f and q.
    static let largestCount = Int(Int32.max)

    /// The configured rule, every parameter checked (``RuleConfiguration/makeRule()``).
    func makeRule() throws(InterfaceError) -> any AggregationRule {
        do {
            return try configuration.makeRule()
        } catch {
            throw InterfaceError(error)
        }
    }

    /// A decoding failure in a sentence that names the key and what it must hold.
    ///
    /// Foundation's decoder reports some mismatches (1.5 for an integer) as "not valid JSON"
    /// without the key; the JSON did parse, so the key is found by decoding each key alone.
    private static func describe(_ error: any Error, keys: KeyProbe) -> String {
        if case .dataCorrupted(let context)? = error as? DecodingError, context.codingPath.isEmpty,
           let name = keys.ruleName {
            for (key, value) in keys.values.sorted(by: { $0.key < $1.key }) where key != "name" {
                let alone = JSONValue.object(["name": .string(name), key: value])
                guard let data = try? JSONEncoder().encode(alone) else { continue }
                if (try? JSONDecoder().decode(RuleConfiguration.self, from: data)) == nil {
                    return "\(key) has a value of the wrong type: \(value)"
                }
            }
        }
        return describe(error)
    }

    private static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        switch error {
        case .typeMismatch(let type, let context):
            let key = context.codingPath.last?.stringValue ?? "the rule"
            return "\(key) must be \(Self.article(for: type))"
        case .dataCorrupted(let context):
            if let key = context.codingPath.last?.stringValue {
                return "\(key): \(context.debugDescription)"
            }
            return "not valid JSON (\(context.underlyingError.map { "\($0)" } ?? context.debugDescription))"
        case .keyNotFound(let key, _):
            return "\(key.stringValue) is missing"
        case .valueNotFound(let type, let context):
            let key = context.codingPath.last?.stringValue ?? "the rule"
            return "\(key) must be \(Self.article(for: type)), not null"
        @unknown default:
            return "\(error)"
        }
    }

    private static func article(for type: Any.Type) -> String {
        switch type {
        case is Int.Type: "an integer"
        case is Double.Type: "a number"
        case is Bool.Type: "true or false"
        case is String.Type: "a string"
        default: "a JSON object"
        }
    }
}

/// The keys of a JSON object, their values and its `name`.
private struct KeyProbe: Decodable {
    let names: [String]
    let ruleName: String?
    let values: [String: JSONValue]

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        names = container.allKeys.map(\.stringValue).sorted()
        ruleName = try? container.decodeIfPresent(String.self, forKey: AnyKey(stringValue: "name"))
        var values: [String: JSONValue] = [:]
        for key in container.allKeys { values[key.stringValue] = try container.decode(JSONValue.self, forKey: key) }
        self.values = values
    }
}

/// Any JSON value, to re-encode one key of a rule on its own.
private indirect enum JSONValue: Codable, CustomStringConvertible {
    case null
    case bool(Bool)
    case integer(Int)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Int.self) { self = .integer(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    var description: String {
        switch self {
        case .null: "null"
        case .bool(let value): "\(value)"
        case .integer(let value): "\(value)"
        case .number(let value): "\(value)"
        case .string(let value): "\"\(value)\""
        case .array: "an array"
        case .object: "an object"
        }
    }
}
