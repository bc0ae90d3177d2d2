/// The perturbation ∇p of Shejwalkar & Houmansadr's attacks (`min-max`, `min-sum`): the
/// malicious vector is μ + γ·∇p, with μ the honest mean and γ ≥ 0 found by binary search.
///
/// Names and vectors as in their paper (§IV-A) and code (`dev_type`, where the code
/// subtracts γ·deviation from μ): the "inverse" of a direction is its negation.
public enum PerturbationDirection: String, CaseIterable, Sendable, Codable, CustomStringConvertible {
    /// ∇p = −μ/‖μ‖₂, the inverse unit vector of the honest mean (`dev_type = 'unit_vec'`;
    /// 0 when μ = 0).
    case inverseUnitVector = "inverse-unit-vector"
    /// ∇p = −σ, the coordinate-wise sample (Bessel-corrected) standard deviation of the honest
    /// rows, as `torch.std` computes it (`dev_type = 'std'`; 0 when h = 1).
    case inverseStandardDeviation = "inverse-std"
    /// ∇p = −sign(μ), with sign(0) = 0 (`dev_type = 'sign'`).
    case inverseSign = "inverse-sign"

    public var description: String { rawValue }
}
