import BrSGDRecords
import Foundation

extension RobustnessReport {
    /// The report in Markdown:
    /// 1. the worst case over attacks by final accuracy: one row per (rule, α), one column per
    ///    heterogeneity, each cell `62.3 ± 1.1 ipm-opt` (the worst attack's mean ± std over
    ///    seeds, then its name), under a row of the clean baseline;
    /// 2. the same by peak accuracy during training (ByzFL's measure);
    /// 3. per heterogeneity, every attack's mean final and peak accuracy, `61.0 (64.2)`: one
    ///    row per (rule, α), one column per attack, the worst final in bold — where each rule
    ///    loses, and to what.
    public func markdown(digits: Int = 1) -> String {
        var lines: [String] = []
        let seedCounts = cells.flatMap { $0.attacks.map(\.accuracies.count) } + baselines.map(\.runs.accuracies.count)
        let seeds = seedCounts.isEmpty ? "0" : seedCounts.min() == seedCounts.max() ? "\(seedCounts[0])" : "\(seedCounts.min()!)–\(seedCounts.max()!)"
        lines.append("Worst-case final test accuracy (%) over \(attacks.count) attacks (\(attacks.joined(separator: ", "))): "
                     + "each cell is the mean ± sample std over \(seeds) seed(s) of the attack with the lowest mean, and that attack. "
                     + "α is the fraction of Byzantine workers; Dir(a) is a Dirichlet(a) split of the training set (smaller a: more heterogeneous).")
        if let settings { lines += ["", settings.sentence] }
        lines.append("")
        lines += worstCaseTable(peak: false, digits: digits)
        lines.append("")
        lines.append("Worst-case peak test accuracy (%): the same, for each run's best test accuracy during training "
                     + "(ByzFL's measure), the worst attack chosen by its mean peak.")
        lines.append("")
        lines += worstCaseTable(peak: true, digits: digits)
        for heterogeneity in heterogeneities {
            let groups = cells.filter { $0.heterogeneity == heterogeneity }
            guard !groups.isEmpty else { continue }
            lines.append("")
            lines.append("Every attack, \(heterogeneity.title): mean final (and peak) test accuracy (%) over seeds; the worst final of each row in bold.")
            lines.append("")
            lines.append("| Rule | α | " + attacks.joined(separator: " | ") + " |")
            lines.append("|:---|---:|" + String(repeating: "---:|", count: attacks.count))
            for group in groups {
                let texts = attacks.map { attack -> String in
                    guard let runs = group.attacks.first(where: { $0.attack == attack }) else { return "—" }
                    let text = Format.fixed(runs.mean * 100, digits)
                    let peak = " (" + Format.fixed(runs.peakMean * 100, digits) + ")"
                    return (runs.attack == group.worst.attack ? "**\(text)**" : text) + peak
                }
                lines.append("| \(group.rule) | \(Format.percent(group.fraction)) | " + texts.joined(separator: " | ") + " |")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The worst-case table by final (or peak) accuracy, under the clean baseline's row.
    private func worstCaseTable(peak: Bool, digits: Int) -> [String] {
        var lines = ["| Rule | α | " + heterogeneities.map(\.title).joined(separator: " | ") + " |",
                     "|:---|---:|" + String(repeating: "---:|", count: heterogeneities.count)]
        if !baselines.isEmpty {
            let texts = heterogeneities.map { baseline($0).map { Self.text($0.runs, peak: peak, digits: digits) } ?? "—" }
            let rule = baselines.first { $0.rule == "mean" }?.rule ?? baselines[0].rule
            lines.append("| clean (\(rule), no attack) | 0% | " + texts.joined(separator: " | ") + " |")
        }
        for rule in rules {
            for fraction in fractions {
                let row = heterogeneities.map { cell(rule: rule, fraction: fraction, heterogeneity: $0) }
                guard row.contains(where: { $0 != nil }) else { continue }
                let texts = row.map { cell in
                    cell.map { peak ? $0.worstByPeak : $0.worst }.map { Self.text($0, peak: peak, digits: digits) + " " + $0.attack } ?? "—"
                }
                lines.append("| \(rule) | \(Format.percent(fraction)) | " + texts.joined(separator: " | ") + " |")
            }
        }
        return lines
    }

    /// `62.3 ± 1.1`, or `62.3` for one seed, in percent: of the final accuracies, or the peaks.
    static func text(_ runs: Runs, peak: Bool = false, digits: Int) -> String {
        var text = Format.fixed((peak ? runs.peakMean : runs.mean) * 100, digits)
        if let std = peak ? runs.peakStandardDeviation : runs.standardDeviation { text += " ± " + Format.fixed(std * 100, digits) }
        return text
    }

    /// The report in long CSV form, one line per (rule, α, heterogeneity, attack) and one per
    /// clean baseline (attack `none`, α = 0):
    ///
    ///     rule,fraction,heterogeneity,dirichlet_alpha,attack,seeds,mean,std,worst,peak_mean,peak_std,worst_by_peak,gamma
    ///     brsgd,0.45,iid,,ipm-opt,3,0.1012,0.0031,true,0.2210,0.0102,true,
    ///
    /// Accuracies as fractions; `mean`/`std` of the final accuracies and `peak_mean`/`peak_std`
    /// of each run's best during training; `worst` marks the attack with the lowest mean of its
    /// group, `worst_by_peak` the one with the lowest peak mean; an empty field means no value.
    /// Lines end with `\n`.
    public func csv() -> String {
        var lines = ["rule,fraction,heterogeneity,dirichlet_alpha,attack,seeds,mean,std,worst,peak_mean,peak_std,worst_by_peak,gamma"]
        func line(_ rule: String, _ fraction: Double, _ heterogeneity: Heterogeneity, _ runs: Runs, in cell: Cell?) -> String {
            func flag(_ worst: Runs?) -> String { worst.map { $0.attack == runs.attack ? "true" : "false" } ?? "" }
            return [rule, Format.shortest(fraction), heterogeneity.name, heterogeneity.dirichletAlpha.map(Format.shortest) ?? "",
                    runs.attack, "\(runs.accuracies.count)", Format.fixed(runs.mean, 4),
                    runs.standardDeviation.map { Format.fixed($0, 4) } ?? "", flag(cell?.worst),
                    Format.fixed(runs.peakMean, 4), runs.peakStandardDeviation.map { Format.fixed($0, 4) } ?? "",
                    flag(cell?.worstByPeak), heterogeneity.gamma.map(Format.shortest) ?? ""]
                .joined(separator: ",")
        }
        for baseline in baselines { lines.append(line(baseline.rule, 0, baseline.heterogeneity, baseline.runs, in: nil)) }
        for cell in cells {
            for runs in cell.attacks {
                lines.append(line(cell.rule, cell.fraction, cell.heterogeneity, runs, in: cell))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
