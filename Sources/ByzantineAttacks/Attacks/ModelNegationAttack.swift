import SeededRandom

/// Sends the negated sum of the honest gradients, scaled up, so that a plain mean points
/// the model the wrong way by a huge step.
///
/// Rule: output = −scale · Σ_{i honest} g_i (computed in `Float`: the sum, then one
/// multiplication per coordinate; coordinates may overflow to ±Inf, as in the paper's
/// float32 experiments). Parameter: scale (1e10 in the paper). Knowledge: the honest
/// gradients of the round (omniscient).
///
/// From Li et al., "Efficient Byzantine-Resilient SGD" (BrSGD), §5.1 ("Model Negation
/// Attack": the negative sum of all the correct gradients, scaled by 1e10).
public struct ModelNegationAttack: Attack {
    /// The factor the negated sum is multiplied by.
    public let scale: Double

    /// - Precondition: `scale` is finite and > 0.
    public init(scale: Double = 1e10) {
        precondition(scale.isFinite && scale > 0, "model-negation: scale must be finite and > 0, got \(scale)")
        self.scale = scale
    }

    public var name: String { "model-negation(scale=\(formatParameter(scale)))" }
    public var knowledge: AttackKnowledge { .honestGradients }
    /// Every Byzantine worker sends the same vector (it depends only on the honest rows, m and f).
    public var isIdenticalAcrossWorkers: Bool { true }

    /// - Precondition: `context.honestGradients` holds at least one row of width d.
    /// - Complexity: O(h·d).
    public func craft(
        into output: UnsafeMutableBufferPointer<Float>, context: AttackContext,
        generator: inout SeededGenerator
    ) {
        let honest = context.requireHonestGradients(count: output.count, attack: "model-negation")
        honest.sum(into: output)
        Kernels.scale(output, by: -Float(scale))
    }
}
