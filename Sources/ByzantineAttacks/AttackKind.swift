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

    /// The four attacks of the BrSGD paper's experiments (§5.1), in its order.
    public static let paperAttacks: [AttackKind] = [.gaussian, .modelNegation, .gradientScale, .labelFlip]

    public var description: String { rawValue }

    /// What the attack must see (the same as its ``Attack/knowledge``).
    public var knowledge: AttackKnowledge {
        switch self {
        case .gaussian, .nan, .inf: .none
        case .gradientScale, .labelFlip, .signFlip: .ownGradient
        case .modelNegation, .alie, .ipm, .mimic: .honestGradients
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
        case .mimic: [.target]
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
            "copies one honest worker's gradient (the first by default); omniscient (Karimireddy et al., ICLR 2022)"
        case .nan:
            "a vector of NaN, to check that the master rejects it"
        case .inf:
            "a vector of +Inf, to check that the master rejects it"
        }
    }
}
