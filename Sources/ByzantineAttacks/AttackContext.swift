import RobustAggregation

/// What a Byzantine worker knows in one round when it crafts its vector.
///
/// Fill in what the attack's ``Attack/knowledge`` asks for, and ``defender`` when
/// ``Attack/needsDefender`` is true; the rest may stay `nil`. The context borrows
/// `ownGradient`: use it only inside the call it is passed to.
public struct AttackContext {
    /// The round (iteration) t, from 0.
    public var round: Int
    /// The index of the Byzantine worker crafting the vector, in 0..<m.
    public var workerIndex: Int
    /// m, the number of workers.
    public var workerCount: Int
    /// f, the number of Byzantine workers.
    public var byzantineCount: Int
    /// The honest gradient the worker computed on its own (possibly label-poisoned) batch;
    /// needed when knowledge ≥ ``AttackKnowledge/ownGradient``. It may alias the output.
    public var ownGradient: UnsafeBufferPointer<Float>?
    /// The honest rows of the round; needed by omniscient attacks.
    public var honestGradients: HonestGradients?
    /// The master's aggregation rule exactly as it will aggregate this round, pre-aggregations
    /// (NNM, bucketing, clipping) included; needed by the attacks that put the defender in
    /// their loop (``Attack/needsDefender``: `alie-opt`, `ipm-opt`). They call its
    /// `aggregate(_:)` on the round's m × d matrix, the honest rows of
    /// ``honestGradients`` with candidate vectors in every other row.
    public var defender: (any AggregationRule)?

    /// - Precondition: `workerCount >= 1`, `0 <= byzantineCount <= workerCount`,
    ///   `0 <= workerIndex < workerCount`, `round >= 0`.
    public init(
        round: Int, workerIndex: Int, workerCount: Int, byzantineCount: Int,
        ownGradient: UnsafeBufferPointer<Float>? = nil,
        honestGradients: HonestGradients? = nil,
        defender: (any AggregationRule)? = nil
    ) {
        precondition(workerCount >= 1, "workerCount must be at least 1")
        precondition(byzantineCount >= 0 && byzantineCount <= workerCount,
                     "byzantineCount \(byzantineCount) must lie in 0...\(workerCount)")
        precondition(workerIndex >= 0 && workerIndex < workerCount,
                     "workerIndex \(workerIndex) out of range 0..<\(workerCount)")
        precondition(round >= 0, "round must be non-negative")
        self.round = round
        self.workerIndex = workerIndex
        self.workerCount = workerCount
        self.byzantineCount = byzantineCount
        self.ownGradient = ownGradient
        self.honestGradients = honestGradients
        self.defender = defender
    }

    /// The worker's own gradient, trapping with the attack's name when it is missing or
    /// has the wrong length.
    func requireOwnGradient(count: Int, attack: String) -> UnsafeBufferPointer<Float> {
        guard let own = ownGradient else {
            preconditionFailure("\(attack) needs the worker's own gradient: context.ownGradient is nil")
        }
        precondition(own.count == count,
                     "\(attack): ownGradient has \(own.count) values, the output \(count)")
        return own
    }

    /// The honest gradients of the round, trapping with the attack's name when they are
    /// missing, empty or of the wrong width.
    func requireHonestGradients(count: Int, attack: String) -> HonestGradients {
        guard let honest = honestGradients else {
            preconditionFailure("\(attack) is omniscient: context.honestGradients is nil")
        }
        precondition(honest.count >= 1, "\(attack) needs at least one honest gradient")
        precondition(honest.columnCount == count,
                     "\(attack): honest gradients have \(honest.columnCount) columns, the output \(count)")
        return honest
    }

    /// The honest gradients of the round, of any width (for diagnostics that craft into
    /// scratch of that width), trapping with the attack's name when they are missing or empty.
    func requireHonestGradients(attack: String) -> HonestGradients {
        guard let honest = honestGradients else {
            preconditionFailure("\(attack) is omniscient: context.honestGradients is nil")
        }
        return requireHonestGradients(count: honest.columnCount, attack: attack)
    }

    /// The defender, trapping with the attack's name when it is missing.
    func requireDefender(attack: String) -> any AggregationRule {
        guard let defender else {
            preconditionFailure("\(attack) puts the defender's rule in its loop: context.defender is nil")
        }
        return defender
    }
}
