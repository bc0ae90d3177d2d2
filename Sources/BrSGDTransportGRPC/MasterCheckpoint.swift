import BrSGDCluster
import BrSGDExperiments
import Foundation

/// Everything the master needs to continue a run after a restart with nothing lost: the
/// model and the optimizer's momentum between two rounds, the round to run next, and the
/// measurements so far. Workers hold no state worth saving (their batch of round t is a pure
/// function of the seed, their id and t), so the master's checkpoint is the whole run.
///
/// Stored as JSON; tensors as base64 of packed little-endian float32, so every bit survives.
struct MasterCheckpoint: Codable, Equatable {
    static let formatVersion = 1

    var formatVersion = Self.formatVersion
    /// The experiment: a resume under another configuration is refused.
    var config: ExperimentConfig
    /// Rounds finished: the next round to run.
    var round: Int
    var parameters: Data
    var velocity: Data
    var epochs: [EpochRecord]
    /// The running train-loss sum and count of the epoch in progress.
    var epochLossSum: Double
    var epochLossCount: Int
    var epochSecondsSoFar: Double
    var aggregationSeconds: [Double]
    /// Byzantine worker → rounds in which the rule selected it, as [worker, count] pairs.
    var byzantineSelections: [[Int]]
    var skippedRounds: Int
    var rejectedRows: Int
    var elapsedSeconds: Double

    /// Writes atomically: a temporary file beside `url`, flushed, then renamed over it, so
    /// a crash leaves either the previous checkpoint or this one, never a torn file.
    func write(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        let data = try encoder.encode(self)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
            throw CheckpointError("cannot create \(temporary.path)")
        }
        do {
            let handle = try FileHandle(forWritingTo: temporary)
            try handle.write(contentsOf: data)
            try handle.synchronize()
            try handle.close()
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw CheckpointError("cannot write \(temporary.path): \(error)")
        }
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw CheckpointError("cannot rename \(temporary.path) to \(url.path): \(reason)")
        }
    }

    static func read(from url: URL) throws -> MasterCheckpoint {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw CheckpointError("cannot read checkpoint \(url.path): \(error.localizedDescription)")
        }
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        let checkpoint: MasterCheckpoint
        do { checkpoint = try decoder.decode(MasterCheckpoint.self, from: data) } catch {
            throw CheckpointError("checkpoint \(url.path) is not valid: \(error)")
        }
        guard checkpoint.formatVersion == formatVersion else {
            throw CheckpointError("checkpoint \(url.path) has format \(checkpoint.formatVersion), expected \(formatVersion)")
        }
        return checkpoint
    }
}

/// A checkpoint that cannot be written, read, or used for this run.
public struct CheckpointError: Error, Sendable, CustomStringConvertible {
    public var message: String
    init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A networked run that cannot go on (the workers did not come).
public struct NetworkMasterError: Error, Sendable, CustomStringConvertible {
    public var message: String
    init(_ message: String) { self.message = message }
    public var description: String { message }
}
