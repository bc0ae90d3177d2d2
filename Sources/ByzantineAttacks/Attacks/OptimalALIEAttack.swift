import RobustAggregation
import SeededRandom

/// ALIE with its factor line-searched every round against the defender's actual rule: the
/// z that moves the rule's output farthest from the honest mean.
///
/// Rule: output = μ − z*·σ (``ALIEAttack``'s vector: μ the honest mean, σ the coordinate-wise
/// sample standard deviation of the h honest rows), with
///
///     z* = the z maximising ‖rule(G(z)) − μ‖₂ among those ``search`` evaluates,
///
/// where G(z) is the round's m × d matrix with the honest rows and μ − z·σ in every
/// Byzantine row, and rule is ``AttackContext/defender`` — the master's rule with its
/// pre-aggregations. ``FactorLineSearch``: 20 evaluations from z = 0 with step 10 and ratio
/// 0.8 by default. Parameters: evaluations, search_start, search_step, search_ratio.
/// Knowledge: the honest gradients of the round (omniscient), and the defender. Every
/// Byzantine worker sends the same vector.
///
/// After ByzFL 0.0.11 (`byzfl/attacks/attacks.py`, `Optimal_ALittleIsEnough`: the same
/// search, the same objective `linalg.norm(agg(pre_aggs(honest + f × byzantine)) −
/// mean(honest))`), from Baruch, Baruch & Goldberg, "A Little Is Enough", NeurIPS 2019,
/// and Allouah et al., "Fixing by Mixing", AISTATS 2023, where it is used. Departures:
/// ByzFL adds τ·σ; we subtract, as ``ALIEAttack`` does, so `alie-opt` with z* sends exactly
/// what `alie` with z = z* sends (for rules that commute with negation — mean, median,
/// trimmed mean, Krum, NNM — the damage of ±z is the same, and negating the honest rows
/// turns one attack into the other). The candidate rows sit where the round's Byzantine
/// workers are rather than after the honest ones (the same for order-independent rules).
///
/// The search only ever looks above its best factor so far (ByzFL's design): against
/// filters that drop far rows (Krum, NNM) a first step to 10 can already beat 0 on the
/// honest rows' own spread and lock the search above the small factors that actually sway
/// the output; a smaller `search_step` reaches them. Tests pin this down.
///
/// - Complexity per call: O(h·d) for μ and σ, one m × d copy of the matrix, then per
///   evaluation O(b·d) to write the rows plus one run of the rule — in all about
///   evaluations × (rule cost + b·d). Every Byzantine worker of the round repeats it unless
///   the caller crafts once (``isIdenticalAcrossWorkers``).
public struct OptimalALIEAttack: Attack {
    /// How z is searched.
    public let search: FactorLineSearch

    public init(search: FactorLineSearch = FactorLineSearch()) {
        self.search = search
    }

    public var name: String { "alie-opt(\(search.parameterList))" }
    public var knowledge: AttackKnowledge { .honestGradients }
    public var needsDefender: Bool { true }
    public var isIdenticalAcrossWorkers: Bool { true }

    /// The z the search picks for this round and the damage ‖rule(G) − μ‖₂ it reaches.
    /// - Precondition: as for ``craft(into:context:generator:)``.
    /// - Complexity: that of ``craft(into:context:generator:)``, plus O(d) scratch.
    public func optimalFactor(context: AttackContext) -> (z: Double, damage: Double) {
        let honest = context.requireHonestGradients(attack: "alie-opt")
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
        let honest = context.requireHonestGradients(count: output.count, attack: "alie-opt")
        _ = craft(into: output, honest: honest, context: context)
    }

    private func craft(
        into output: UnsafeMutableBufferPointer<Float>, honest: HonestGradients, context: AttackContext
    ) -> (factor: Double, value: Double) {
        DefenderLoop.bestCandidate(.meanMinusDeviation, into: output, honest: honest, context: context, search: search, attack: "alie-opt")
    }
}
