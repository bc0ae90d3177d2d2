/// What an attack must see to craft its vector, from least to most; `Comparable` in that order.
///
/// In the networked deployment a Byzantine worker process knows only its own batch and
/// gradient, so it can run the attacks up to ``ownGradient``; ``honestGradients`` attacks
/// are omniscient and run only in the simulation.
public enum AttackKnowledge: Sendable, Hashable, Comparable, CaseIterable, CustomStringConvertible {
    /// Nothing (gaussian, NaN / Inf vectors).
    case none
    /// The honest gradient the worker computed on its own batch (gradient-scale, sign-flip,
    /// label-flip): ``AttackContext/ownGradient``.
    case ownGradient
    /// Every honest gradient of the round (model-negation, ALIE, IPM, mimic, FoE, min-max,
    /// min-sum, and — with the defender's rule as well — alie-opt and ipm-opt):
    /// ``AttackContext/honestGradients``. Omniscient.
    case honestGradients

    public var description: String {
        switch self {
        case .none: "none"
        case .ownGradient: "own gradient"
        case .honestGradients: "honest gradients (omniscient)"
        }
    }
}

extension AttackKnowledge {
    /// Whether a Byzantine worker with this knowledge computes a gradient of its own each
    /// round: only for `.ownGradient` (gradient-scale, sign-flip, label-flip), whose vector is
    /// made from it. An omniscient attack (`.honestGradients`) crafts from the honest rows
    /// alone, so its worker's own gradient would be computed for nothing: b of the round's m
    /// gradients (half of them at α = 50%). An omniscient attack that someday wants its own
    /// gradient finds `AttackContext.ownGradient` nil and traps (`requireOwnGradient`) rather
    /// than reading a stale row.
    /// - Complexity: O(1).
    public var craftsFromOwnGradient: Bool { self == .ownGradient }
}
