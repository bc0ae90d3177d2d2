import SeededRandom

/// Sends pure noise: every coordinate an independent N(0, σ²) draw, whatever the data.
///
/// Rule: output[c] = σ · ξ_c, ξ_c ~ N(0, 1) from the generator passed in (its ziggurat
/// `fillNormal`, one draw per coordinate, in order), so the same seed gives the same bytes.
/// Parameter: σ, the standard deviation (200 in the paper). Knowledge: none.
///
/// From Li et al., "Efficient Byzantine-Resilient SGD" (BrSGD), §5.1 ("Gaussian Attack":
/// Gaussian vectors with zero mean and isotropic covariance, standard deviation 200),
/// after Xie, Koyejo & Gupta, "Generalized Byzantine-tolerant SGD", 2018.
public struct GaussianAttack: Attack {
    /// σ, the standard deviation of every coordinate.
    public let standardDeviation: Double

    /// - Precondition: `standardDeviation` is finite and ≥ 0.
    public init(standardDeviation: Double = 200) {
        precondition(standardDeviation.isFinite && standardDeviation >= 0,
                     "gaussian: standardDeviation must be finite and ≥ 0, got \(standardDeviation)")
        self.standardDeviation = standardDeviation
    }

    public var name: String { "gaussian(sigma=\(formatParameter(standardDeviation)))" }
    public var knowledge: AttackKnowledge { .none }

    /// - Complexity: O(d), d normal draws.
    public func craft(
        into output: UnsafeMutableBufferPointer<Float>, context: AttackContext,
        generator: inout SeededGenerator
    ) {
        generator.fillNormal(output, standardDeviation: Float(standardDeviation))
    }
}
