/// Worker momentum: what a worker sends instead of its gradient, and the few past values it
/// keeps so that a master replaying rounds gets the same bytes again.
///
///     m_t = β·m_{t−1} + (1 − β)·g_t,   m_{−1} = 0,
///
/// computed in Float as written (β·m, then (1 − β)·g, then the sum), by one kernel
/// (``accumulate(previous:gradient:beta:into:)``) that the simulation and the networked
/// worker share, so the two send the same bytes. Karimireddy, He & Jaggi, "Learning from
/// History for Byzantine Robust Optimization" (ICML 2021), Algorithm 2: with β close to 1
/// the honest vectors' variance shrinks by (1 − β)/(1 + β), which leaves an attacker less
/// room to hide. We write the (1 − β) factor as they do (an exponential average, the same
/// scale as a gradient), so η needs no change when β does.
///
/// ```swift
/// var momentum = WorkerMomentum(beta: 0.9, parameterCount: d, historyLength: 4)
/// try gradient.withUnsafeMutableBufferPointer { try momentum.advance(round: 0, $0) }  // now (1 − β)·g_0
/// ```
///
/// **Who keeps one.** Every worker that computes its own gradient: each honest worker, and
/// each Byzantine worker whose attack starts from its own gradient (gradient-scale,
/// sign-flip, label-flip), which hands its *momentum* to the attack in place of the
/// gradient, as an attacker hiding among momentum workers would. Attacks that need no
/// gradient of their own (gaussian) send what they craft, without momentum; omniscient
/// attacks see the honest rows, which are the honest momenta. The state belongs to the
/// worker: the master and its rule never see it.
///
/// **Rounds the worker revisits.** The state is keyed by round: ``advance(round:_:)`` for
/// round t starts from the momentum after the latest round *before* t the worker computed.
/// Rounds ≥ t it computed earlier belong to a future the master abandoned (it restarted
/// from a checkpoint, or never received the upload) and are dropped. So the worker keeps the
/// momenta of its last ``historyLength`` rounds: a master resumed from a checkpoint written
/// every k rounds replays at most k rounds, and a history of k + 1 gives it the same bytes
/// again; a replay reaching further back is refused (``WorkerFailure/Code/momentumLost``),
/// never answered with other bytes. A round the worker never computed (the master closed
/// it without this worker) adds nothing: the momentum carries over unchanged.
///
/// - Complexity: storage `historyLength × d` floats, allocated once; each round O(d), no
///   allocation.
public struct WorkerMomentum: Sendable {
    /// β, in [0, 1).
    public let beta: Float
    /// d.
    public let parameterCount: Int
    /// How many past rounds' momenta are kept (at least 1).
    public let historyLength: Int
    /// `historyLength` rows of d: the momentum after round `slotRounds[i]`.
    private var storage: [Float]
    /// The round each row belongs to; −1: empty.
    private var slotRounds: [Int]
    /// The earliest round of the current run of computed rounds (nil before the first).
    public private(set) var firstRound: Int?

    /// - Precondition: β in [0, 1), d ≥ 1, `historyLength` ≥ 1.
    public init(beta: Float, parameterCount: Int, historyLength: Int = 2) {
        precondition(beta >= 0 && beta < 1, "worker momentum β must lie in [0, 1)")
        precondition(parameterCount >= 1 && historyLength >= 1)
        self.beta = beta
        self.parameterCount = parameterCount
        self.historyLength = historyLength
        storage = [Float](repeating: 0, count: historyLength * parameterCount)
        slotRounds = [Int](repeating: -1, count: historyLength)
    }

    /// out = β·previous + (1 − β)·gradient, elementwise (previous nil: m_{−1} = 0, computed
    /// as β·0 + (1 − β)·g so that it matches a zero-filled buffer bit for bit). `out` may
    /// be `previous` or `gradient` (each element is read before it is written).
    /// - Precondition: equal lengths.
    /// - Complexity: O(d).
    @inlinable
    public static func accumulate(previous: UnsafeBufferPointer<Float>?, gradient: UnsafeBufferPointer<Float>,
                                  beta: Float, into out: UnsafeMutableBufferPointer<Float>) {
        precondition(gradient.count == out.count && (previous?.count ?? out.count) == out.count)
        let keep = 1 - beta
        if let previous {
            for j in 0 ..< out.count { out[j] = beta * previous[j] + keep * gradient[j] }
        } else {
            let zero: Float = 0
            for j in 0 ..< out.count { out[j] = beta * zero + keep * gradient[j] }
        }
    }

