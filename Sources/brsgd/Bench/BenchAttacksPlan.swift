import ByzantineAttacks
import RobustAggregation

/// What `bench attacks` times, every piece built and checked against m and b before the
/// matrix is drawn.
struct BenchAttacksPlan {
    /// The defender: `--rule` and its options, f defaulting to b.
    var rule: any AggregationRule
    var attacks: [(kind: AttackKind, attack: any Attack)]
    /// Each pre-aggregation alone (around ``NoAggregation``) and with the rule after it.
    var preAggregations: [(choice: PreAggregationChoice, alone: any AggregationRule, withRule: any AggregationRule)]

    /// - Throws: a usage error naming the option at fault (an unknown attack or
    ///   pre-aggregation, one that cannot run with these m and b, a rule's bad parameter).
    init(attacks attackNames: [String], preAggregations choiceNames: [String], ruleOptions: RuleOptions,
         workerCount m: Int, byzantineCount b: Int, seed: UInt64) throws {
        guard !attackNames.isEmpty || !choiceNames.isEmpty else {
            throw UsageError("--attacks, --pre-aggregations: both none; name something to time")
        }
        /// f = b where the rule or a pre-aggregation needs it and --assumed-byzantine is not given.
        func withByzantineCount(_ configuration: RuleConfiguration) -> RuleConfiguration {
            var copy = configuration
            if copy.needsByzantineCount && copy.byzantineCount == nil { copy.byzantineCount = b }
            return copy
        }
        let defender = withByzantineCount(try ruleOptions.configuration())
        do { rule = try defender.makeRule(seed: seed, checkedFor: m) } catch { throw UsageError(error) }

        self.attacks = try attackNames.map { name in
            guard let kind = AttackKind(rawValue: name) else {
                throw UsageError("--attacks: unknown attack '\(name)'; known: \(AttackKind.allCases.map(\.rawValue).joined(separator: ", ")) (or none)")
            }
            do throws(AttackError) {
                let attack = try AttackConfiguration(kind: kind).makeAttack()
                try attack.validate(workerCount: m, byzantineCount: b)
                return (kind, attack)
            } catch {
                throw UsageError("--attacks: \(kind) with --workers \(m) --byzantine \(b): \(error.message)")
            }
        }

        let f = ruleOptions.assumedByzantine ?? b
        preAggregations = try choiceNames.map { name in
            let choice = try PreAggregationChoice(parsing: name)
            var stage = choice.applied(to: RuleConfiguration(name: .mean))
            if stage.needsByzantineCount { stage.byzantineCount = f }
            do throws(AggregationError) {
                let alone = try stage.wrappingPreAggregations(around: NoAggregation(), seed: seed)
                _ = try alone.aggregate(GradientMatrix(rowCount: m, columnCount: 1))
                let withRule = try withByzantineCount(choice.applied(to: defender)).makeRule(seed: seed, checkedFor: m)
                return (choice, alone, withRule)
            } catch {
                throw UsageError("--pre-aggregations: \(choice) before \(defender.name.rawValue), m = \(m): \(error.message)")
            }
        }
    }
}
