import BrSGDExperiments
import BrSGDRecords
import Foundation
import Testing

@Suite struct PaperTable1Tests {
    @Test func everyRowHasThirteenNumbers() {
        #expect(PaperTable1.columns.count == 13)
        #expect(Set(PaperTable1.rows.keys) == Set(PaperTable1.attacks))
        for (attack, row) in PaperTable1.rows {
            #expect(row.count == 13, "row \(attack)")
        }
    }

    /// Cells read off the paper's text (brsgd-paper.md, Table 1), by hand, one per rule group
    /// and including the 13th number (Krum at 50%) that the header omits.
    @Test(arguments: [
        ("gaussian", "brsgd", 0.0, 84.16),
        ("gaussian", "mean", 0.25, 9.93),
        ("gaussian", "krum", 0.50, 79.62),
        ("model-negation", "brsgd", 0.50, 82.13),
        ("model-negation", "krum", 0.10, 80.44),
        ("gradient-scale", "median", 0.50, 9.80),
        ("gradient-scale", "mean", 0.10, 85.87),
        ("gradient-scale", "krum", 0.50, 70.76),
        ("label-flip", "median", 0.25, 86.00),
        ("label-flip", "mean", 0.50, 80.11),
        ("label-flip", "krum", 0.50, 68.76),
    ])
    func spotChecks(attack: String, rule: String, fraction: Double, expected: Double) {
        #expect(PaperTable1.value(attack: attack, rule: rule, fraction: fraction) == expected)
    }

    @Test func aliasesAndMissingCells() {
        #expect(PaperTable1.value(attack: "Label Inverse", rule: "Ours", fraction: 0.1) == 82.93)
        #expect(PaperTable1.value(attack: "model_negation", rule: "KRUM", fraction: 0.25) == 81.18)
        #expect(PaperTable1.value(attack: "gaussian", rule: "median", fraction: 0) == nil)
        #expect(PaperTable1.value(attack: "gaussian", rule: "krum", fraction: 0.3) == nil)
        #expect(PaperTable1.value(attack: "alie", rule: "brsgd", fraction: 0.1) == nil)
        #expect(PaperTable1.value(attack: "gaussian", rule: "trimmed-mean", fraction: 0.1) == nil)
        // b/m computed as 2/20 finds the 10% column.
        #expect(PaperTable1.value(attack: "gaussian", rule: "median", fraction: 2.0 / 20.0) == 83.73)
    }
}
