import SeededRandom

/// "Min-max": the honest mean pushed along a perturbation as far as it can go while no
/// honest gradient is farther from it than the two farthest honest gradients are from each
/// other — agnostic of the rule, and hard to tell apart by distances.
///
/// Rule: output = μ + γ·∇p, with μ the honest mean, ∇p the ``perturbation``
/// (``PerturbationDirection``: −σ by default) and γ the largest value the binary search
/// finds with
///
///     max_i ‖output − g_i‖₂² ≤ max_{i,j} ‖g_i − g_j‖₂²     (i, j over the h honest rows).
///
/// The search is their code's: γ starts at γ₀ (``initialGamma``, 10), steps of γ₀/2,
/// γ₀/4, …, until the last feasible and the current γ are within 10⁻⁵ (20 tests for γ₀ =
/// 10); it returns the last feasible γ (0 if none), never more than 2γ₀. Parameters:
/// perturbation (default inverse-std), initial_gamma (default 10). Knowledge: the honest
/// gradients of the round (omniscient). Every Byzantine worker sends the same vector.
///
/// From Shejwalkar & Houmansadr, "Manipulating the Byzantine: Optimizing Model Poisoning
/// Attacks and Defenses for Federated Learning", NDSS 2021 (§IV-B, AGR-agnostic Min-Max),
/// following their code, github.com/vrt1shjwlkr/NDSS21-Model-Poisoning
/// (`our_attack_dist` in `cifar10/release-fedsgd-alexnet-*.ipynb`): the malicious vector
/// `model_re - lamda * deviation` with `model_re` the benign mean, `lamda` from 10.0 with
/// `threshold_diff = 1e-5`, and the CIFAR-10 runs' `dev_type = 'std'` (`torch.std`,
/// Bessel-corrected) as our default. Departures: the tests run in `Double` on the
/// expansion ‖g_i − μ + γq‖² = ‖g_i − μ‖² + 2γ(g_i − μ)·q + γ²‖q‖² (q = −∇p), computed
/// once, where their code recomputes float32 distances on the GPU at every step — the
/// same γ up to rounding, and O(h) per test instead of O(h·d); the inverse unit vector of
/// a zero mean is 0 (their code divides by zero).
public struct MinMaxAttack: Attack {
    /// ∇p, the direction the honest mean is pushed along.
    public let perturbation: PerturbationDirection
    /// γ₀, the first γ the binary search tests (it finds γ in [0, 2γ₀)).
    public let initialGamma: Double

    /// - Precondition: `initialGamma` is finite and > 0.
    public init(perturbation: PerturbationDirection = .inverseStandardDeviation, initialGamma: Double = 10) {
        precondition(initialGamma.isFinite && initialGamma > 0,
                     "min-max: initialGamma must be finite and > 0, got \(initialGamma)")
        self.perturbation = perturbation
        self.initialGamma = initialGamma
    }

    public var name: String {
        "min-max(perturbation=\(perturbation),initial_gamma=\(formatParameter(initialGamma)))"
    }
    public var knowledge: AttackKnowledge { .honestGradients }
    public var isIdenticalAcrossWorkers: Bool { true }

    /// The γ the binary search picks for this round (what ``craft(into:context:generator:)``
    /// multiplies ∇p by).
    /// - Precondition: as for ``craft(into:context:generator:)``.
    /// - Complexity: that of ``craft(into:context:generator:)``, plus O(d) scratch.
    public func gamma(context: AttackContext) -> Double {
        let honest = context.requireHonestGradients(attack: "min-max")
        var scratch = [Float](repeating: 0, count: honest.columnCount)
        return scratch.withUnsafeMutableBufferPointer { craft(into: $0, honest: honest) }
    }

    /// - Precondition: `context.honestGradients` holds at least one row of width d.
    /// - Complexity: O(h²·d) for the largest honest pairwise distance, O(h·d) for μ, ∇p and
    ///   the expansion, then O(h) per test (about 20); O(2d) scratch.
    public func craft(
        into output: UnsafeMutableBufferPointer<Float>, context: AttackContext,
        generator: inout SeededGenerator
    ) {
        let honest = context.requireHonestGradients(count: output.count, attack: "min-max")
        _ = craft(into: output, honest: honest)
    }

    private func craft(into output: UnsafeMutableBufferPointer<Float>, honest: HonestGradients) -> Double {
        PerturbationSearch.craft(into: output, honest: honest, direction: perturbation, initialGamma: initialGamma) { a, b, c in
            let bound = honest.maximumPairwiseSquaredDistance()
            return { gamma in !a.indices.contains { a[$0] + 2 * gamma * b[$0] + gamma * gamma * c > bound } }
        }
    }
}
