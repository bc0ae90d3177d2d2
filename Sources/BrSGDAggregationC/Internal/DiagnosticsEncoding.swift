#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import RobustAggregation

/// `AggregationDiagnostics` as the C interface returns it: JSON with snake_case keys
/// (`rejected_rows`, `returned_median`), sorted, non-finite numbers as strings.
enum DiagnosticsEncoding {
    static func json(_ diagnostics: AggregationDiagnostics) throws(InterfaceError) -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys]
        // A Krum score can overflow to +Inf on huge finite rows; JSON has no token for it.
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        do {
            return String(decoding: try encoder.encode(diagnostics), as: UTF8.self)
        } catch {
            throw InterfaceError(code: "internal_error", message: "the diagnostics do not encode as JSON: \(error)")
        }
    }
}

/// The rules and parameters the library knows, for bindings that list them rather than
/// keep a copy: `{"abi_version", "parameters", "rules": [{"name", "parameters", "summary"}]}`.
enum RuleCatalog {
    private struct Catalog: Encodable {
        struct Rule: Encodable {
            let name: String
            let parameters: [String]
            let summary: String
        }
        let abiVersion: Int32
        let parameters: [String]
        let rules: [Rule]
    }

    static func json() -> String {
        let catalog = Catalog(
            abiVersion: abiVersion,
            parameters: RuleConfiguration.Parameter.allCases.map(\.rawValue),
            rules: RuleName.allCases.map {
                Catalog.Rule(name: $0.rawValue, parameters: $0.parameters.map(\.rawValue), summary: $0.summary)
            })
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys]
        // Strings and integers only: encoding cannot fail.
        return (try? encoder.encode(catalog)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
