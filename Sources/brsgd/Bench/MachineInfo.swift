import Foundation
import KernelPaths

/// Where and when a benchmark ran, carried in every `brsgd bench … --format json` result so a
/// figure never travels without its machine: the CPU model, the cores this process may use,
/// the 1-minute load average, the kernel path, the commit of the checkout the executable was
/// built in, and the date.
struct MachineInfo: Encodable, Sendable {
    /// The CPU's model name (`/proc/cpuinfo` on Linux), or the architecture where unknown.
    var cpu: String
    var cores: Int
    var loadAverage: Double?
    /// The kernels' instruction-set path (`BRSGD_KERNELS` or the widest the CPU runs).
    var kernels: String
    /// `git rev-parse --short=12 HEAD` in the checkout holding the executable, nil outside one.
    var commit: String?
    /// ISO 8601, UTC.
    var date: String

    enum CodingKeys: String, CodingKey {
        case cpu, cores, kernels, commit, date
        case loadAverage = "load_average"
    }

    /// This machine, now.
    static func current() -> MachineInfo {
        MachineInfo(cpu: cpuModel(), cores: ProcessInfo.processInfo.activeProcessorCount,
                    loadAverage: oneMinuteLoadAverage(), kernels: KernelPath.selected.rawValue,
                    commit: checkoutCommit(), date: ISO8601DateFormatter().string(from: Date()))
    }

    private static func cpuModel() -> String {
        if let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
           let line = info.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
           let colon = line.firstIndex(of: ":") {
            return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        #if arch(x86_64)
        return "x86_64"
        #elseif arch(arm64)
        return "arm64"
        #else
        return "unknown"
        #endif
    }

    private static func checkoutCommit() -> String? {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", executable.deletingLastPathComponent().path, "rev-parse", "--short=12", "HEAD"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        let commit = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return commit.isEmpty ? nil : commit
    }
}
