import BrSGDCluster
import BrSGDRecords
import Foundation
import TensorIO

/// Everything the master needs to continue a run after a restart with nothing lost: the
/// model and the optimizer's momentum between two rounds, the round to run next, and the
/// run's books so far (the ``RunLedger``). Workers hold no state worth saving (their batch of
/// round t is a pure function of the seed, their id and t), so the master's checkpoint is
/// the whole run.
///
/// Stored as JSON; tensors as base64 of packed little-endian float32, so every bit survives.
struct MasterCheckpoint: Codable, Equatable {
    static let formatVersion = 2

    var formatVersion = Self.formatVersion
    /// The run's identity (``MasterPlan/identity``): a resume of another run is refused.
    var identity: String
    /// Rounds finished: the next round to run.
    var round: Int
    var parameters: Data
    var velocity: Data
    /// The last round's aggregate of a rule with history (nil for every other rule): the
    /// rule's state, so that a resumed master aggregates as it would have.
    var previousAggregate: Data?
    /// The books so far (carrying the open epoch's seconds).
    var ledger: RunLedger
    var elapsedSeconds: Double

    enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version"
        case identity, round, parameters, velocity, ledger
        case previousAggregate = "previous_aggregate"
        case elapsedSeconds = "elapsed_seconds"
    }

    /// Writes atomically: a temporary file beside `url`, flushed, then renamed over it, so
    /// a crash leaves either the previous checkpoint or this one, never a torn file.
    func write(to url: URL) throws(CheckpointError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        do {
            try AtomicFile.write(try encoder.encode(self), to: url)
        } catch let error as TensorFileError {
            throw CheckpointError("cannot write the checkpoint \(url.path): \(error.message)")
        } catch {
            throw CheckpointError("cannot encode the checkpoint: \(error)")
        }
    }

    static func read(from url: URL) throws(CheckpointError) -> MasterCheckpoint {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw CheckpointError("cannot read the checkpoint \(url.path): \(describeFileError(error))")
        }
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        struct Version: Decodable {
            var formatVersion: Int?
            enum CodingKeys: String, CodingKey { case formatVersion = "format_version" }
        }
        let version = (try? decoder.decode(Version.self, from: data))?.formatVersion
        guard version == formatVersion else {
            throw CheckpointError("the checkpoint \(url.path) has format \(version.map(String.init) ?? "1 or unknown"), this master reads format \(formatVersion); start afresh without --resume")
        }
        do {
            return try decoder.decode(MasterCheckpoint.self, from: data)
        } catch {
            throw CheckpointError("the checkpoint \(url.path) is not valid: \(error)")
        }
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
