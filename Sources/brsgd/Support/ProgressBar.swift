import Foundation

/// A one-line progress bar on standard error, redrawn in place at most ten times a second.
/// It draws only when standard error is a terminal; otherwise `log` lines are all that
/// appear (so CI logs and redirected output stay clean).
final class ProgressBar {
    private let isEnabled: Bool
    private var lastDraw: UInt64 = 0
    private var isDrawn = false

    init(enabled: Bool = Terminal.isInteractive) {
        isEnabled = enabled
    }

    /// Redraws the bar: `fraction` in [0, 1] and a short status after it.
    func update(fraction: Double, prefix: String, status: String) {
        guard isEnabled else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        guard now - lastDraw > 100_000_000 || fraction >= 1 else { return }
        lastDraw = now
        let width = 24
        let filled = max(0, min(width, Int((fraction * Double(width)).rounded(.down))))
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        FileHandle.standardError.write(Data("\r\u{1B}[2K\(prefix) \(bar) \(status)".utf8))
        isDrawn = true
    }

    /// Writes a permanent line (above the bar, which is redrawn on the next update).
    func log(_ line: String) {
        if isDrawn {
            FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
            isDrawn = false
        }
        Terminal.note(line)
    }

    /// Clears the bar.
    func finish() {
        if isDrawn { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
        isDrawn = false
    }
}

/// "1:05" / "1:02:03" style durations.
func clock(_ seconds: Double) -> String {
    guard seconds.isFinite, seconds >= 0 else { return "?" }
    let s = Int(seconds.rounded())
    return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
}
