import BrSGDRecords
import Foundation

extension RobustnessReport {
    /// The report in Markdown:
    /// 1. the worst case over attacks: one row per (rule, α), one column per heterogeneity,
    ///    each cell `62.3 ± 1.1 ipm-opt` (the worst attack's mean ± std over seeds, then its
    ///    name), under a row of the clean baseline;
    /// 2. per heterogeneity, every attack's mean: one row per (rule, α), one column per attack,
    ///    the worst in bold — where each rule loses, and to what.
    public func markdown(digits: Int = 1) -> String {
        var lines: [String] = []
        let seedCounts = cells.flatMap { $0.attacks.map(\.accuracies.count) } + baselines.map(\.runs.accuracies.count)
        let seeds = seedCounts.isEmpty ? "0" : seedCounts.min() == seedCounts.max() ? "\(seedCounts[0])" : "\(seedCounts.min()!)–\(seedCounts.max()!)"
        lines.append("Worst-case final test accuracy (%) over \(attacks.count) attacks (\(attacks.joined(separator: ", "))): "
                     + "each cell is the mean ± sample std over \(seeds) seed(s) of the attack with the lowest mean, and that attack. "
                     + "α is the fraction of Byzantine workers; Dir(a) is a Dirichlet(a) split of the training set (smaller a: more heterogeneous).")
        if let settings { lines += ["", settings.sentence] }
        lines.append("")
        lines.append("| Rule | α | " + heterogeneities.map(\.title).joined(separator: " | ") + " |")
        lines.append("|:---|---:|" + String(repeating: "---:|", count: heterogeneities.count))
        if !baselines.isEmpty {
            let texts = heterogeneities.map { baseline($0).map { Self.text($0.runs, digits: digits) } ?? "—" }
            let rule = baselines.first { $0.rule == "mean" }?.rule ?? baselines[0].rule
            lines.append("| clean (\(rule), no attack) | 0% | " + texts.joined(separator: " | ") + " |")
        }
        for rule in rules {
            for fraction in fractions {
                let row = heterogeneities.map { cell(rule: rule, fraction: fraction, heterogeneity: $0) }
                guard row.contains(where: { $0 != nil }) else { continue }
                let texts = row.map { $0.map { Self.text($0.worst, digits: digits) + " " + $0.worst.attack } ?? "—" }
                lines.append("| \(rule) | \(Format.percent(fraction)) | " + texts.joined(separator: " | ") + " |")
            }
        }
        for heterogeneity in heterogeneities {
            let groups = cells.filter { $0.heterogeneity == heterogeneity }
            guard !groups.isEmpty else { continue }
            lines.append("")
            lines.append("Every attack, \(heterogeneity.title): mean final test accuracy (%) over seeds; the worst of each row in bold.")
            lines.append("")
            lines.append("| Rule | α | " + attacks.joined(separator: " | ") + " |")
            lines.append("|:---|---:|" + String(repeating: "---:|", count: attacks.count))
            for group in groups {
                let texts = attacks.map { attack -> String in
                    guard let runs = group.attacks.first(where: { $0.attack == attack }) else { return "—" }
                    let text = Format.fixed(runs.mean * 100, digits)
                    return runs.attack == group.worst.attack ? "**\(text)**" : text
                }
                lines.append("| \(group.rule) | \(Format.percent(group.fraction)) | " + texts.joined(separator: " | ") + " |")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `62.3 ± 1.1`, or `62.3` for one seed, in percent.
    static func text(_ runs: Runs, digits: Int) -> String {
        var text = Format.fixed(runs.mean * 100, digits)
        if let std = runs.standardDeviation { text += " ± " + Format.fixed(std * 100, digits) }
        return text
    }

    /// The report in long CSV form, one line per (rule, α, heterogeneity, attack) and one per
    /// clean baseline (attack `none`, α = 0):
    ///
    ///     rule,fraction,heterogeneity,dirichlet_alpha,attack,seeds,mean,std,worst
    ///     brsgd,0.45,iid,,ipm-opt,3,0.1012,0.0031,true
    ///
    /// Accuracies as fractions; `worst` marks the attack with the lowest mean of its group;
    /// an empty field means no value. Lines end with `\n`.
    public func csv() -> String {
        var lines = ["rule,fraction,heterogeneity,dirichlet_alpha,attack,seeds,mean,std,worst"]
        func line(_ rule: String, _ fraction: Double, _ heterogeneity: Heterogeneity, _ runs: Runs, worst: Bool?) -> String {
            [rule, Format.shortest(fraction), heterogeneity.name, heterogeneity.dirichletAlpha.map(Format.shortest) ?? "",
             runs.attack, "\(runs.accuracies.count)", Format.fixed(runs.mean, 4),
             runs.standardDeviation.map { Format.fixed($0, 4) } ?? "", worst.map { $0 ? "true" : "false" } ?? ""]
                .joined(separator: ",")
        }
        for baseline in baselines { lines.append(line(baseline.rule, 0, baseline.heterogeneity, baseline.runs, worst: nil)) }
        for cell in cells {
            for runs in cell.attacks {
                lines.append(line(cell.rule, cell.fraction, cell.heterogeneity, runs, worst: runs.attack == cell.worst.attack))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
