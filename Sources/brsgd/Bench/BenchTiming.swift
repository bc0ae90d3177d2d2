import Foundation
import RobustAggregation
import SeededRandom

// The timing machinery every `brsgd bench` command shares: wall time per call, CPU time,
// the load average, the random matrix and the JSON output.

/// The wall time of each of `runs` calls of `body`, in milliseconds.
func millisecondsOfCalls(runs: Int, _ body: () -> Void) -> [Double] {
    (0 ..< runs).map { _ in
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
    }
}

/// The median of `values` (the mean of the two middle ones for an even count).
func medianOf(_ values: [Double]) -> Double {
    let sorted = values.sorted(), n = sorted.count
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
}

/// This process's CPU time so far (user + system, all threads), in milliseconds.
func processCPUMilliseconds() -> Double {
    var usage = rusage()
    #if os(Linux)
    getrusage(RUSAGE_SELF.rawValue, &usage)   // Glibc imports RUSAGE_SELF as an enum
    #else
    getrusage(RUSAGE_SELF, &usage)
    #endif
    let seconds = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
    let micros = Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec)
    return seconds * 1e3 + micros / 1e3
}

/// The system's 1-minute load average, or nil where the platform does not say.
func oneMinuteLoadAverage() -> Double? {
    var load = [Double](repeating: 0, count: 1)
    return getloadavg(&load, 1) == 1 ? load[0] : nil
}

/// The wall time of each of `runs` calls (their median is what a bench reports) and the
/// CPU time per call (user + system, all threads).
struct CallTiming {
    var samplesMs: [Double]
    var cpuMs: Double

    var medianMs: Double { medianOf(samplesMs) }

    /// Times `runs` calls of `body`, after `warmUp` untimed ones.
    init(runs: Int, warmUp: Int = 1, _ body: () -> Void) {
        for _ in 0 ..< warmUp { body() }
        let cpu = processCPUMilliseconds()
        samplesMs = millisecondsOfCalls(runs: runs, body)
        cpuMs = (processCPUMilliseconds() - cpu) / Double(runs)
    }

    /// The calls of both, as one timing (a yardstick timed before and after what it measures).
    init(merging first: CallTiming, _ second: CallTiming) {
        samplesMs = first.samplesMs + second.samplesMs
        cpuMs = (first.cpuMs * Double(first.samplesMs.count) + second.cpuMs * Double(second.samplesMs.count))
            / Double(samplesMs.count)
    }

    /// Times `runs` calls of an aggregation like ``init(runs:warmUp:_:)``.
    /// - Throws: a command error naming `rule` when a call fails.
    static func aggregation(
        runs: Int, warmUp: Int = 1, rule: String, _ call: () throws -> AggregationResult
    ) throws -> CallTiming {
        var failure: (any Error)?
        let timing = CallTiming(runs: runs, warmUp: warmUp) {
            do { _ = try call() } catch { failure = error }
        }
        if let failure { throw CommandError("\(rule): \(failure)") }
        return timing
    }
}

extension GradientMatrix {
    /// m × d standard normals drawn from `seed` (the random matrix of `bench aggregate` and
    /// `bench attacks`: the same seed, the same matrix).
    static func standardNormal(rowCount: Int, columnCount: Int, seed: UInt64) -> GradientMatrix {
        var rng = SeededGenerator(seed: seed)
        var matrix = GradientMatrix(rowCount: rowCount, columnCount: columnCount)
        matrix.withUnsafeMutableStorage { storage in
            for i in storage.indices { storage[i] = Float(rng.nextNormal()) }
        }
        return matrix
    }
}

/// Prints `rows` as pretty, key-sorted JSON on standard output (`--format json`).
func printJSON(_ rows: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    print(String(decoding: try encoder.encode(rows), as: UTF8.self))
}
