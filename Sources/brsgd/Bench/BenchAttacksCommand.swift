import ArgumentParser
import BrSGDRecords
import ByzantineAttacks
import Foundation
import RobustAggregation

/// `brsgd bench attacks`: what each attack and each pre-aggregation adds to a round, against
/// one aggregation by the rule at the same shape.
struct BenchAttacksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attacks",
        abstract: "Time each attack's crafting and each pre-aggregation per round, beside one aggregation by the rule.",
        discussion: """
            What is timed. For each attack, the median wall time of --runs rounds (after one \
            warm-up) of crafting the b Byzantine rows of an m × d matrix exactly as the \
            simulation's master does each round: one craft per Byzantine worker, or one \
            copied to all when the attack's vector is the same for every worker (crafts: 1). \
            The -opt attacks line-search against --rule with its own pre-aggregations \
            (--nnm, --bucketing, --clipping, --arc), as in training. For each pre-aggregation, \
            the time of applying it alone to the m rows (around a rule that does nothing; the \
            finiteness scan is not in it), and the time of the rule after it. Beside each \
            row: one aggregation by the rule on the same matrix (rule ms), timed just before \
            and just after that row, and the ratio (× rule): what the row adds to a round, \
            counted in aggregations. CPU time per call (user + system, all threads) and the \
            1-minute load average are printed too (JSON: cpu_ms, rule_cpu_ms, load_average).

            The matrix is m × d standard normals from --seed; workers 0..<b are the Byzantine \
            ones, their rows standing for their own gradients (gradient-scale, sign-flip, \
            label-flip), and the other m − b rows are the honest ones the omniscient attacks \
            see. Not timed: the gradients the workers compute. An attacker whose knowledge is \
            its own gradient computes one as an honest worker does; an omniscient one \
            computes none. label-flip acts on data, not on vectors: its worker relabels its \
            batch before computing that gradient, and the time shown is all it adds at the \
            master, copying its gradient into its row.

            Examples:
              swift build -c release --product brsgd
              # every attack and pre-aggregation at LeNet-5's d = 61,706, m = 20, b = 5, against brsgd:
              .build/release/brsgd bench attacks
              # f = 9 and three attacks against NNM + Krum, as JSON:
              .build/release/brsgd bench attacks --byzantine 9 --attacks alie,alie-opt,ipm-opt --rule krum --nnm --pre-aggregations none --format json
            """)

    @Option(name: .customLong("workers"), help: "Rows (workers) of the random matrix.")
    var rowCount = 20

    @Option(name: .customLong("dimension"), help: "Columns (model dimension) of the random matrix; the default is LeNet-5's parameter count.")
    var columnCount = 61_706

    @Option(name: .long, parsing: .unconditional, help: "b, how many workers are Byzantine (workers 0..<b), in 1...m − 1.")
    var byzantine = 5

    @Option(name: .long, help: ArgumentHelp(
        "Comma-separated attacks to time, or none.",
        discussion: AttackKind.allCases.map(\.rawValue).joined(separator: ", ")))
    var attacks = AttackKind.allCases.map(\.rawValue).joined(separator: ",")

    @Option(name: .long, help: "Comma-separated pre-aggregations to time: clipping=c, arc, bucketing=s, nnm; or none. ARC and NNM take the rule's f.")
    var preAggregations = PreAggregationChoice.defaults

    @OptionGroup(title: "The defender's rule (one aggregation beside each row; the -opt attacks' loop)")
    var ruleOptions: RuleOptions

    @Option(name: .long, help: "Timed rounds per attack and calls per pre-aggregation (the median is reported).")
    var runs = 9

    @Option(name: .long, help: "Seed of the random matrix.")
    var seed: UInt64 = 1

    @Option(name: .long, help: "table or json.")
    var format: OutputFormat = .table

    func validate() throws {
        try reportingErrors { _ = try makePlan() }
    }

    func run() throws {
        let plan = try reportingErrors { try makePlan() }
        let matrix = GradientMatrix.standardNormal(rowCount: rowCount, columnCount: columnCount, seed: seed)
        if format == .table {
            Terminal.note("m = \(rowCount), d = \(columnCount), b = \(byzantine) Byzantine (workers 0..<\(byzantine)), "
                          + "rule \(plan.rule.name), \(runs) runs per row, \(ProcessInfo.processInfo.activeProcessorCount) cores")
        }
        let rows = try BenchAttacksMeasurement(plan: plan, matrix: matrix, byzantine: byzantine, runs: runs, seed: seed).rows()
        switch format {
        case .json: try printJSON(rows)
        case .table: BenchAttacksRow.printTable(rows)
        }
    }

    /// Every check, before any work: the shape, b, the rule, each attack and pre-aggregation.
    private func makePlan() throws -> BenchAttacksPlan {
        guard (2 ... Experiment.maximumWorkers).contains(rowCount) else {
            throw UsageError("--workers: is \(rowCount); it must lie in 2...\(Experiment.maximumWorkers)")
        }
        guard columnCount >= 1 else { throw UsageError("--dimension: is \(columnCount); it must be ≥ 1") }
        guard (1 ..< rowCount).contains(byzantine) else {
            throw UsageError("--byzantine: is \(byzantine); it must lie in 1...\(rowCount - 1) (--workers − 1: the omniscient attacks need an honest row)")
        }
        do {
            try Experiment.checkMemory(rows: rowCount + byzantine, columns: columnCount, field: nil)
        } catch {
            throw UsageError("--workers \(rowCount) --dimension \(columnCount): \(error.detail)")
        }
        guard runs >= 1 else { throw UsageError("--runs: is \(runs); it must be ≥ 1") }
        return try BenchAttacksPlan(
            attacks: Self.names(attacks), preAggregations: Self.names(preAggregations), ruleOptions: ruleOptions,
            workerCount: rowCount, byzantineCount: byzantine, seed: seed)
    }

    /// The items of a comma-separated list; none for `none`.
    private static func names(_ list: String) -> [String] {
        let items = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return items == ["none"] ? [] : items
    }
}
