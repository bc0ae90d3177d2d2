import SeededRandom

/// Sends the worker's own honest gradient, multiplied by a huge constant.
///
/// Rule: output = scale · g_own (in `Float`). Parameter: scale (1e10 in the paper).
/// Knowledge: the worker's own gradient, so a Byzantine worker process can run it.
///
/// From Li et al., "Efficient Byzantine-Resilient SGD" (BrSGD), §5.1 ("Gradient Scale
/// Attack": gradient vectors scaled by a constant, 1e10 in the experiments).
public struct GradientScaleAttack: Attack {
    /// The factor the own gradient is multiplied by.
    public let scale: Double

    /// - Precondition: `scale` is finite and > 0.
    public init(scale: Double = 1e10) {
        precondition(scale.isFinite && scale > 0, "gradient-scale: scale must be finite and > 0, got \(scale)")
        self.scale = scale
    }

    public var name: String { "gradient-scale(scale=\(formatParameter(scale)))" }
    public var knowledge: AttackKnowledge { .ownGradient }

    /// - Precondition: `context.ownGradient` has d values (it may be `output` itself).
    /// - Complexity: O(d).
    public func craft(
        into output: UnsafeMutableBufferPointer<Float>, context: AttackContext,
        generator: inout SeededGenerator
    ) {
        let own = context.requireOwnGradient(count: output.count, attack: "gradient-scale")
        Kernels.scale(own, by: Float(scale), into: output)
    }
}
