import Foundation

/// Where the command writes what is not its result: summaries, progress, warnings.
enum Terminal {
    /// Writes a line to standard error.
    static func note(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// True when standard error is a terminal (progress bars draw only then).
    static var isInteractive: Bool { isatty(STDERR_FILENO) != 0 }
}

/// An error the command reports to the user: one clear sentence, exit code 1.
struct CommandError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
