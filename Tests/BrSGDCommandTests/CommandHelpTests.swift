import Foundation
import Testing

/// Every command's `--help`, read as a user reads it: one name per concept (m is `--workers`,
/// d `--dimension`, an address `host:port`), one meaning of `--data-dir`, only the values the
/// command accepts, and each default said once.
@Suite struct CommandHelpTests {
    static var commands: [[String]] {
        var commands: [[String]] = [
            ["train"], ["demo"], ["aggregate"], ["reproduce", "table1"], ["reproduce", "robustness"], ["reproduce", "convex"],
            ["bench", "aggregate"], ["bench", "attacks"], ["bench", "train"],
        ]
        #if Networking
        commands += [["master"], ["worker"], ["cluster"]]
        #endif
        return commands
    }

    /// The help's option entries: each from its `  -…` line to the next, whitespace folded.
    static func options(_ help: String) -> [String] {
        var entries: [String] = []
        for line in help.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("  -") {
                entries.append(String(line))
            } else if line.hasPrefix("      "), !entries.isEmpty {
                entries[entries.count - 1] += " " + line.trimmingCharacters(in: .whitespaces)
            } else if !line.hasPrefix("  ") {
                entries.append("")   // a heading or blank line ends the entry
            }
        }
        return entries.filter { !$0.isEmpty }.map { $0.split(separator: " ").joined(separator: " ") }
    }

    static func help(_ command: [String]) throws -> String {
        let run = try CommandRunner.run(command + ["--help"])
        #expect(run.status == 0, "\(command): \(run.stderr)")
        return run.stdout
    }

    @Test(arguments: commands)
    func eachDefaultIsSaidOnce(command: [String]) throws {
        for entry in Self.options(try Self.help(command)) {
            let automatic = entry.components(separatedBy: "(default:").count - 1
            let written = entry.components(separatedBy: "(default ").count - 1
            #expect(automatic <= 1 && !(automatic == 1 && written > 0), "\(command.joined(separator: " ")): \(entry)")
        }
    }

    @Test(arguments: commands)
    func oneNamePerConcept(command: [String]) throws {
        let entries = Self.options(try Self.help(command))
        let names = entries.compactMap { $0.split(separator: " ").first.map(String.init) }
        for retired in ["--m", "--d", "--port"] {
            #expect(!names.contains(retired), "\(command): \(retired) (m is --workers, d --dimension, an address --listen host:port)")
        }
        for address in ["--listen", "--master"] {
            guard let entry = entries.first(where: { $0.hasPrefix(address + " ") }) else { continue }
            #expect(entry.contains("host:port"), "\(command): \(entry)")
        }
        if let dataDir = entries.first(where: { $0.hasPrefix("--data-dir ") }) {
            #expect(dataDir.contains("only this directory is searched"), "\(command): \(dataDir)")
        }
    }

    @Test func benchesNameMAndDAsTheOtherCommandsDo() throws {
        for command in [["bench", "aggregate"], ["bench", "attacks"], ["reproduce", "convex"]] {
            let names = Self.options(try Self.help(command)).compactMap { $0.split(separator: " ").first }
            #expect(names.contains("--workers") && names.contains("--dimension"), "\(command): \(names)")
        }
    }

    #if Networking
    /// A networked worker never sees the other gradients: master, worker and cluster list
    /// only the attacks it can run, and not the omniscient attacks' parameters.
    @Test(arguments: [["master"], ["worker"], ["cluster"]])
    func networkedCommandsListOnlyTheAttacksTheyRun(command: [String]) throws {
        let entries = Self.options(try Self.help(command))
        let attack = try #require(entries.first { $0.hasPrefix("--attack ") })
        for omniscient in ["alie", "ipm", "mimic", "foe", "min-max", "model-negation"] {
            #expect(!attack.contains(" \(omniscient),") && !attack.contains(" \(omniscient)."), "\(command): \(attack)")
        }
        #expect(attack.contains("gaussian") && attack.contains("sign-flip"))
        let names = entries.compactMap { $0.split(separator: " ").first.map(String.init) }
        #expect(!names.contains("--z") && !names.contains("--epsilon") && names.contains("--sigma"), "\(command): \(names)")
        let train = Self.options(try Self.help(["train"])).first { $0.hasPrefix("--attack ") } ?? ""
        #expect(train.contains(" alie,") && train.contains(" ipm,"), "train runs every attack: \(train)")
    }
    #endif
}
