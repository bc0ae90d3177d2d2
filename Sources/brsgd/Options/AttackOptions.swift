import ArgumentParser
import ByzantineAttacks

extension AttackKind: ExpressibleByArgument {}
extension MimicAttack.Mode: ExpressibleByArgument {}
extension PerturbationDirection: ExpressibleByArgument {}

/// The attacks a command runs, which its help lists.
protocol AttackScope {
    static var kinds: [AttackKind] { get }
}

/// Every attack: the simulation (`train`) gives the omniscient ones the honest gradients.
enum EveryAttack: AttackScope {
    static var kinds: [AttackKind] { AttackKind.allCases }
}

/// The attacks a networked Byzantine worker runs alone (`master`, `cluster`, `worker`):
/// never an omniscient one, as no worker sees the others' gradients.
enum AttacksOfOneWorker: AttackScope {
    static var kinds: [AttackKind] { AttackKind.allCases.filter { !$0.isOmniscient } }
}

/// What the Byzantine workers do and the attack's parameters, shared by `train`, `master`,
/// `cluster` and `worker`; `Scope` is what the command runs, and its help lists only those
/// attacks and their parameters. Every option is optional, so that a base (a `--config`
/// file) keeps what is not given; a parameter the attack does not take is refused.
struct AttackOptions<Scope: AttackScope>: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "What the Byzantine workers do: none, \(Scope.kinds.map(\.rawValue).joined(separator: ", ")).",
        discussion: Scope.kinds.map { "\($0.rawValue): \($0.summary)" }.joined(separator: "\n")))
    var attack: String?

    @Option(name: .long, parsing: .unconditional, help: "σ of the gaussian attack, ≥ 0 (default 200).")
    var sigma: Double?

    @Option(name: .long, parsing: .unconditional, help: "The factor of model-negation and gradient-scale (default 1e10) and of sign-flip (default 1), > 0.")
    var scale: Double?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("z of the alie attack (default: from m and b, as in Baruch et al.'s paper).", visibility: Self.visibility(of: ["alie"])))
    var z: Double?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("ε of the ipm attack, > 0 (default 0.1).", visibility: Self.visibility(of: ["ipm"])))
    var epsilon: Double?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("The worker the mimic attack copies, ≥ 0 (default b, the first honest worker; with --mimic-mode fixed).", visibility: Self.visibility(of: ["mimic"])))
    var target: Int?

    @Option(name: .long, help: ArgumentHelp("Whom mimic copies: fixed (--target, default) or max-variance (each round the honest worker farthest along the top principal direction; Karimireddy et al., ICLR 2022).", visibility: Self.visibility(of: ["mimic"])))
    var mimicMode: MimicAttack.Mode?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("The factor of foe (Fall of Empires, Xie et al.): it sends (1 − factor)·the honest mean (default 3).", visibility: Self.visibility(of: ["foe"])))
    var factor: Double?

    @Option(name: .long, help: ArgumentHelp("The perturbation direction of min-max and min-sum (Shejwalkar & Houmansadr, NDSS 2021): inverse-unit-vector, inverse-std (default) or inverse-sign.", visibility: Self.visibility(of: ["min-max", "min-sum"])))
    var perturbation: PerturbationDirection?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("The first γ of min-max's and min-sum's binary search, > 0 (default 10).", visibility: Self.visibility(of: ["min-max", "min-sum"])))
    var initialGamma: Double?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("alie-opt and ipm-opt: evaluations of the defender's rule per round in the line search, ≥ 1 (default 20).", visibility: Self.visibility(of: ["alie-opt", "ipm-opt"])))
    var evaluations: Int?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("alie-opt and ipm-opt: where the line search starts (default 0).", visibility: Self.visibility(of: ["alie-opt", "ipm-opt"])))
    var searchStart: Double?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("alie-opt and ipm-opt: the line search's first step, not 0 (default 10).", visibility: Self.visibility(of: ["alie-opt", "ipm-opt"])))
    var searchStep: Double?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("alie-opt and ipm-opt: how the step shrinks when the search turns, in (0.5, 1) (default 0.8).", visibility: Self.visibility(of: ["alie-opt", "ipm-opt"])))
    var searchRatio: Double?

    /// Shown in help when the scope runs one of `attacks`, hidden otherwise.
    private static func visibility(of attacks: [String]) -> ArgumentVisibility {
        Scope.kinds.contains { attacks.contains($0.rawValue) } ? .default : .hidden
    }

    /// The attack parameters given on the command line.
    var given: [AttackConfiguration.Parameter] {
        var given: [AttackConfiguration.Parameter] = []
        if sigma != nil { given.append(.standardDeviation) }
        if scale != nil { given.append(.scale) }
        if z != nil { given.append(.z) }
        if epsilon != nil { given.append(.epsilon) }
        if target != nil { given.append(.target) }
        if mimicMode != nil { given.append(.mimicMode) }
        if factor != nil { given.append(.factor) }
        if perturbation != nil { given.append(.perturbation) }
        if initialGamma != nil { given.append(.initialGamma) }
        if evaluations != nil { given.append(.evaluations) }
        if searchStart != nil { given.append(.searchStart) }
        if searchStep != nil { given.append(.searchStep) }
        if searchRatio != nil { given.append(.searchRatio) }
        return given
    }

    /// The attack kind of `--attack` (nil for none), or nil and false when not given.
    func kind() throws -> (given: Bool, kind: AttackKind?) {
        guard let attack else { return (false, nil) }
        if attack == "none" { return (true, nil) }
        guard let kind = AttackKind(rawValue: attack) else {
            throw UsageError("--attack: unknown attack '\(attack)'; known: none, \(AttackKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return (true, kind)
    }

    /// `base` with the given options applied: another `--attack` starts from that attack's
    /// defaults; `--attack none` removes it; each given parameter replaces the base's.
    /// - Throws: a usage error naming the option (an unknown attack, a parameter without
    ///   an attack, a parameter the attack does not take).
    func apply(to base: AttackConfiguration?) throws -> AttackConfiguration? {
        var configuration = base
        let (isGiven, kind) = try kind()
        if isGiven {
            configuration = kind.map { kind in base?.kind == kind ? base! : AttackConfiguration(kind: kind) }
        }
        guard var configuration else {
            if let first = given.first {
                throw UsageError("\(first.option): applies to an attack, and none is given (--attack)")
            }
            return nil
        }
        if let sigma { configuration.standardDeviation = sigma }
        if let scale { configuration.scale = scale }
        if let z { configuration.z = z }
        if let epsilon { configuration.epsilon = epsilon }
        if let target { configuration.target = target }
        if let mimicMode { configuration.mimicMode = mimicMode }
        if let factor { configuration.factor = factor }
        if let perturbation { configuration.perturbation = perturbation }
        if let initialGamma { configuration.initialGamma = initialGamma }
        if let evaluations { configuration.evaluations = evaluations }
        if let searchStart { configuration.searchStart = searchStart }
        if let searchStep { configuration.searchStep = searchStep }
        if let searchRatio { configuration.searchRatio = searchRatio }
        for parameter in given where !configuration.kind.parameters.contains(parameter) {
            let takes = configuration.kind.parameters.isEmpty
                ? "it takes no parameters"
                : "it takes " + configuration.kind.parameters.map(\.option).joined(separator: ", ")
            throw UsageError("\(parameter.option): does not apply to the \(configuration.kind) attack; \(takes)")
        }
        return configuration
    }
}
