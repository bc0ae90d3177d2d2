import SeededRandom

/// Sends the worker's own honest gradient with its sign flipped (and optionally scaled).
///
/// Rule: output = −scale · g_own (in `Float`). Parameter: scale (1 by default: a pure
/// sign flip). Knowledge: the worker's own gradient, so a Byzantine worker process can
/// run it.
///
/// The "bit-flipping" / "sign-flipping" attack of Allen-Zhu, Ebrahimian, Li & Alistarh,
/// "Byzantine-Resilient Non-Convex Stochastic Gradient Descent", ICLR 2021, and of
/// Karimireddy, He & Jaggi, "Learning from History for Byzantine Robust Optimization",
/// ICML 2021.
public struct SignFlipAttack: Attack {
    /// The factor the negated own gradient is multiplied by.
    public let scale: Double

    /// - Precondition: `scale` is finite and > 0.
    public init(scale: Double = 1) {
        precondition(scale.isFinite && scale > 0, "sign-flip: scale must be finite and > 0, got \(scale)")
        self.scale = scale
    }

    public var name: String { "sign-flip(scale=\(formatParameter(scale)))" }
    public var knowledge: AttackKnowledge { .ownGradient }

    /// - Precondition: `context.ownGradient` has d values (it may be `output` itself).
    /// - Complexity: O(d).
    public func craft(
        into output: UnsafeMutableBufferPointer<Float>, context: AttackContext,
        generator: inout SeededGenerator
    ) {
        let own = context.requireOwnGradient(count: output.count, attack: "sign-flip")
        Kernels.scale(own, by: -Float(scale), into: output)
    }
}
