import BrSGDExperiments
import BrSGDRecords
import Foundation
import Testing

@Suite struct Table1ReportTests {
    /// gaussian/brsgd at 25% over three seeds, krum at 50% over two, one clean run, one extra rule.
    static func records() -> [RunRecord] {
        [
            Fixtures.record(Fixtures.config(byzantine: 5, seed: 1), finalAccuracy: 0.84),
            Fixtures.record(Fixtures.config(byzantine: 5, seed: 2), finalAccuracy: 0.85),
            Fixtures.record(Fixtures.config(byzantine: 5, seed: 3), finalAccuracy: 0.86),
            Fixtures.record(Fixtures.config(rule: "krum", byzantine: 10, seed: 1), finalAccuracy: 0.70),
            Fixtures.record(Fixtures.config(rule: "krum", byzantine: 10, seed: 2), finalAccuracy: 0.60),
            Fixtures.record(Fixtures.config(byzantine: 0, seed: 1), finalAccuracy: 0.855),
            Fixtures.record(Fixtures.config(rule: "trimmed-mean", byzantine: 2, seed: 1), finalAccuracy: 0.80),
            Fixtures.record(Fixtures.config(attack: "alie", byzantine: 2, seed: 1), finalAccuracy: 0.50),
        ]
    }

    @Test func meanAndSampleStandardDeviationOverSeeds() throws {
        let report = Table1Report(records: Self.records())
        let cell = try #require(report.cell(attack: "gaussian", rule: "brsgd", fraction: 0.25))
        #expect(cell.accuracies.count == 3)
        #expect(cell.seeds == [1, 2, 3])
        #expect(abs(try #require(cell.mean) - 85) < 1e-9)
        #expect(abs(try #require(cell.standardDeviation) - 1) < 1e-9)  // sample std of 84, 85, 86
        #expect(cell.paper == 84.56)

        let krum = try #require(report.cell(attack: "gaussian", rule: "krum", fraction: 0.5))
        #expect(abs(try #require(krum.mean) - 65) < 1e-9)
        #expect(abs(try #require(krum.standardDeviation) - sqrt(50)) < 1e-9)
        #expect(krum.paper == 79.62)
    }

    @Test func cleanRunFillsAlphaZeroOfEveryAttackRow() throws {
        let report = Table1Report(records: Self.records())
        for attack in PaperTable1.attacks + ["alie"] {
            let cell = try #require(report.cell(attack: attack, rule: "brsgd", fraction: 0))
            #expect(cell.accuracies.count == 1)
            #expect(abs(try #require(cell.mean) - 85.5) < 1e-9)
            #expect(cell.standardDeviation == nil)
        }
    }

    @Test func extraRulesAndAttacksAreAppended() throws {
        let report = Table1Report(records: Self.records())
        #expect(report.attacks == PaperTable1.attacks + ["alie"])
        #expect(report.columns.count == 14)
        #expect(report.columns.last == Table1Report.Column(rule: "trimmed-mean", fraction: 0.1))
        #expect(Array(report.columns.prefix(13).map(\.rule)) == PaperTable1.columns.map(\.rule))
        let extra = try #require(report.cell(attack: "alie", rule: "brsgd", fraction: 0.1))
        #expect(extra.paper == nil)
    }

    @Test func markdownHasPaperLayoutAndExpectedCells() throws {
        let markdown = Table1Report(records: Self.records()).markdown()
        let lines = markdown.split(separator: "\n").map(String.init)
        let header = try #require(lines.first { $0.hasPrefix("| Attack") })
        #expect(header.contains("Ours α=0%") && header.contains("Krum α=50%") && header.contains("Trimmed Mean α=10%"))
        let gaussian = try #require(lines.first { $0.hasPrefix("| Gaussian |") })
        #expect(gaussian.contains("| 85.0 ± 1.0 (84.56) |"))
        #expect(gaussian.contains("| 65.0 ± 7.1 (79.62) |"))
        #expect(gaussian.contains("| 85.5 (84.16) |"))
        #expect(gaussian.contains("| — (9.93) |"))
        #expect(gaussian.contains("| 80.0 (—) |"))
        // One row per attack, each with 1 + 14 cells.
        for title in ["Gaussian", "Model Negation", "Gradient Scale", "Label Flip", "Alie"] {
            let row = try #require(lines.first { $0.hasPrefix("| \(title) |") }, "row \(title)")
            #expect(row.split(separator: "|", omittingEmptySubsequences: true).count == 15)
        }
    }

