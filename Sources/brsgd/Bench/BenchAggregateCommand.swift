import ArgumentParser
import BrSGDRecords
import Foundation
import RobustAggregation
import SeededRandom

/// `brsgd bench aggregate`: each rule's time against one streaming pass over the same matrix.
struct BenchAggregateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aggregate",
        abstract: "Time aggregation rules on an m × d matrix against a plain streaming column sum.",
        discussion: """
            For each rule, the median wall time of --runs calls (after one warm-up call), and \
            its ratio to the median time of one single-threaded streaming pass (a column sum) \
            over the same matrix, measured in the same run. The ratio is what carries across \
            machines; the milliseconds are this machine's. Rules run on all cores; the \
            streaming pass on one.

            Example:
              swift build -c release && .build/release/brsgd bench aggregate --m 20 --d 1000000 --rules brsgd,median,krum,mean --assumed-byzantine 4 --format json
            """)

    @Option(name: .customLong("m"), help: "Rows (workers).")
    var rowCount = 20

    @Option(name: .customLong("d"), help: "Columns (model dimension).")
    var columnCount = 1_000_000

    @Option(name: .long, help: "Comma-separated rules to time.")
    var rules = "brsgd,median,krum,mean"

    @Option(name: .long, parsing: .unconditional, help: "f, the number of Byzantine workers the rules that take it assume (trimmed-mean, krum, multi-krum, bulyan; default m/4).")
    var assumedByzantine: Int?

    @Option(name: .long, help: "Timed calls per rule (the median is reported).")
    var runs = 9

    @Option(name: .long, help: "Seed of the random matrix.")
    var seed: UInt64 = 1

    @Option(name: .long, help: "table or json.")
    var format: OutputFormat = .table

    func validate() throws {
        try reportingErrors {
            guard (1 ... Experiment.maximumWorkers).contains(rowCount) else {
                throw UsageError("--m: is \(rowCount); it must lie in 1...\(Experiment.maximumWorkers)")
            }
            guard columnCount >= 1 else { throw UsageError("--d: is \(columnCount); it must be ≥ 1") }
            do {
                try Experiment.checkMemory(rows: rowCount, columns: columnCount, field: nil)
            } catch let error as ExperimentError {
                throw UsageError("--m \(rowCount) --d \(columnCount): \(error.detail)")
            }
            guard runs >= 1 else { throw UsageError("--runs: is \(runs); it must be ≥ 1") }
            if let f = assumedByzantine, !(0 ... rowCount).contains(f) {
                throw UsageError("--assumed-byzantine: is \(f); it must lie in 0...\(rowCount) (--m)")
            }
            guard !ruleNames.isEmpty else { throw UsageError("--rules: name at least one rule") }
            for name in ruleNames where RuleName(rawValue: name) == nil {
                throw UsageError("--rules: unknown rule '\(name)'; known: \(RuleName.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            for rule in try configurations() {
                do { _ = try rule.makeRule(checkedFor: rowCount) } catch let error as AggregationError { throw UsageError(error) }
            }
        }
    }

    /// The rules to time, f set for those that take it.
    private func configurations() throws -> [RuleConfiguration] {
        let f = assumedByzantine ?? rowCount / 4
        return ruleNames.compactMap(RuleName.init(rawValue:)).map { name in
            RuleConfiguration(name: name, byzantineCount: name.takesByzantineCount ? f : nil).resolved()
        }
    }

    private var ruleNames: [String] {
        rules.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    struct Row: Encodable {
        var rule: String
        var m: Int
        var d: Int
        var medianMs: Double
        var streamPassMs: Double
        var ratio: Double
        var runs: Int
        enum CodingKeys: String, CodingKey {
            case rule, m, d, runs, ratio
            case medianMs = "median_ms"
            case streamPassMs = "stream_pass_ms"
        }
    }

    func run() throws {
        var rng = SeededGenerator(seed: seed)
        var matrix = GradientMatrix(rowCount: rowCount, columnCount: columnCount)
        matrix.withUnsafeMutableStorage { storage in
            for i in storage.indices { storage[i] = Float(rng.nextNormal()) }
        }
        if format == .table {
            Terminal.note("m = \(rowCount), d = \(columnCount), \(runs) runs per rule, \(ProcessInfo.processInfo.activeProcessorCount) cores")
        }
        var output = [Float](repeating: 0, count: columnCount)
        let streamMs = medianMilliseconds(runs: max(runs, 5)) {
            StreamingPass.columnSum(matrix, into: &output)
        }
        var rows: [Row] = []
        for configuration in try configurations() {
            let name = configuration.name.rawValue
            let rule = try configuration.makeRule()
            _ = try rule.aggregate(matrix)  // warm-up
            var failure: (any Error)?
            let ms = medianMilliseconds(runs: runs) {
                do { _ = try rule.aggregate(matrix) } catch { failure = error }
            }
            if let failure { throw CommandError("\(rule.name): \(failure)") }
            rows.append(Row(rule: name, m: rowCount, d: columnCount, medianMs: ms, streamPassMs: streamMs,
                            ratio: ms / streamMs, runs: runs))
        }
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(rows), as: UTF8.self))
        case .table:
            print("rule".padding(toLength: 22, withPad: " ", startingAt: 0) + "   median ms   × stream pass")
            print("stream pass (1 core)".padding(toLength: 22, withPad: " ", startingAt: 0)
                  + String(format: "%12.2f   %8.2f", streamMs, 1.0))
            for row in rows {
                print(row.rule.padding(toLength: 22, withPad: " ", startingAt: 0)
                      + String(format: "%12.2f   %8.2f", row.medianMs, row.ratio))
            }
        }
    }
}

/// The median wall time of `runs` calls of `body`, in milliseconds.
func medianMilliseconds(runs: Int, _ body: () -> Void) -> Double {
    var times: [Double] = []
    for _ in 0 ..< runs {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
    }
    times.sort()
    return times.count % 2 == 1 ? times[times.count / 2] : (times[times.count / 2 - 1] + times[times.count / 2]) / 2
}

/// The yardstick: one single-threaded pass that reads every entry once (a column sum),
/// row by row into a d-vector of partial sums (4 MB for d = 10⁶: it stays in the last-level
/// cache while the matrix streams from memory), with explicit 16-lane vectors so the
/// compiler cannot leave it scalar.
enum StreamingPass {
    static func columnSum(_ matrix: GradientMatrix, into output: inout [Float]) {
        let d = matrix.columnCount, m = matrix.rowCount
        matrix.withUnsafeStorage { storage in
            output.withUnsafeMutableBufferPointer { out in
                guard let g = storage.baseAddress, let o = out.baseAddress else { return }
                o.update(from: g, count: d)
                for r in 1 ..< max(1, m) {
                    let row = UnsafeRawPointer(g + r * d), sums = UnsafeMutableRawPointer(o)
                    var c = 0
                    while c + 16 <= d {
                        let x = row.loadUnaligned(fromByteOffset: c * 4, as: SIMD16<Float>.self)
                        let s = sums.loadUnaligned(fromByteOffset: c * 4, as: SIMD16<Float>.self)
                        sums.storeBytes(of: s + x, toByteOffset: c * 4, as: SIMD16<Float>.self)
                        c += 16
                    }
                    while c < d { o[c] += g[r * d + c]; c += 1 }
                }
            }
        }
    }
}
