import Foundation

/// Where the command writes what is not its result: summaries, progress, warnings.
enum Terminal {
    /// Writes a line to standard error.
    static func note(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// True when standard error is a terminal (progress bars draw only then).
    static var isInteractive: Bool { isatty(STDERR_FILENO) != 0 }

    /// `count` and the noun, plural unless the count is 1: "1 epoch", "3 epochs".
    static func counting(_ count: Int, _ noun: String) -> String {
        "\(count) \(noun)\(count == 1 ? "" : "s")"
    }
}

/// An error the command reports to the user: one clear sentence, exit code 1.
struct CommandError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
