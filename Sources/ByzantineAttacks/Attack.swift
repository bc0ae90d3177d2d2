import SeededRandom

/// A Byzantine worker's behaviour: what it sends the master in place of its honest gradient.
///
/// Attacks are injected at the worker boundary, so training code never asks "am I
/// Byzantine?". The worker asks the attack what it needs (``knowledge``), lets it poison
/// the batch labels (``labelTransform(classCount:)``), and then lets it write the vector
/// it sends (``craft(into:context:generator:)``):
///
/// ```swift
/// let attack = try AttackConfiguration(kind: .alie).makeAttack()
/// try attack.validate(workerCount: 20, byzantineCount: 5)      // once, before training
/// var rng = SeededGenerator(seed: seed, stream: 1_000 + UInt64(worker))
/// let context = AttackContext(
///     round: t, workerIndex: worker, workerCount: 20, byzantineCount: 5,
///     honestGradients: HonestGradients(matrix: gradients, rowIndices: honestRows))
/// scratch.withUnsafeMutableBufferPointer { attack.craft(into: $0, context: context, generator: &rng) }
/// ```
///
/// Omniscient attacks (``AttackKnowledge/honestGradients``) see every honest gradient of
/// the round, so only the simulation can run them; a Byzantine worker process in the
/// networked deployment can run only the attacks whose knowledge is at most
/// ``AttackKnowledge/ownGradient``.
///
/// Attacks are values, safe to share across threads; every random draw comes from the
/// generator passed in, so the same seed gives the same bytes.
public protocol Attack: Sendable {
    /// The attack's name with its parameters, for example `gaussian(sigma=200)`.
    var name: String { get }

    /// What the attack must see to craft its vector.
    var knowledge: AttackKnowledge { get }

    /// Whether ``craft(into:context:generator:)`` needs ``AttackContext/defender``, the
    /// master's rule (with its pre-aggregations): true for the attacks that line-search
    /// their factor against it (`alie-opt`, `ipm-opt`). False by default.
    var needsDefender: Bool { get }

    /// Whether every Byzantine worker of a round sends the same vector: the output depends
    /// only on the round's honest gradients, m, f and the defender — not on the worker's
    /// index, its own gradient or the generator — so a caller may craft once per round and
    /// copy the vector into every Byzantine row. False by default.
    var isIdenticalAcrossWorkers: Bool { get }

    /// The data poisoning the worker applies to its batch labels before it computes its
    /// gradient, or `nil` to train on the true labels (every attack but label-flip).
    /// - Precondition: `classCount >= 1`.
    func labelTransform(classCount: Int) -> LabelTransform?

    /// Throws when the attack cannot run with m workers of which f are Byzantine (for
    /// example ALIE's automatic z needs f ≤ ⌊m/2⌋). Call it once before training;
    /// ``craft(into:context:generator:)`` traps on the same conditions.
    func validate(workerCount: Int, byzantineCount: Int) throws(AttackError)

    /// Writes the Byzantine vector (length d = `output.count`) into `output`.
    ///
    /// `context.ownGradient` may be the very buffer `output` points to (the worker's row,
    /// overwritten in place): every attack reads entry i before it writes entry i. The
    /// output must not lie inside the matrix `context.honestGradients` views.
    /// - Precondition: the context carries what ``knowledge`` asks for, of length d.
    func craft(
        into output: UnsafeMutableBufferPointer<Float>,
        context: AttackContext,
        generator: inout SeededGenerator)
}

extension Attack {
    /// No defender in the loop.
    public var needsDefender: Bool { false }

    /// Not promised: the vector may depend on the worker or the generator.
    public var isIdenticalAcrossWorkers: Bool { false }

    /// No data poisoning.
    public func labelTransform(classCount: Int) -> LabelTransform? { nil }

    /// Runs with any m ≥ 1 and 0 ≤ f ≤ m.
    public func validate(workerCount: Int, byzantineCount: Int) throws(AttackError) {
        try validateCounts(workerCount: workerCount, byzantineCount: byzantineCount)
    }

    /// Whether the attack needs the honest gradients of the whole round (simulation only).
    public var isOmniscient: Bool { knowledge == .honestGradients }

    /// The crafted vector as a new array (tests, diagnostics; the training loop writes in place).
    /// - Complexity: that of ``craft(into:context:generator:)`` plus an O(d) allocation.
    public func craft(
        dimension: Int, context: AttackContext, generator: inout SeededGenerator
    ) -> [Float] {
        precondition(dimension >= 0, "dimension must be non-negative")
        var vector = [Float](repeating: 0, count: dimension)
        vector.withUnsafeMutableBufferPointer { craft(into: $0, context: context, generator: &generator) }
        return vector
    }
}

/// Throws unless m ≥ 1 and 0 ≤ f ≤ m.
func validateCounts(workerCount m: Int, byzantineCount f: Int) throws(AttackError) {
    guard m >= 1 else {
        throw AttackError(code: .invalidSetting, message: "workerCount is \(m); it must be at least 1")
    }
    guard f >= 0, f <= m else {
        throw AttackError(
            code: .invalidSetting, message: "byzantineCount is \(f); it must lie in 0...\(m) (workerCount)")
    }
}
