import BrSGDRecords
import Foundation
import TensorIO

/// A networked worker's state on disk: its ``WorkerMomentum`` (the kept rounds and their
/// momenta), the run it belongs to and the latest round it holds. With it a restarted
/// worker carries on where it stopped, and sends the bytes it would have sent had it never
/// stopped.
///
/// **When it is written.** Once the round's vector is computed, *before* it is uploaded
/// (``GradientSource/gradient(round:parameters:into:)`` writes it on its way out), so every
/// vector the master may have accepted is in the file. Written after the upload, a worker
/// killed between the two would restart without the momentum of a round the master already
/// holds, and could not compute the next round's bytes. The file holding a round whose
/// upload never arrived is harmless: when the master asks for that round again, the worker
/// recomputes it from the round before (it keeps at least two).
///
/// Stored as JSON, the momenta as base64 of packed little-endian float32 (every bit
/// survives), through ``TensorIO/AtomicFile``: a crash leaves the previous file or this one.
///
///     {"format_version": 1, "identity": "<experiment id>", "worker": 3, "beta": 0.9,
///      "parameter_count": 61706, "round": 41, "first_round": 0,
///      "history": [{"round": 40, "momentum": "<base64>"}, {"round": 41, "momentum": "<base64>"}]}
public struct WorkerCheckpoint: Codable, Equatable, Sendable {
    public static let formatVersion = 1

    public var formatVersion = Self.formatVersion
    /// The run: the experiment's id as the master told it, or `parameters-d<d>` for a bare vector.
    public var identity: String
    public var worker: Int
    public var beta: Float
    public var parameterCount: Int
    /// The latest round held (nil before any).
    public var round: Int?
    public var firstRound: Int?
    public var history: [Entry]

    public struct Entry: Codable, Equatable, Sendable {
        public var round: Int
        /// d floats, packed little-endian.
        public var momentum: Data
    }

    enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version"
        case identity, worker, beta, round, history
        case parameterCount = "parameter_count"
        case firstRound = "first_round"
    }

    /// The checkpoint of `momentum` for worker `worker` of run `identity`.
    public init(identity: String, worker: Int, momentum: WorkerMomentum) {
        let snapshot = momentum.snapshot
        self.identity = identity
        self.worker = worker
        beta = snapshot.beta
        parameterCount = snapshot.parameterCount
        round = snapshot.rounds.last
        firstRound = snapshot.firstRound
        history = zip(snapshot.rounds, snapshot.momenta).map { Entry(round: $0, momentum: Self.pack($1)) }
    }

    /// The momentum it holds, keeping the latest `historyLength` rounds.
    /// - Throws: ``WorkerFailure`` (`bad_checkpoint`) naming the file when it does not belong
    ///   to this run and worker (`identity`, `worker`, β, d) or its vectors are damaged.
    public func momentum(for identity: String, worker: Int, beta: Float, parameterCount: Int, historyLength: Int,
                         file: URL) throws(WorkerFailure) -> WorkerMomentum {
        func refuse(_ why: String) -> WorkerFailure {
            WorkerFailure(.badCheckpoint, "the checkpoint \(file.path) \(why); remove it to start this worker afresh")
        }
        guard self.identity == identity else { throw refuse("belongs to another run (\(self.identity), not \(identity))") }
        guard self.worker == worker else { throw refuse("belongs to worker \(self.worker), not \(worker)") }
        guard self.beta == beta, self.parameterCount == parameterCount else {
            throw refuse("holds β = \(self.beta) and d = \(self.parameterCount), not β = \(beta) and d = \(parameterCount)")
        }
        var rounds: [Int] = [], momenta: [[Float]] = []
        for entry in history {
            guard entry.round >= 0, let values = Self.unpack(entry.momentum), values.count == parameterCount,
                  values.allSatisfy(\.isFinite) else { throw refuse("holds a damaged momentum for round \(entry.round)") }
            rounds.append(entry.round)
            momenta.append(values)
        }
        guard Set(rounds).count == rounds.count, rounds.last == round else { throw refuse("is inconsistent") }
        return WorkerMomentum(restoring: .init(beta: beta, parameterCount: parameterCount, firstRound: firstRound,
                                               rounds: rounds, momenta: momenta),
                              historyLength: historyLength)
    }

    /// Writes atomically.
    /// - Throws: ``WorkerFailure`` (`bad_checkpoint`) with the operating system's reason.
    public func write(to url: URL) throws(WorkerFailure) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do {
            try AtomicFile.write(try encoder.encode(self), to: url)
        } catch let error as TensorFileError {
            throw WorkerFailure(.badCheckpoint, "cannot write the checkpoint \(url.path): \(error.message)")
        } catch {
            throw WorkerFailure(.badCheckpoint, "cannot encode the checkpoint: \(error)")
        }
    }

    /// Reads `url`, or nil when there is no such file.
    /// - Throws: ``WorkerFailure`` (`bad_checkpoint`) when it exists but cannot be read or decoded.
    public static func read(from url: URL) throws(WorkerFailure) -> WorkerCheckpoint? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw WorkerFailure(.badCheckpoint, "cannot read the checkpoint \(url.path): \(describeFileError(error))")
        }
        do {
            let checkpoint = try JSONDecoder().decode(WorkerCheckpoint.self, from: data)
            guard checkpoint.formatVersion == formatVersion else {
                throw WorkerFailure(.badCheckpoint, "the checkpoint \(url.path) has format \(checkpoint.formatVersion), this worker reads format \(formatVersion)")
            }
            return checkpoint
        } catch let failure as WorkerFailure {
            throw failure
        } catch {
            throw WorkerFailure(.badCheckpoint, "the checkpoint \(url.path) is not a worker checkpoint: \(error)")
        }
    }

    static func pack(_ values: [Float]) -> Data {
        var data = Data(count: values.count * 4)
        data.withUnsafeMutableBytes { raw in
            for (i, v) in values.enumerated() { raw.storeBytes(of: v.bitPattern.littleEndian, toByteOffset: i * 4, as: UInt32.self) }
        }
        return data
    }

    static func unpack(_ data: Data) -> [Float]? {
        guard data.count % 4 == 0 else { return nil }
        return data.withUnsafeBytes { raw in
            (0 ..< data.count / 4).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
    }
}

/// A worker's momentum with its checkpoint file: restored from the file when there is one,
/// advanced and written every round. What ``EngineGradientSource`` and
/// ``MomentumGradientSource`` share.
final class MomentumKeeper {
    private(set) var momentum: WorkerMomentum
    let checkpoint: URL?
    let identity: String
    let worker: Int

    /// - Throws: ``WorkerFailure`` (`bad_checkpoint`) when `checkpoint` exists and does not fit.
    init(beta: Float, parameterCount: Int, historyLength: Int, checkpoint: URL?, identity: String,
         worker: Int) throws(WorkerFailure) {
        self.checkpoint = checkpoint
        self.identity = identity
        self.worker = worker
        if let checkpoint, let saved = try WorkerCheckpoint.read(from: checkpoint) {
            momentum = try saved.momentum(for: identity, worker: worker, beta: beta, parameterCount: parameterCount,
                                          historyLength: historyLength, file: checkpoint)
        } else {
            momentum = WorkerMomentum(beta: beta, parameterCount: parameterCount, historyLength: historyLength)
        }
    }

    /// The momentum of `round` into `vector` (which holds the gradient), then the checkpoint.
    func advance(round: Int, _ vector: UnsafeMutableBufferPointer<Float>) throws(WorkerFailure) {
        try momentum.advance(round: round, vector)
        if let checkpoint {
            try WorkerCheckpoint(identity: identity, worker: worker, momentum: momentum).write(to: checkpoint)
        }
    }
}