    @Test func csvParsesBack() throws {
        let report = Table1Report(records: Self.records())
        let lines = report.csv().split(separator: "\n").map(String.init)
        #expect(lines.first == "attack,rule,fraction,seeds,mean,std,paper")
        let rows = lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        #expect(rows.count == report.cells.count)
        #expect(rows.allSatisfy { $0.count == 7 })
        let row = try #require(rows.first { $0[0] == "gaussian" && $0[1] == "brsgd" && $0[2] == "0.25" })
        #expect(row[3] == "3")
        // Fractions in files (percent only on the console and in Markdown).
        #expect(Double(row[4]) == 0.85)
        #expect(Double(row[5]) == 0.01)
        #expect(Double(row[6]) == 0.8456)
        let paperOnly = try #require(rows.first { $0[0] == "label-flip" && $0[1] == "mean" && $0[2] == "0.5" })
        #expect(paperOnly[3] == "0" && paperOnly[4].isEmpty && paperOnly[5].isEmpty && Double(paperOnly[6]) == 0.8011)
        // The 13 paper cells of every paper row are there.
        for attack in PaperTable1.attacks {
            #expect(rows.filter { $0[0] == attack && !$0[6].isEmpty }.count == 13)
        }
    }

    @Test func jsonRoundTripsAndCarriesDerivedValues() throws {
        let report = Table1Report(records: Self.records())
        let data = try report.jsonData()
        let decoded = try JSONDecoder().decode(Table1Report.self, from: data)
        #expect(decoded.cells.count == report.cells.count)
        for (a, b) in zip(decoded.cells, report.cells) {
            #expect(zip(a.accuracies, b.accuracies).allSatisfy { abs($0 - $1) < 1e-9 } && a.seeds == b.seeds)
        }
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let cells = try #require(object["cells"] as? [[String: Any]])
        #expect(cells.contains { ($0["std"] as? Double).map { abs($0 - 0.01) < 1e-9 } ?? false }, "fractions in files")
        #expect(cells.allSatisfy { ($0["mean"] as? Double).map { $0 <= 1 } ?? true })
    }

    @Test func differencesListCellsFarFromThePaper() throws {
        let report = Table1Report(records: Self.records())
        let differing = report.differences(threshold: 5)
        // Krum 50%: 65 vs 79.62; trimmed-mean and alie have no paper value.
        #expect(differing.count == 1)
        #expect(differing.first?.column == Table1Report.Column(rule: "krum", fraction: 0.5))
        let text = report.differenceMarkdown()
        #expect(text.contains("Gaussian, Krum, α = 50%: ours 65.0 vs paper 79.62 (−14.6)"))
    }

    @Test func emptyReportStillShowsThePaper() {
        let report = Table1Report(records: [])
        #expect(report.cells.count == 4 * 13)
        #expect(report.markdown().contains("| — (84.16) |"))
    }

    @Test func summaryTableAlignsColumns() {
        var table = SummaryTable(headers: ["Rule", "Acc"], alignments: [.left, .right])
        table.append(["brsgd", "84.9"])
        table.append(["a|b", "1.0"])
        let lines = table.markdown.split(separator: "\n").map(String.init)
        #expect(lines[0] == "| Rule  |  Acc |")
        #expect(lines[1] == "|:------|-----:|")
        #expect(lines[2] == "| brsgd | 84.9 |")
        #expect(lines[3] == "| a\\|b  |  1.0 |")
        let summary = SummaryTable.finalAccuracy(of: Self.records())
        #expect(summary.rows.count == 8)
        #expect(summary.rows[0] == ["brsgd", "gaussian", "25%", "84.00", "15.2"])
    }
}
