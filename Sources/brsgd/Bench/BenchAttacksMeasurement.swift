import BrSGDCluster
import ByzantineAttacks
import RobustAggregation

/// Runs what a ``BenchAttacksPlan`` lists on one matrix: each attack's rounds of crafting and
/// each pre-aggregation's calls, every row with one aggregation by the rule timed just before
/// and just after it, under the same load.
struct BenchAttacksMeasurement {
    var plan: BenchAttacksPlan
    var matrix: GradientMatrix
    var byzantine: Int
    var runs: Int
    var seed: UInt64
    /// Where and when the rows were measured (asked once: it reads /proc and runs git).
    let machine = MachineInfo.current()

    /// The attack rows, then the pre-aggregation rows.
    func rows() throws -> [BenchAttacksRow] {
        let attackers = Array(0 ..< byzantine)
        var scratch = [Float](repeating: 0, count: byzantine * matrix.columnCount)
        _ = try ruleTiming()  // warm-up
        var rows: [BenchAttacksRow] = []
        for (kind, attack) in plan.attacks {
            rows.append(try row(.attack, name: kind.rawValue) {
                // One round as the simulation's master crafts it (round 0, the master's generators).
                CallTiming(runs: runs) {
                    scratch.withUnsafeMutableBufferPointer { out in
                        attack.craftRound(into: out, attackers: attackers, gradients: matrix, round: 0,
                                          defender: plan.rule) { RandomStreams.attack(seed, worker: $0, round: 0) }
                    }
                }
            } describe: { row in
                row.attack = attack.name
                row.knowledge = attack.knowledge.description
                row.needsDefender = attack.needsDefender
                row.crafts = attack.isIdenticalAcrossWorkers ? 1 : byzantine
                if attack.labelTransform(classCount: 10) != nil {  // any class count would answer the same
                    row.note = "acts on data: its worker relabels its batch, then computes its gradient as an honest worker does (not timed); timed: copying that gradient into its row"
                }
            })
        }
        let accepted = AcceptedRows(matrix)
        for (choice, alone, withRule) in plan.preAggregations {
            var withRuleTiming: CallTiming?
            rows.append(try row(.preAggregation, name: choice.description) {
                let timing = try CallTiming.aggregation(runs: runs, rule: alone.name) { try alone.aggregate(accepted) }
                withRuleTiming = try CallTiming.aggregation(runs: runs, rule: withRule.name) {
                    try withRule.aggregate(matrix, round: 0)
                }
                return timing
            } describe: { row in
                row.withRuleMs = withRuleTiming?.medianMs
                row.withRuleCpuMs = withRuleTiming?.cpuMs
            })
        }
        return rows
    }

    /// One aggregation by the rule on the matrix, `runs` times.
    private func ruleTiming() throws -> CallTiming {
        try CallTiming.aggregation(runs: runs, warmUp: 0, rule: plan.rule.name) { try plan.rule.aggregate(matrix) }
    }

    /// A row: `measure` timed between two timings of the rule, then `describe` fills in
    /// what is particular to the kind of row.
    private func row(_ kind: BenchAttacksRow.Kind, name: String, measure: () throws -> CallTiming,
                     describe: (inout BenchAttacksRow) -> Void) throws -> BenchAttacksRow {
        let load = oneMinuteLoadAverage()
        let before = try ruleTiming()
        let timing = try measure()
        let rule = CallTiming(merging: before, try ruleTiming())
        var row = BenchAttacksRow(
            kind: kind, name: name,
            m: matrix.rowCount, d: matrix.columnCount, byzantine: byzantine, runs: runs,
            medianMs: timing.medianMs, cpuMs: timing.cpuMs, rule: plan.rule.name, ruleMs: rule.medianMs,
            ruleCpuMs: rule.cpuMs, ratio: timing.medianMs / rule.medianMs, loadAverage: load, machine: machine)
        describe(&row)
        return row
    }
}
