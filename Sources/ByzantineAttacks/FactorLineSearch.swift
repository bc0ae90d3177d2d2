/// The line search ByzFL's "optimal" attacks run every round to pick their attack factor:
/// an expansion phase that doubles its step while the objective improves, then a
/// contraction phase that shrinks it, within a fixed number of evaluations.
///
/// ```swift
/// let search = FactorLineSearch()                      // 20 evaluations from 0, step 10, ratio 0.8
/// let best = search.maximize { factor in distance(factor) }
/// ```
///
/// Algorithm (ByzFL 0.0.11, `byzfl/attacks/attacks.py`, `Optimal_ALittleIsEnough` and
/// `Optimal_InnerProductManipulation`, `_expansion_phase` and `_contraction_phase`): best =
/// start, evaluated once; δ = step. Expansion: evaluate best + δ; if strictly better, it
/// becomes best and δ doubles, and expansion goes on; otherwise δ ← ratio·δ and expansion
/// ends. Contraction, with the evaluations left: evaluate best + δ, keep it if strictly
/// better, δ ← ratio·δ. Only best + δ is ever tried, never best − δ: with start 0 and a
/// positive step the factor stays ≥ 0. Against a rule whose damage grows without bound
/// (the mean), expansion never ends and the factor is start + step·(2^(evaluations − 1) − 1)
/// (5 242 870 with the defaults). An objective that is NaN is never better.
public struct FactorLineSearch: Sendable, Hashable {
    /// The number of objective evaluations, the first at ``start`` (ByzFL's `evals`).
    public let evaluations: Int
    /// The first factor evaluated (ByzFL's `start`).
    public let start: Double
    /// The first step δ (ByzFL's `delta`).
    public let step: Double
    /// The factor δ shrinks by once an expansion step fails, and after every contraction
    /// step (ByzFL's `ratio`).
    public let ratio: Double

    public static let defaultEvaluations = 20
    public static let defaultStart = 0.0
    public static let defaultStep = 10.0
    public static let defaultRatio = 0.8

    /// ByzFL's defaults: 20 evaluations, start 0, step 10, ratio 0.8.
    /// - Precondition: `evaluations >= 1`; `start` finite; `step` finite and ≠ 0;
    ///   0.5 < `ratio` < 1 (ByzFL's ranges).
    public init(
        evaluations: Int = defaultEvaluations, start: Double = defaultStart,
        step: Double = defaultStep, ratio: Double = defaultRatio
    ) {
        precondition(evaluations >= 1, "line search: evaluations must be ≥ 1, got \(evaluations)")
        precondition(start.isFinite, "line search: start must be finite, got \(start)")
        precondition(step.isFinite && step != 0, "line search: step must be finite and ≠ 0, got \(step)")
        precondition(ratio > 0.5 && ratio < 1, "line search: ratio must lie in (0.5, 1), got \(ratio)")
        self.evaluations = evaluations
        self.start = start
        self.step = step
        self.ratio = ratio
    }

    /// The parameters as attack names show them.
    var parameterList: String {
        "evaluations=\(evaluations),search_start=\(formatParameter(start)),"
            + "search_step=\(formatParameter(step)),search_ratio=\(formatParameter(ratio))"
    }

    /// The factor with the largest objective among those the search evaluates, and that
    /// objective (the first found, on ties).
    /// - Complexity: exactly ``evaluations`` calls of `objective`.
    public func maximize(_ objective: (Double) -> Double) -> (factor: Double, value: Double) {
        var bestFactor = start
        var bestValue = objective(start)
        var delta = step
        var remaining = evaluations - 1
        while remaining > 0 {
            let proposal = bestFactor + delta
            let value = objective(proposal)
            remaining -= 1
            if value > bestValue {
                bestFactor = proposal
                bestValue = value
                delta *= 2
            } else {
                delta *= ratio
                break
            }
        }
        while remaining > 0 {
            let proposal = bestFactor + delta
            let value = objective(proposal)
            remaining -= 1
            if value > bestValue {
                bestFactor = proposal
                bestValue = value
            }
            delta *= ratio
        }
        return (bestFactor, bestValue)
    }
}
