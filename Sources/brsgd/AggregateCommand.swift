import ArgumentParser
import Foundation
import BrSGDRecords
import RobustAggregation
import TensorIO

/// `brsgd aggregate`: robust aggregation of a matrix file, callable from any language.
struct AggregateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aggregate",
        abstract: "Aggregate the rows of a matrix file with a robust rule and write the result.",
        discussion: """
            The input holds one gradient per row (m rows, d columns): a NumPy .npy file \
            (2-D, float32 or float64, C order) or JSON (an array of equal-length arrays of \
            numbers; Python's NaN and Infinity tokens are accepted). Rows holding NaN or ±Inf \
            are rejected before the rule runs. The output is a 1-D float32 .npy or a JSON \
            array, chosen by its extension. A summary goes to standard output: one line \
            (--format table) or the summary and the diagnostics (--format json); errors go to \
            standard error, with exit status 1 (64 for a bad option).

            The rule's options are the same as for train; a rule that needs f (krum, \
            trimmed-mean, multi-krum, bulyan, --nnm) needs --assumed-byzantine. Every path is \
            checked before the matrix is read.

            Examples:
              python3 -c "import numpy as np; np.save('G.npy', np.random.randn(20, 1000))"
              brsgd aggregate --rule brsgd --beta 0.5 --threshold auto --input G.npy --output g.npy
              brsgd aggregate --rule krum --assumed-byzantine 5 --input G.npy --output g.json --diagnostics d.json
            """)

    @Option(name: .long, help: "The m × d input matrix (.npy or .json).")
    var input: String

    @Option(name: .long, help: "Where to write the aggregate vector of length d (.npy or .json).")
    var output: String

    @OptionGroup(title: "Aggregation rule") var ruleOptions: RuleOptions

    @Option(name: .long, help: "Also write the rule's diagnostics (rejected and selected rows, scores, BrSGD's C1 and C2) as JSON here (a score too large for a float is the string \"Infinity\").")
    var diagnostics: String?

    @Option(name: .long, help: "What to print on standard output: table (one summary line) or json (the summary and the diagnostics).")
    var format: OutputFormat = .table

    func run() throws {
        try reportingErrors { try aggregate() }
    }

    private func aggregate() throws {
        let rule = try ruleOptions.makeRule()
        guard let outputFile = try OutputFile.check(output, option: "--output", extensions: ["npy", "json"],
                                                    notOver: [("--input", input)]) else { return }
        let diagnosticsFile = try OutputFile.check(diagnostics, option: "--diagnostics", extensions: ["json"],
                                                   notOver: [("--input", input), ("--output", output)])
        let loaded: LoadedMatrix
        do {
            loaded = try TensorFile.readMatrix(at: URL(fileURLWithPath: input))
        } catch {
            throw CommandError("--input: \(error)")
        }
        let matrix = GradientMatrix(rowCount: loaded.rowCount, columnCount: loaded.columnCount, storage: loaded.values)
        let start = ContinuousClock.now
        let result: AggregationResult
        do {
            result = try rule.aggregate(matrix)
        } catch {
            throw CommandError("\(input): \(error.message)")
        }
        let elapsed = ContinuousClock.now - start
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        // A Krum score or a distance can overflow to +Inf on huge finite rows; JSON has no
        // token for it, so non-finite numbers are strings, as in run records.
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        let diagnosticsJSON = try encoder.encode(result.diagnostics)
        // Each output on its own: a failed one does not stop the other.
        var failed = !outputFile.writeVector(result.gradient)
        if let diagnosticsFile, !diagnosticsFile.write(diagnosticsJSON) { failed = true }
        let d = result.diagnostics
        switch format {
        case .table:
            print("\(rule.name): m=\(matrix.rowCount) d=\(matrix.columnCount) "
                  + "rejected=\(d.rejectedRows.count)\(listed(d.rejectedRows)) "
                  + "selected=\(d.selectedRows.count)\(listed(d.selectedRows)) "
                  + "in \(formatted(elapsed)) → \(output)")
        case .json:
            struct Summary: Encodable {
                var rule: String, rows: Int, columns: Int, seconds: Double, output: String
                var diagnostics: AggregationDiagnostics
            }
            let summary = Summary(rule: rule.name, rows: matrix.rowCount, columns: matrix.columnCount,
                                  seconds: elapsed.seconds, output: output, diagnostics: d)
            print(String(decoding: try encoder.encode(summary), as: UTF8.self))
        }
        if failed { throw OutputsFailed() }
    }

    private func listed(_ rows: [Int]) -> String {
        rows.isEmpty ? "" : (rows.count <= 20 ? " \(rows)" : " [\(rows.prefix(20).map(String.init).joined(separator: ", ")), …]")
    }
}

/// "12.3 ms" style durations.
func formatted(_ duration: Duration) -> String {
    let ms = Double(duration.components.seconds) * 1e3 + Double(duration.components.attoseconds) * 1e-15
    return ms >= 1000 ? String(format: "%.2f s", ms / 1000) : String(format: "%.1f ms", ms)
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) / 1e18
    }
}
