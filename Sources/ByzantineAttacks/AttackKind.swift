/// The attacks by name, as the command line and configuration files spell them.
///
/// ```swift
/// for kind in AttackKind.paperAttacks { … }                  // the paper's four
/// AttackKind(rawValue: "model-negation")?.isOmniscient       // true
/// ```
public enum AttackKind: String, CaseIterable, Sendable, Codable, CustomStringConvertible {
    case gaussian
    case modelNegation = "model-negation"
    case gradientScale = "gradient-scale"
    case labelFlip = "label-flip"
    case signFlip = "sign-flip"
    case alie
    case ipm
    case mimic
    case nan
    case inf
    case foe
    case minMax = "min-max"
    case minSum = "min-sum"
    case alieOpt = "alie-opt"
    case ipmOpt = "ipm-opt"

    /// The four attacks of the BrSGD paper's experiments (§5.1), in its order.
    public static let paperAttacks: [AttackKind] = [.gaussian, .modelNegation, .gradientScale, .labelFlip]

    public var description: String { rawValue }

    /// What the attack must see (the same as its ``Attack/knowledge``).
    public var knowledge: AttackKnowledge {
        switch self {
        case .gaussian, .nan, .inf: .none
        case .gradientScale, .labelFlip, .signFlip: .ownGradient
        case .modelNegation, .alie, .ipm, .mimic, .foe, .minMax, .minSum, .alieOpt, .ipmOpt: .honestGradients
        }
    }

    /// Whether the attack needs the master's rule in its loop (``AttackContext/defender``),
    /// the same as its ``Attack/needsDefender``: `alie-opt` and `ipm-opt`.
    public var needsDefender: Bool {
        switch self {
        case .alieOpt, .ipmOpt: true
        case .gaussian, .modelNegation, .gradientScale, .labelFlip, .signFlip, .alie, .ipm, .mimic, .nan, .inf,
             .foe, .minMax, .minSum: false
        }
    }

    /// Whether the attack sees every honest gradient of the round (simulation only).
    public var isOmniscient: Bool { knowledge == .honestGradients }

    /// The ``AttackConfiguration`` parameters the attack takes.
    public var parameters: [AttackConfiguration.Parameter] {
        switch self {
        case .gaussian: [.standardDeviation]
        case .modelNegation, .gradientScale, .signFlip: [.scale]
        case .alie: [.z]
        case .ipm: [.epsilon]
        case .mimic: [.target, .mimicMode]
        case .foe: [.factor]
        case .minMax, .minSum: [.perturbation, .initialGamma]
        case .alieOpt, .ipmOpt: [.evaluations, .searchStart, .searchStep, .searchRatio]
        case .labelFlip, .nan, .inf: []
        }
    }

    /// One line for `--help`: the rule, its defaults and its paper.
    public var summary: String {
        switch self {
        case .gaussian:
            "each coordinate N(0, σ²), σ = 200 (BrSGD paper §5.1; Xie et al., 2018)"
        case .modelNegation:
            "−scale × the sum of the honest gradients, scale = 1e10; omniscient (BrSGD paper §5.1)"
        case .gradientScale:
            "scale × the worker's own gradient, scale = 1e10 (BrSGD paper §5.1)"
        case .labelFlip:
            "trains on labels y → (classes − 1) − y and sends that gradient (BrSGD paper §5.1)"
        case .signFlip:
            "−scale × the worker's own gradient, scale = 1 (Allen-Zhu et al., ICLR 2021)"
        case .alie:
            "honest mean − z × honest std per coordinate, z from m and f; omniscient (Baruch et al., NeurIPS 2019)"
        case .ipm:
            "−ε × the honest mean, ε = 0.1; omniscient (Xie et al., UAI 2019)"
        case .mimic:
            "copies one honest worker's gradient (the first, a given one, or max-variance: farthest along the top principal direction); omniscient (Karimireddy et al., ICLR 2022)"
        case .nan:
            "a vector of NaN, to check that the master rejects it"
        case .inf:
            "a vector of +Inf, to check that the master rejects it"
        case .foe:
            "(1 − factor) × the honest mean, factor = 3 (−2 × the mean, ByzFL's IPM); omniscient (Xie et al., UAI 2019)"
        case .minMax:
            "honest mean + γ∇p, ∇p = −std, largest γ with every honest row within the largest honest distance; omniscient (Shejwalkar & Houmansadr, NDSS 2021)"
        case .minSum:
            "honest mean + γ∇p, ∇p = −std, largest γ with its squared distances summing within the smallest honest sum; omniscient (Shejwalkar & Houmansadr, NDSS 2021)"
        case .alieOpt:
            "ALIE with z line-searched each round (20 evaluations) to push the defender's output farthest from the honest mean; omniscient (ByzFL)"
        case .ipmOpt:
            "IPM with ε line-searched each round (20 evaluations) to push the defender's output farthest from the honest mean; omniscient (ByzFL)"
        }
    }
}
