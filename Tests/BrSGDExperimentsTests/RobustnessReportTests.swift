import BrSGDExperiments
import BrSGDRecords
import Foundation
import Testing

@Suite struct RobustnessReportTests {
    static func record(_ rule: String, _ attack: String, byzantine: Int, alpha: Double?, seed: UInt64, accuracy: Double) -> RunRecord {
        var config = Fixtures.config(attack: attack, rule: rule, byzantine: byzantine, seed: seed)
        config.partition = alpha.map { .dirichlet(alpha: $0) } ?? .iid
        return Fixtures.record(config, finalAccuracy: accuracy, epochs: 2)
    }

    /// Two seeds each: at IID, b = 5, brsgd has ipm at 0.50/0.70 (mean 0.60) and alie at
    /// 0.55/0.75 (mean 0.65): ipm is the worst though alie has the single lowest-but-one run.
    static func records() -> [RunRecord] {
        [
            record("brsgd", "ipm", byzantine: 5, alpha: nil, seed: 1, accuracy: 0.50),
            record("brsgd", "ipm", byzantine: 5, alpha: nil, seed: 2, accuracy: 0.70),
            record("brsgd", "alie", byzantine: 5, alpha: nil, seed: 1, accuracy: 0.75),
            record("brsgd", "alie", byzantine: 5, alpha: nil, seed: 2, accuracy: 0.55),
            record("brsgd", "alie", byzantine: 5, alpha: 0.1, seed: 1, accuracy: 0.30),
            record("median", "ipm", byzantine: 2, alpha: nil, seed: 1, accuracy: 0.80),
            record("mean", "none", byzantine: 0, alpha: nil, seed: 1, accuracy: 0.82),
            record("mean", "none", byzantine: 0, alpha: nil, seed: 2, accuracy: 0.84),
            record("mean", "none", byzantine: 0, alpha: 0.1, seed: 1, accuracy: 0.70),
        ]
    }

    @Test func theWorstCaseIsTheAttackOfLowestMeanOverSeeds() throws {
        let report = RobustnessReport(records: Self.records(), preferredRules: ["median", "brsgd"])
        #expect(report.rules == ["median", "brsgd"])
        #expect(report.fractions == [0.1, 0.25])
        #expect(report.heterogeneities.map(\.title) == ["IID", "Dir(0.1)"])
        #expect(report.attacks == ["alie", "ipm"])
        let iid = RobustnessReport.Heterogeneity(dirichletAlpha: nil)
        let cell = try #require(report.cell(rule: "brsgd", fraction: 0.25, heterogeneity: iid))
        #expect(cell.worst.attack == "ipm")
        #expect(abs(cell.worst.mean - 0.60) < 1e-12)
        #expect(abs(try #require(cell.worst.standardDeviation) - (0.02).squareRoot()) < 1e-12)
        #expect(cell.attacks.map(\.attack) == ["ipm", "alie"])
        #expect(cell.worst.seeds == [1, 2])
        let skewed = try #require(report.cell(rule: "brsgd", fraction: 0.25, heterogeneity: .init(dirichletAlpha: 0.1)))
        #expect(skewed.worst.attack == "alie" && skewed.worst.standardDeviation == nil)
        #expect(report.cell(rule: "median", fraction: 0.25, heterogeneity: iid) == nil)
        let baseline = try #require(report.baseline(iid))
        #expect(baseline.rule == "mean" && abs(baseline.runs.mean - 0.83) < 1e-12)
    }

    @Test func markdownAndCSVShowTheWorstCaseAndEveryAttack() {
        let report = RobustnessReport(records: Self.records(), preferredRules: ["brsgd"])
        let markdown = report.markdown()
        #expect(markdown.contains("| clean (mean, no attack) | 0% | 83.0 ± 1.4 | 70.0 |"))
        #expect(markdown.contains("| brsgd | 25% | 60.0 ± 14.1 ipm | 30.0 alie |"))
        #expect(markdown.contains("| median | 10% | 80.0 ipm | — |"))
        #expect(markdown.contains("| brsgd | 25% | 65.0 (65.0) | **60.0** (60.0) |"), "the IID per-attack table, worst in bold")
        let csv = report.csv().split(separator: "\n").map(String.init)
        #expect(csv[0] == "rule,fraction,heterogeneity,dirichlet_alpha,attack,seeds,mean,std,worst,peak_mean,peak_std,worst_by_peak,gamma")
        #expect(csv.contains("mean,0,iid,,none,2,0.8300,0.0141,,0.8300,0.0141,,"))
        #expect(csv.contains("brsgd,0.25,iid,,ipm,2,0.6000,0.1414,true,0.6000,0.1414,true,"))
        #expect(csv.contains("brsgd,0.25,iid,,alie,2,0.6500,0.1414,false,0.6500,0.1414,false,"))
        #expect(csv.contains("brsgd,0.25,dirichlet-0.1,0.1,alie,1,0.3000,,true,0.3000,,true,"))
        #expect(csv.count == 1 + 2 + 4)
    }

