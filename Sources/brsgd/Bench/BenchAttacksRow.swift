import ByzantineAttacks
import Foundation

/// One row of `bench attacks`: an attack's round of crafting or a pre-aggregation's call,
/// beside one aggregation by the rule at the same shape.
struct BenchAttacksRow: Encodable {
    enum Kind: String, Encodable {
        case attack
        case preAggregation = "pre-aggregation"
    }

    var kind: Kind
    /// The attack (`alie`), or the pre-aggregation as `--pre-aggregations` spells it (`bucketing=2`).
    var name: String
    var m: Int
    var d: Int
    var byzantine: Int
    var runs: Int
    /// The median wall time of a round of crafting (attacks) or of the pre-aggregation alone.
    var medianMs: Double
    var cpuMs: Double
    /// The defender's rule, and the median of its aggregations timed before and after the row.
    var rule: String
    var ruleMs: Double
    var ruleCpuMs: Double
    /// medianMs / ruleMs: what the row adds to a round, in aggregations.
    var ratio: Double
    /// The 1-minute load average when the row's timing began (nil where unavailable).
    var loadAverage: Double?
    /// Attacks: the attack with its parameters (`alie(z=auto)`), what it sees, whether the rule is in its loop, crafts per round.
    var attack: String?
    var knowledge: String?
    var needsDefender: Bool?
    var crafts: Int?
    /// Pre-aggregations: the rule after the pre-aggregation, on the whole matrix.
    var withRuleMs: Double?
    var withRuleCpuMs: Double?
    /// What the time does and does not hold, where that needs saying (label-flip).
    var note: String?
    /// Where and when it ran.
    var machine: MachineInfo

    enum CodingKeys: String, CodingKey {
        case kind, name, m, d, byzantine, runs, rule, ratio, attack, knowledge, crafts, note, machine
        case medianMs = "median_ms"
        case cpuMs = "cpu_ms"
        case ruleMs = "rule_ms"
        case ruleCpuMs = "rule_cpu_ms"
        case loadAverage = "load_average"
        case needsDefender = "needs_defender"
        case withRuleMs = "with_rule_ms"
        case withRuleCpuMs = "with_rule_cpu_ms"
    }

    /// The rows as two tables (attacks, then pre-aggregations), notes marked with * below.
    static func printTable(_ rows: [BenchAttacksRow]) {
        let attacks = rows.filter { $0.kind == .attack }, stages = rows.filter { $0.kind == .preAggregation }
        func left(_ text: String, _ width: Int) -> String { text.padding(toLength: width, withPad: " ", startingAt: 0) }
        func right(_ text: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - text.count)) + text }
        func name(_ row: BenchAttacksRow) -> String { left(row.name + (row.note == nil ? "" : " *"), 17) }
        func times(_ row: BenchAttacksRow) -> String {
            String(format: "%10.3f %9.3f %9.3f %8.2f", row.medianMs, row.cpuMs, row.ruleMs, row.ratio)
        }
        func load(_ row: BenchAttacksRow) -> String { right(row.loadAverage.map { String(format: "%.1f", $0) } ?? "-", 6) }
        let timesHeader = right("median ms", 10) + right("CPU ms", 10) + right("rule ms", 10) + right("× rule", 9)
        if !attacks.isEmpty {
            print(left("attack", 17) + left("knowledge", 18) + right("crafts", 7) + timesHeader + right("load", 6))
            for row in attacks {
                let knowledge = row.knowledge == AttackKnowledge.honestGradients.description ? "omniscient" : row.knowledge ?? ""
                print(name(row) + left(knowledge + (row.needsDefender == true ? " + rule" : ""), 18)
                      + right("\(row.crafts ?? 0)", 7) + times(row) + load(row))
            }
        }
        if !stages.isEmpty {
            if !attacks.isEmpty { print("") }
            print(left("pre-aggregation", 17) + timesHeader + right("rule after it, ms", 19) + right("load", 6))
            for row in stages {
                print(name(row) + times(row) + right(row.withRuleMs.map { String(format: "%.3f", $0) } ?? "-", 19) + load(row))
            }
        }
        for row in rows { if let note = row.note { print("* \(row.name): \(note)") } }
        if let rule = rows.first?.rule {
            print("median ms: one round of crafting the b rows (attacks) or one call (pre-aggregations); rule ms: one aggregation by \(rule)")
        }
    }
}
