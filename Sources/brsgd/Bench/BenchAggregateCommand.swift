import ArgumentParser
import BrSGDRecords
import Foundation
import RobustAggregation
import TensorIO

/// `brsgd bench aggregate`: each rule's time against one streaming pass over the same matrix.
struct BenchAggregateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aggregate",
        abstract: "Time aggregation rules on an m × d matrix against a plain streaming column sum.",
        discussion: """
            For each rule, the median wall time of --runs calls (after one warm-up call), and \
            its ratio to the median time of one single-threaded streaming pass (a column sum) \
            over the same matrix, timed just before and just after that rule's calls (so a \
            machine whose load changes during the run still gives each rule a yardstick \
            measured under the same load). The ratio is what carries across machines; the \
            milliseconds are this machine's. Rules run on all cores; the streaming pass on one. \
            The 1-minute load average is printed with each rule (JSON: load_average), and the \
            process's CPU time per call of the rule and of the pass (JSON: cpu_ms, \
            stream_pass_cpu_ms; their ratio, cpu_ratio, is the work done, which other jobs on \
            the machine change less than the wall time).

            The matrix is m × d standard normals drawn from --seed, or the float32/float64 .npy \
            or JSON file given with --input (to time other libraries on the same arrays).

            Example:
              swift build -c release && .build/release/brsgd bench aggregate --workers 20 --dimension 1000000 --rules brsgd,median,krum,mean --assumed-byzantine 4 --format json
            """)

    @Option(name: .customLong("workers"), help: "Rows (workers) of the random matrix (default 20).")
    var givenRowCount: Int?

    @Option(name: .customLong("dimension"), help: "Columns (model dimension) of the random matrix (default 1000000).")
    var givenColumnCount: Int?

    @Option(name: .long, help: "Time the rules on this m × d matrix (.npy or .json) instead of a random one; not with --m, --dimension or --seed.")
    var input: String?

    @Option(name: .long, help: "Comma-separated rules to time.")
    var rules = "brsgd,median,krum,mean"

    @Option(name: .long, parsing: .unconditional, help: "f, the number of Byzantine workers the rules that take it assume (trimmed-mean, krum, multi-krum, bulyan; default m/4).")
    var assumedByzantine: Int?

    @Option(name: .long, help: "Timed calls per rule (the median is reported).")
    var runs = 9

    @Option(name: .customLong("seed"), help: "Seed of the random matrix (default 1).")
    var givenSeed: UInt64?

    @Option(name: .long, help: "table or json.")
    var format: OutputFormat = .table

    private var rowCount: Int { givenRowCount ?? 20 }
    private var columnCount: Int { givenColumnCount ?? 1_000_000 }

    func validate() throws {
        try reportingErrors {
            if input != nil {
                for (option, given) in [("--workers", givenRowCount != nil), ("--dimension", givenColumnCount != nil), ("--seed", givenSeed != nil)] where given {
                    throw UsageError("\(option): not with --input (the file gives the matrix)")
                }
                guard runs >= 1 else { throw UsageError("--runs: is \(runs); it must be ≥ 1") }
                try checkRuleNames()
                return   // the rules are checked against the file's m once it is read
            }
            guard (1 ... Experiment.maximumWorkers).contains(rowCount) else {
                throw UsageError("--workers: is \(rowCount); it must lie in 1...\(Experiment.maximumWorkers)")
            }
            guard columnCount >= 1 else { throw UsageError("--dimension: is \(columnCount); it must be ≥ 1") }
            do {
                try Experiment.checkMemory(rows: rowCount, columns: columnCount, field: nil)
            } catch let error as ExperimentError {
                throw UsageError("--workers \(rowCount) --dimension \(columnCount): \(error.detail)")
            }
            guard runs >= 1 else { throw UsageError("--runs: is \(runs); it must be ≥ 1") }
            try checkRuleNames()
            try checkRules(rowCount: rowCount, rowsOption: "--workers")
        }
    }

    private func checkRuleNames() throws {
        guard !ruleNames.isEmpty else { throw UsageError("--rules: name at least one rule") }
        for name in ruleNames where RuleName(rawValue: name) == nil {
            throw UsageError("--rules: unknown rule '\(name)'; known: \(RuleName.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    /// f within 0...m, and every rule buildable for m rows.
    private func checkRules(rowCount: Int, rowsOption: String) throws {
        if let f = assumedByzantine, !(0 ... rowCount).contains(f) {
            throw UsageError("--assumed-byzantine: is \(f); it must lie in 0...\(rowCount) (\(rowsOption))")
        }
        for rule in configurations(rowCount: rowCount) {
            do { _ = try rule.makeRule(checkedFor: rowCount) } catch { throw UsageError(error) }
        }
    }

    /// The rules to time, f set for those that take it (default m/4).
    private func configurations(rowCount: Int) -> [RuleConfiguration] {
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
        /// The median of the streaming passes timed just before and just after this rule's calls.
        var streamPassMs: Double
        var ratio: Double
        var runs: Int
        /// The 1-minute load average when the rule's timing began (nil where unavailable).
        var loadAverage: Double?
        /// CPU time (user + system, all threads) per call of the rule and of the streaming pass.
        var cpuMs: Double
        var streamPassCpuMs: Double
        var cpuRatio: Double
        /// Where and when it ran.
        var machine: MachineInfo
        enum CodingKeys: String, CodingKey {
            case rule, m, d, runs, ratio, machine
            case medianMs = "median_ms"
            case streamPassMs = "stream_pass_ms"
            case loadAverage = "load_average"
            case cpuMs = "cpu_ms"
            case streamPassCpuMs = "stream_pass_cpu_ms"
            case cpuRatio = "cpu_ratio"
        }
    }

    func run() throws {
        let matrix = try reportingErrors { try makeMatrix() }
        let m = matrix.rowCount, d = matrix.columnCount
        if input != nil { try reportingErrors { try checkRules(rowCount: m, rowsOption: "the rows of --input") } }
        if format == .table {
            Terminal.note("m = \(m), d = \(d), \(runs) runs per rule, \(ProcessInfo.processInfo.activeProcessorCount) cores")
        }
        var output = [Float](repeating: 0, count: d)
        let streamRuns = max(runs, 5)
        func streamTiming() -> CallTiming {
            CallTiming(runs: streamRuns, warmUp: 0) { StreamingPass.columnSum(matrix, into: &output) }
        }
        _ = streamTiming()  // warm-up
        var rows: [Row] = []
        let machine = MachineInfo.current()
        for configuration in configurations(rowCount: m) {
            let name = configuration.name.rawValue
            let rule = try configuration.makeRule()
            _ = try rule.aggregate(matrix)  // warm-up
            let load = oneMinuteLoadAverage()
            let before = streamTiming()
            let timing = try CallTiming.aggregation(runs: runs, warmUp: 0, rule: rule.name) { try rule.aggregate(matrix) }
            let stream = CallTiming(merging: before, streamTiming())
            rows.append(Row(rule: name, m: m, d: d, medianMs: timing.medianMs, streamPassMs: stream.medianMs,
                            ratio: timing.medianMs / stream.medianMs, runs: runs, loadAverage: load,
                            cpuMs: timing.cpuMs, streamPassCpuMs: stream.cpuMs, cpuRatio: timing.cpuMs / stream.cpuMs,
                            machine: machine))
        }
        switch format {
        case .json:
            try printJSON(rows)
        case .table:
            print("rule".padding(toLength: 22, withPad: " ", startingAt: 0)
                  + "   median ms   × stream pass   stream pass ms (1 core)   CPU × stream pass   load")
            for row in rows {
                print(row.rule.padding(toLength: 22, withPad: " ", startingAt: 0)
                      + String(format: "%12.2f   %13.2f   %23.2f   %17.2f   %4@", row.medianMs, row.ratio, row.streamPassMs,
                               row.cpuRatio, row.loadAverage.map { String(format: "%.1f", $0) } ?? "-"))
            }
        }
    }

    /// The --input file, or m × d standard normals from the seed.
    private func makeMatrix() throws -> GradientMatrix {
        if let input {
            let loaded: LoadedMatrix
            do { loaded = try TensorFile.readMatrix(at: URL(fileURLWithPath: input)) } catch { throw UsageError("--input: \(error)") }
            return GradientMatrix(rowCount: loaded.rowCount, columnCount: loaded.columnCount, storage: loaded.values)
        }
        return .standardNormal(rowCount: rowCount, columnCount: columnCount, seed: givenSeed ?? 1)
    }
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
