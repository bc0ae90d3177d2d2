import BrSGDCluster
import Foundation

/// How the networked master serves the round protocol (everything but the experiment).
public struct NetworkMasterOptions: Sendable {
    /// The address to listen on.
    public var host: String = "127.0.0.1"
    /// The TCP port; 0 picks a free one (reported through `onListening`).
    public var port: Int = 50051
    /// A round closes when every worker has submitted or this much time has passed since it
    /// opened; the workers still missing are aggregated as missing.
    public var roundTimeout: Duration = .seconds(30)
    /// A worker id stays claimed by its session while the worker is waiting for a round or
    /// was heard from within this lease (default: the round timeout); then another process
    /// may join under the id (a restarted worker).
    public var sessionLease: Duration?
    /// The shared secret every worker must present (`--token-file`); nil: none is asked.
    /// Anyone holding it may take any free worker id: prefer ``workerTokens``.
    public var token: String?
    /// One secret per worker id (`--worker-tokens`): worker i must present workerTokens[i],
    /// so a worker holding its own secret cannot join under another id (and so cannot hold
    /// more than its one row of the gradient matrix). Takes precedence over ``token``.
    public var workerTokens: [Int: String]?
    /// Where to write the checkpoint (atomically: a temporary file, then rename).
    public var checkpoint: URL?
    /// Write the checkpoint after every this many rounds (0: never).
    public var checkpointEvery: Int = 0
    /// Continue from the checkpoint at `checkpoint` (when it exists) instead of starting
    /// afresh; without `checkpoint`, nothing to resume from.
    public var resume: Bool = false
    /// Give up when the m workers have not all joined in this time (nil: wait for ever).
    public var startTimeout: Duration?
    /// While waiting for the m workers, the master logs who has joined this often.
    public var joinReportInterval: Duration = .seconds(5)
    /// After the last round, keep answering for this long so waiting workers learn that
    /// training is over.
    public var finishGrace: Duration = .seconds(2)
    /// Threads evaluating the test set.
    public var evaluationThreads: Int = 1

    /// Mutual TLS: the master's certificate and key, and the CA that signs the workers'
    /// certificates (nil: plaintext HTTP/2).
    public var tls: MutualTLS?

    /// What peers may hold: connections, streams, buffered bytes, time (see the type).
    public var limits = NetworkMasterLimits()

    /// Fault injection for tests: after this many rounds the master stops dead (throws
    /// ``SimulatedCrash`` before that round's checkpoint), as if killed.
    var crashAfterRounds: Int?

    public init() {}

    var lease: Duration { sessionLease ?? roundTimeout }
}

/// PEM files for mutual TLS: this side's certificate chain and private key, and the CA
/// certificates the other side's certificate must chain to. Host names are not checked (masters
/// are often addressed by IP); the chain to the CA is.
public struct MutualTLS: Sendable {
    public var certificate: String
    public var privateKey: String
    public var trustRoots: String

    public init(certificate: String, privateKey: String, trustRoots: String) {
        self.certificate = certificate
        self.privateKey = privateKey
        self.trustRoots = trustRoots
    }
}

/// What a networked training run produced.
public struct NetworkRunResult: Sendable {
    /// The same measurements as the simulation's (the run record is built from it exactly
    /// as `brsgd train` builds its own), with the final model.
    public var result: SimulationResult
    /// Refusals by reason over the master's lifetime (handshakes, bad messages, bad gradients).
    public var rejections: [SubmissionRejection.Code: Int]
    /// Requests refused before the round protocol (connection, stream and message limits), by reason.
    public var refusals: [RequestRefusal.Reason: Int] = [:]
    /// The round the run resumed at from a checkpoint (0 without `--resume`).
    public var resumedAtRound: Int
}

/// Thrown by a master told to crash (tests of `--resume`).
struct SimulatedCrash: Error {}
