import SeededRandom

/// Inner-product manipulation: sends a small negative multiple of the honest mean, so the
/// aggregate's inner product with the true gradient turns negative once it is averaged
/// in, while each Byzantine vector stays small.
///
/// Rule: output = −ε · (1/h) Σ_{i honest} g_i. Parameter: ε (0.1 by default; the paper
/// also studies large ε such as 100). Knowledge: the honest gradients of the round
/// (omniscient).
///
/// From Xie, Koyejo & Gupta, "Fall of Empires: Breaking Byzantine-tolerant SGD by Inner
/// Product Manipulation", UAI 2019.
public struct IPMAttack: Attack {
    /// ε, the multiple of the honest mean to negate.
    public let epsilon: Double

    /// - Precondition: `epsilon` is finite and > 0.
    public init(epsilon: Double = 0.1) {
        precondition(epsilon.isFinite && epsilon > 0, "ipm: epsilon must be finite and > 0, got \(epsilon)")
        self.epsilon = epsilon
    }

    public var name: String { "ipm(epsilon=\(formatParameter(epsilon)))" }
    public var knowledge: AttackKnowledge { .honestGradients }
    /// Every Byzantine worker sends the same vector (it depends only on the honest rows, m and f).
    public var isIdenticalAcrossWorkers: Bool { true }

    /// - Precondition: `context.honestGradients` holds at least one row of width d.
    /// - Complexity: O(h·d).
    public func craft(
        into output: UnsafeMutableBufferPointer<Float>, context: AttackContext,
        generator: inout SeededGenerator
    ) {
        let honest = context.requireHonestGradients(count: output.count, attack: "ipm")
        honest.columnMean(into: output)
        Kernels.scale(output, by: -Float(epsilon))
    }
}