    @Test func theJSONHoldsFractions() throws {
        let data = try RobustnessReport(records: Self.records()).jsonData()
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let cells = try #require(object["cells"] as? [[String: Any]])
        let brsgd = try #require(cells.first { $0["rule"] as? String == "brsgd" && $0["fraction"] as? Double == 0.25
            && ($0["heterogeneity"] as? [String: Any])?["name"] as? String == "iid" })
        let worst = try #require(brsgd["worst"] as? [String: Any])
        #expect(worst["attack"] as? String == "ipm")
        #expect(abs((worst["mean"] as? Double ?? 0) - 0.6) < 1e-12)
        #expect((brsgd["attacks"] as? [Any])?.count == 2)
    }

    @Test func theHeatmapHasOneSquarePerCellColouredByAccuracy() {
        let report = RobustnessReport(records: Self.records(), preferredRules: ["brsgd", "median"])
        let svg = RobustnessHeatmap(report: report).svg()
        #expect(svg.hasPrefix("<?xml"))
        #expect(svg.contains(">brsgd</text>") && svg.contains(">median</text>"))
        #expect(svg.contains("data-accuracy=\"0.6000\"") && svg.contains("data-accuracy=\"0.3000\""))
        #expect(svg.contains(">60.0 ± 14.1</text>"))
        // brsgd has no run at 10% (2 squares), median only IID at 10% (3): grey squares with a dash.
        #expect(svg.components(separatedBy: ">—</text>").count - 1 == 5)
        let single = RobustnessHeatmap(report: report, rules: ["median"]).svg()
        #expect(!single.contains(">brsgd</text>"))
        // Darker for lower accuracy: viridis' ends.
        #expect(Palette.viridis(0) == "#440154" && Palette.viridis(1) == "#FDE725")
        #expect(Palette.viridis(.nan) == "#440154")
    }

    /// Peaks come from the evaluations during training: ipm ends lowest (0.60) but peaked at
    /// 0.90, alie ends at 0.65 and peaked at 0.75 and 0.70, so the worst by peak is alie; the peak table
    /// and the CSV say both.
    @Test func peaksAreReportedBesideFinalAccuracies() throws {
        let records = Self.records().map { record -> RunRecord in
            var record = record
            guard record.config.rule.name == .brsgd, record.config.partition == .iid else { return record }
            let peak = record.config.attackName == "ipm" ? 0.90 : 0.70
            record.evaluations = [EvaluationRecord(round: 0, testAccuracy: 0.1, testLoss: 2.3),
                                  EvaluationRecord(round: 50, testAccuracy: peak, testLoss: 0.5)]
            return record
        }
        let report = RobustnessReport(records: records, preferredRules: ["brsgd"])
        let cell = try #require(report.cell(rule: "brsgd", fraction: 0.25, heterogeneity: .init(dirichletAlpha: nil)))
        #expect(cell.worst.attack == "ipm" && cell.worstByPeak.attack == "alie")
        #expect(abs(cell.worstByPeak.peakMean - 0.725) < 1e-12, "alie's seeds peak at 0.75 (its last epoch) and 0.70")
        let markdown = report.markdown()
        #expect(markdown.contains("| brsgd | 25% | 60.0 ± 14.1 ipm | 30.0 alie |"))
        #expect(markdown.contains("| brsgd | 25% | 72.5 ± 3.5 alie | 30.0 alie |"))
        #expect(markdown.contains("| brsgd | 25% | 65.0 (72.5) | **60.0** (90.0) |"))
        let csv = report.csv()
        #expect(csv.contains("brsgd,0.25,iid,,ipm,2,0.6000,0.1414,true,0.9000,0.0000,false,"))
        #expect(csv.contains("brsgd,0.25,iid,,alie,2,0.6500,0.1414,false,0.7250,0.0354,true,"))
    }
}