    /// Replaces the gradient of round `round` in `vector` by the momentum of that round, and
    /// keeps it for the rounds to come.
    /// - Throws: ``WorkerFailure`` (`momentum_lost`) when the momentum before `round` has
    ///   left the history (the master replays further back than ``historyLength`` rounds);
    ///   nothing changes then.
    /// - Precondition: `vector.count == parameterCount`, `round ≥ 0`.
    /// - Complexity: O(d + historyLength).
    public mutating func advance(round: Int, _ vector: UnsafeMutableBufferPointer<Float>) throws(WorkerFailure) {
        precondition(vector.count == parameterCount && round >= 0)
        // The state before `round`: after the latest kept round before it.
        var previous: Int?
        for i in slotRounds.indices where slotRounds[i] >= 0 && slotRounds[i] < round {
            if previous.map({ slotRounds[i] > slotRounds[$0] }) ?? true { previous = i }
        }
        if previous == nil, let firstRound, firstRound < round {
            let oldest = slotRounds.filter { $0 >= 0 }.min()
            throw WorkerFailure(.momentumLost, """
                round \(round) needs this worker's momentum after round \(round - 1), but it keeps only its last \
                \(historyLength) rounds\(oldest.map { " (from round \($0))" } ?? ""): the master replays further \
                back than that; give the worker a momentum history of at least the master's checkpoint interval + 1
                """)
        }
        // Rounds from `round` on were computed for a future the master abandoned.
        for i in slotRounds.indices where slotRounds[i] >= round { slotRounds[i] = -1 }
        if previous == nil { firstRound = round }
        // The row to write: an empty one, else the oldest (never `previous` unless it is the only row).
        var target = slotRounds.firstIndex(of: -1) ?? 0
        if slotRounds[target] != -1 {
            for i in slotRounds.indices where slotRounds[i] < slotRounds[target] { target = i }
        }
        let d = parameterCount, beta = self.beta
        storage.withUnsafeMutableBufferPointer { all in
            let out = UnsafeMutableBufferPointer(rebasing: all[target * d ..< (target + 1) * d])
            let before = previous.map { UnsafeBufferPointer(rebasing: all[$0 * d ..< ($0 + 1) * d]) }
            Self.accumulate(previous: before, gradient: UnsafeBufferPointer(vector), beta: beta, into: out)
            _ = vector.update(fromContentsOf: out)
        }
        slotRounds[target] = round
    }

    /// The latest round computed (nil before the first).
    public var latestRound: Int? { slotRounds.filter { $0 >= 0 }.max() }

    /// The rounds whose momentum is kept, oldest first.
    public var keptRounds: [Int] { slotRounds.filter { $0 >= 0 }.sorted() }

    /// The momentum after `round`, if it is kept.
    public func momentum(after round: Int) -> [Float]? {
        guard round >= 0, let i = slotRounds.firstIndex(of: round) else { return nil }
        return Array(storage[i * parameterCount ..< (i + 1) * parameterCount])
    }
}

extension WorkerMomentum {
    /// The kept state as plain values (for a checkpoint): β, d, the first round, and the
    /// kept rounds with their momenta, oldest first.
    public struct Snapshot: Sendable, Equatable {
        public var beta: Float
        public var parameterCount: Int
        public var firstRound: Int?
        public var rounds: [Int]
        /// One vector of d per round of `rounds`.
        public var momenta: [[Float]]
    }

    public var snapshot: Snapshot {
        let rounds = keptRounds
        return Snapshot(beta: beta, parameterCount: parameterCount, firstRound: firstRound, rounds: rounds,
                        momenta: rounds.map { momentum(after: $0)! })
    }

    /// A state restored from a snapshot, keeping its latest `historyLength` rounds.
    /// - Precondition: the snapshot is consistent (one vector of d per round, rounds ≥ 0).
    public init(restoring snapshot: Snapshot, historyLength: Int) {
        precondition(snapshot.rounds.count == snapshot.momenta.count
            && snapshot.momenta.allSatisfy { $0.count == snapshot.parameterCount })
        self.init(beta: snapshot.beta, parameterCount: snapshot.parameterCount, historyLength: historyLength)
        let kept = Array(zip(snapshot.rounds, snapshot.momenta).sorted { $0.0 < $1.0 }.suffix(historyLength))
        for (i, (round, values)) in kept.enumerated() {
            slotRounds[i] = round
            storage.replaceSubrange(i * parameterCount ..< (i + 1) * parameterCount, with: values)
        }
        firstRound = snapshot.firstRound
    }
}
