import SeededRandom

/// "Fall of Empires" as ByzFL and its predecessors at EPFL define it: the honest mean plus
/// `factor` times its negation — a vector pointing against the honest direction, twice the
/// honest mean's length by default.
///
/// Rule: output = μ + factor·(−μ) = (1 − factor)·μ, μ the honest mean (computed in `Float`:
/// the mean, then one multiplication by 1 − factor per coordinate). Parameter: factor
/// (default 3, so output = −2μ). Knowledge: the honest gradients of the round
/// (omniscient). Every Byzantine worker sends the same vector.
///
/// From Xie, Koyejo & Gupta, "Fall of Empires: Breaking Byzantine-tolerant SGD by Inner
/// Product Manipulation", UAI 2019. We follow ByzFL 0.0.11 (`byzfl/attacks/attacks.py`,
/// `InnerProductManipulation`, the class that cites Fall of Empires: −τ·μ with τ = 2 by
/// default) in the parametrisation of its predecessors' `fall_of_empires(honest_vectors,
/// attack_factor=3)`, `mean.mul(1 - attack_factor)` (the "FOE" attack of Allouah et al.,
/// "Fixing by Mixing", AISTATS 2023): factor = τ + 1, the same vector. It is ``IPMAttack``
/// with ε = factor − 1; we keep both names, `ipm` with the paper's small ε = 0.1 and `foe`
/// with ByzFL's default τ = 2, so that either can be run by its usual name and default.
public struct FallOfEmpiresAttack: Attack {
    /// The attack factor: how many times −μ is added to μ.
    public let factor: Double

    public static let defaultFactor = 3.0

    /// - Precondition: `factor` is finite.
    public init(factor: Double = defaultFactor) {
        precondition(factor.isFinite, "foe: factor must be finite, got \(factor)")
        self.factor = factor
    }

    public var name: String { "foe(factor=\(formatParameter(factor)))" }
    public var knowledge: AttackKnowledge { .honestGradients }
    public var isIdenticalAcrossWorkers: Bool { true }

    /// - Precondition: `context.honestGradients` holds at least one row of width d.
    /// - Complexity: O(h·d).
    public func craft(
        into output: UnsafeMutableBufferPointer<Float>, context: AttackContext,
        generator: inout SeededGenerator
    ) {
        let honest = context.requireHonestGradients(count: output.count, attack: "foe")
        honest.columnMean(into: output)
        Kernels.scale(output, by: Float(1 - factor))
    }
}
