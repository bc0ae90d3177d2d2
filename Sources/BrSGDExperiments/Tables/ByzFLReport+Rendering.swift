import Foundation

extension ByzFLReport {
    /// The tables as Markdown, laid out as ByzFL's heatmaps (rows γ from 0 to 1, columns f):
    /// the best method first, then each defence, each cell the worst attack's best accuracy
    /// during training in percent; on MNIST with ByzFL's published value beside it.
    public func markdown(notes: [String] = []) -> String {
        var out = "# ByzFL's benchmark: worst-case best test accuracy during training\n\n"
        for note in notes { out += note + "\n\n" }
        let comparing = dataset == "mnist"
        out += "Each cell: the attack that hurts the defence most (of \(attacks.joined(separator: ", "))), "
            + "its best test accuracy during training (the seed-mean curve's maximum), in percent"
            + (comparing ? "; in brackets, ByzFL's published value (MNIST, its documentation's heatmaps)." : ".")
            + "\n\n"
        out += table(title: "Best method (the best defence per cell)", published: "best") { f, gamma in
            self.best(byzantine: f, gamma: gamma).map { (Self.percent($0.worst.peak), $0.rule) }
        }
        for rule in rules {
            out += table(title: rule, published: rule) { f, gamma in
                self.cell(rule: rule, byzantine: f, gamma: gamma).map { (Self.percent($0.worst.peak), $0.worst.attack) }
            }
        }
        return out
    }

    /// One table: a row per γ (0 first), a column per f; each cell the value, ByzFL's
    /// published one, and a note (the worst attack, or the best defence).
    private func table(title: String, published table: String, value: (Int, Double) -> (String, String)?) -> String {
        var out = "## \(title)\n\n"
        out += "| γ \\ f | " + byzantineCounts.map { "f = \($0)" }.joined(separator: " | ") + " |\n"
        out += "|:--|" + byzantineCounts.map { _ in "--:|" }.joined() + "\n"
        for gamma in gammas {
            var row = "| γ = \(Format.shortest(gamma)) |"
            for f in byzantineCounts {
                guard let (text, note) = value(f, gamma) else {
                    row += " — |"
                    continue
                }
                let theirs = published(table, byzantine: f, gamma: gamma).map { " (\(Self.percent($0, digits: 0)))" } ?? ""
                row += " \(text)\(theirs) \(note) |"
            }
            out += row + "\n"
        }
        return out + "\n"
    }

    /// The report as CSV, one line per (defence, f, γ, attack), `worst` true on the attack
    /// that decides the cell; then one line per (f, γ) of the best method (`attack` empty,
    /// `rule` the best defence, prefixed `best:`). Accuracies as fractions.
    ///
    ///     rule,byzantine,gamma,attack,seeds,peak,peak_round,final_mean,worst,published
    public func csv() -> String {
        var lines = ["rule,byzantine,gamma,attack,seeds,peak,peak_round,final_mean,worst,published"]
        func number(_ value: Double?) -> String { value.map { Format.fixed($0, 4) } ?? "" }
        for cell in cells {
            for result in cell.attacks {
                lines.append([cell.rule, "\(cell.byzantine)", Format.shortest(cell.gamma), result.attack, "\(result.seeds.count)",
                              number(result.peak), "\(result.peakRound)", number(result.finalMean),
                              result.attack == cell.worst.attack ? "true" : "false",
                              number(published(cell.rule, byzantine: cell.byzantine, gamma: cell.gamma))].joined(separator: ","))
            }
        }
        for gamma in gammas {
            for f in byzantineCounts {
                guard let best = best(byzantine: f, gamma: gamma) else { continue }
                lines.append(["best:" + best.rule, "\(f)", Format.shortest(gamma), best.worst.attack,
                              "\(best.worst.seeds.count)", number(best.worst.peak), "\(best.worst.peakRound)",
                              number(best.worst.finalMean), "true",
                              number(published("best", byzantine: f, gamma: gamma))].joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func percent(_ fraction: Double, digits: Int = 1) -> String {
        fraction.isNaN ? "n/a" : Format.fixed(fraction * 100, digits)
    }
}
