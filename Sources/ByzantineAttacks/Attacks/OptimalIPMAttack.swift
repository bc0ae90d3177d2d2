import RobustAggregation
import SeededRandom

/// IPM with its factor line-searched every round against the defender's actual rule: the ε
/// that moves the rule's output farthest from the honest mean.
///
/// Rule: output = −ε*·μ (``IPMAttack``'s vector, μ the honest mean), with
///
///     ε* = the ε maximising ‖rule(G(ε)) − μ‖₂ among those ``search`` evaluates,
///
/// where G(ε) is the round's m × d matrix with the honest rows and −ε·μ in every Byzantine
/// row, and rule is ``AttackContext/defender`` — the master's rule with its
/// pre-aggregations. ``FactorLineSearch``: 20 evaluations from ε = 0 with step 10 and ratio
/// 0.8 by default (so ε* ≥ 0; ε* = 0 sends the zero vector). Parameters: evaluations,
/// search_start, search_step, search_ratio. Knowledge: the honest gradients of the round
/// (omniscient), and the defender. Every Byzantine worker sends the same vector.
///
/// After ByzFL 0.0.11 (`byzfl/attacks/attacks.py`, `Optimal_InnerProductManipulation`: the
/// same search, the same objective `linalg.norm(agg(pre_aggs(honest + f × byzantine)) −
/// mean(honest))`, the vector `InnerProductManipulation(tau).__call__` = −τ·μ), from Xie,
/// Koyejo & Gupta, "Fall of Empires", UAI 2019, and Allouah et al., "Fixing by Mixing",
/// AISTATS 2023. Departure: the candidate rows sit where the round's Byzantine workers are
/// rather than after the honest ones (the same for order-independent rules).
///
/// The search only ever looks above its best factor so far (ByzFL's design): against
/// filters that drop far rows (Krum, NNM) a first step to 10 can already beat 0 on the
/// honest rows' own spread and lock the search above the small factors that actually sway
/// the output; a smaller `search_step` reaches them. Tests pin this down.
///
/// - Complexity per call: O(h·d) for μ, one m × d copy of the matrix, then per evaluation
///   O(b·d) to write the rows plus one run of the rule — in all about evaluations × (rule
///   cost + b·d). Every Byzantine worker of the round repeats it unless the caller crafts
///   once (``isIdenticalAcrossWorkers``).
public struct OptimalIPMAttack: Attack {
    /// How ε is searched.
    public let search: FactorLineSearch

    public init(search: FactorLineSearch = FactorLineSearch()) {
        self.search = search
    }

    public var name: String { "ipm-opt(\(search.parameterList))" }
    public var knowledge: AttackKnowledge { .honestGradients }
    public var needsDefender: Bool { true }
    public var isIdenticalAcrossWorkers: Bool { true }

    /// The ε the search picks for this round and the damage ‖rule(G) − μ‖₂ it reaches.
    /// - Precondition: as for ``craft(into:context:generator:)``.
    /// - Complexity: that of ``craft(into:context:generator:)``, plus O(d) scratch.
    public func optimalFactor(context: AttackContext) -> (epsilon: Double, damage: Double) {
        let honest = context.requireHonestGradients(attack: "ipm-opt")
        var scratch = [Float](repeating: 0, count: honest.columnCount)
        let best = scratch.withUnsafeMutableBufferPointer { craft(into: $0, honest: honest, context: context) }
        return (best.factor, best.value)
    }

    /// - Precondition: `context.honestGradients` holds at least one row of width d and its
    ///   matrix has m = `context.workerCount` rows; `context.defender` is set.
    public func craft(
        into output: UnsafeMutableBufferPointer<Float>, context: AttackContext,
        generator: inout SeededGenerator
    ) {
        let honest = context.requireHonestGradients(count: output.count, attack: "ipm-opt")
        _ = craft(into: output, honest: honest, context: context)
    }

    private func craft(
        into output: UnsafeMutableBufferPointer<Float>, honest: HonestGradients, context: AttackContext
    ) -> (factor: Double, value: Double) {
        DefenderLoop.bestCandidate(.negatedMean, into: output, honest: honest, context: context, search: search, attack: "ipm-opt")
    }
}
