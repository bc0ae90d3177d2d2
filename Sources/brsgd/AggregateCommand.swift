import ArgumentParser
import Foundation
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
            array, chosen by its extension. A one-line summary goes to standard error.

            Examples:
              brsgd aggregate --rule brsgd --beta 0.5 --threshold auto --input G.npy --output g.npy
              brsgd aggregate --rule krum --byzantine 5 --input G.json --output g.json
              python3 -c "import numpy as np; np.save('G.npy', np.random.randn(20, 1000))"
            """)

    @Option(name: .long, help: "The m × d input matrix (.npy or .json).")
    var input: String

    @Option(name: .long, help: "Where to write the aggregate vector of length d (.npy or .json).")
    var output: String

    @Option(name: .long, help: "f, the number of Byzantine rows tolerated (trimmed-mean, krum, multi-krum, bulyan, --nnm).")
    var byzantine: Int?

    @OptionGroup var ruleOptions: RuleOptions

    @Option(name: .long, help: "Also write the rule's diagnostics (rejected and selected rows, scores, BrSGD's C1 and C2) as JSON here.")
    var diagnostics: String?

    func validate() throws {
        if let f = byzantine, f < 0 { throw ValidationError("--byzantine must be ≥ 0, got \(f)") }
        _ = try ruleOptions.makeRule(byzantineCount: byzantine)
        for path in [input, output] + (diagnostics.map { [$0] } ?? []) where path.isEmpty {
            throw ValidationError("file paths must not be empty")
        }
    }

    func run() throws {
        let rule = try ruleOptions.makeRule(byzantineCount: byzantine)
        let loaded: LoadedMatrix
        do {
            loaded = try TensorFile.readMatrix(at: URL(fileURLWithPath: input))
        } catch {
            throw CommandError("cannot read --input: \(error)")
        }
        // Check the output format before the work, so a typo costs nothing.
        do {
            _ = try TensorFile.Format(url: URL(fileURLWithPath: output))
        } catch {
            throw CommandError("cannot write --output: \(error)")
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
        do {
            try TensorFile.writeVector(result.gradient, to: URL(fileURLWithPath: output))
        } catch {
            throw CommandError("cannot write --output: \(error)")
        }
        if let diagnostics {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let data = try encoder.encode(result.diagnostics)
            try data.write(to: URL(fileURLWithPath: diagnostics), options: .atomic)
        }
        let d = result.diagnostics
        Terminal.note("\(rule.name): m=\(matrix.rowCount) d=\(matrix.columnCount) "
                      + "rejected=\(d.rejectedRows.count)\(listed(d.rejectedRows)) "
                      + "selected=\(d.selectedRows.count)\(listed(d.selectedRows)) "
                      + "in \(formatted(elapsed)) → \(output)")
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
