import Foundation
import Testing

/// `brsgd bench attacks` on a small random matrix: what it reports and what it refuses, not
/// how fast (no timing thresholds: the numbers are this machine's).
@Suite(.serialized) struct BenchAttacksCommandTests {
    struct Row: Decodable {
        var kind: String
        var name: String
        var m: Int
        var d: Int
        var byzantine: Int
        var runs: Int
        var median_ms: Double
        var cpu_ms: Double
        var rule: String
        var rule_ms: Double
        var rule_cpu_ms: Double
        var ratio: Double
        var attack: String?
        var knowledge: String?
        var needs_defender: Bool?
        var crafts: Int?
        var with_rule_ms: Double?
        var note: String?
    }

    /// Every attack, in `AttackKind`'s order (a new attack must show up here too).
    static let attacks = ["gaussian", "model-negation", "gradient-scale", "label-flip", "sign-flip", "alie", "ipm",
                          "mimic", "nan", "inf", "foe", "min-max", "min-sum", "alie-opt", "ipm-opt"]

    static let small = ["bench", "attacks", "--workers", "6", "--dimension", "40", "--byzantine", "2", "--runs", "1"]

    @Test func givesARowPerAttackAndPreAggregationWithTheirFields() throws {
        let run = try CommandRunner.run(Self.small + ["--format", "json"])
        #expect(run.status == 0, "\(run.stderr)")
        let rows = try JSONDecoder().decode([Row].self, from: Data(run.stdout.utf8))
        let attackRows = rows.filter { $0.kind == "attack" }, stages = rows.filter { $0.kind == "pre-aggregation" }
        #expect(attackRows.map(\.name) == Self.attacks)
        #expect(stages.map(\.name) == ["clipping=1", "arc", "bucketing=2", "nnm"])
        for row in rows {
            #expect(row.m == 6 && row.d == 40 && row.byzantine == 2 && row.runs == 1, "\(row.name)")
            #expect(row.median_ms >= 0 && row.cpu_ms >= 0 && row.rule_ms > 0 && row.rule_cpu_ms >= 0, "\(row.name)")
            #expect(row.ratio == row.median_ms / row.rule_ms, "\(row.name)")
            #expect(row.rule.hasPrefix("brsgd"), "\(row.name)")
        }
        for row in attackRows {
            #expect(row.attack != nil && row.knowledge != nil && row.needs_defender != nil && row.crafts != nil, "\(row.name)")
            #expect(row.with_rule_ms == nil, "\(row.name)")
        }
        let byName = Dictionary(uniqueKeysWithValues: rows.map { ($0.name, $0) })
        #expect(byName["gaussian"]?.crafts == 2 && byName["gaussian"]?.needs_defender == false)
        #expect(byName["alie-opt"]?.crafts == 1 && byName["alie-opt"]?.needs_defender == true)
        #expect(byName["label-flip"]?.note?.contains("acts on data") == true)
        #expect(byName["gaussian"]?.note == nil)
        for row in stages { #expect(row.with_rule_ms != nil && row.knowledge == nil, "\(row.name)") }
    }

    @Test func tableNamesEachRowTheRuleAndWhatLabelFlipIs() throws {
        let run = try CommandRunner.run(Self.small + ["--attacks", "label-flip,alie-opt", "--pre-aggregations", "nnm",
                                                      "--rule", "krum", "--clipping", "5"])
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("label-flip *") })
        #expect(lines.contains { $0.hasPrefix("alie-opt ") && $0.contains("omniscient + rule") })
        #expect(lines.contains { $0.hasPrefix("nnm ") })
        #expect(lines.contains { $0.hasPrefix("* label-flip: acts on data") })
        // The defender is --rule with its own pre-aggregation (f defaults to b = 2).
        #expect(lines.last?.contains("clipping(c=5.0)+krum(f=2)") == true, "\(run.stdout)")
    }

    @Test func refusesBadInputWithOneLineNamingTheOption() throws {
        for (arguments, expected) in [
            (["--attacks", "gaussian,nope"], "--attacks: unknown attack 'nope'"),
            (["--attacks", "alie", "--byzantine", "4"], "--attacks: alie with --workers 6 --byzantine 4"),
            (["--byzantine", "6"], "--byzantine: is 6; it must lie in 1...5"),
            (["--byzantine", "0"], "--byzantine: is 0"),
            (["--workers", "1"], "--workers: is 1"),
            (["--dimension", "0"], "--dimension: is 0"),
            (["--runs", "0"], "--runs: is 0"),
            (["--pre-aggregations", "bucketing=0"], "--pre-aggregations: bucketing=0: s must be an integer ≥ 1"),
            (["--pre-aggregations", "clipping=inf"], "--pre-aggregations: clipping=inf: c must be a finite number > 0"),
            (["--pre-aggregations", "arc=2"], "--pre-aggregations: arc=2: arc takes no value"),
            (["--pre-aggregations", "sorting"], "--pre-aggregations: unknown pre-aggregation 'sorting'"),
            (["--rule", "krum", "--attacks", "none", "--pre-aggregations", "bucketing=2"],
             "--pre-aggregations: bucketing=2 before krum"),
            (["--attacks", "none", "--pre-aggregations", "none"], "--attacks, --pre-aggregations: both none"),
            (["--rule", "brsgd", "--beta", "2"], "--beta:"),
            (["--format", "csv"], "--format"),
        ] {
            let run = try CommandRunner.run(Self.small + arguments)
            #expect(run.status == 64, "\(arguments): \(run.status)")
            #expect(run.stdout.isEmpty, "\(arguments)")
            #expect(run.stderr.contains(expected), "\(arguments): \(run.stderr)")
            if !arguments.contains("--format") {
                #expect(run.stderr.split(separator: "\n").count == 1, "\(arguments): \(run.stderr)")
            }
        }
    }

    @Test func helpSaysWhatIsTimedWithAnExample() throws {
        let run = try CommandRunner.run(["bench", "attacks", "--help"])
        #expect(run.status == 0)
        #expect(run.stdout.contains("What is timed."))
        #expect(run.stdout.contains("brsgd bench attacks --byzantine 9"))
        #expect(run.stdout.contains("label-flip acts on data"))
    }
}
