/// An attack by kind with optional parameters, as a configuration file or the command line
/// gives it; ``makeAttack()`` checks the parameters and builds the attack.
///
/// ```swift
/// let configuration = AttackConfiguration(kind: .gaussian, standardDeviation: 100)
/// let attack = try configuration.makeAttack()          // GaussianAttack, "gaussian(sigma=100)"
/// ```
///
/// JSON (keys are the command line's long options in snake_case):
/// `{"name": "model-negation", "scale": 1e10}`, `{"name": "min-max", "perturbation": "inverse-sign"}`,
/// `{"name": "ipm-opt", "evaluations": 30}`, `{"name": "mimic", "mimic_mode": "max-variance"}`;
/// absent parameters take the attack's default (``resolved(workerCount:byzantineCount:)``
/// writes them out), and a parameter the attack does not take is an error rather than ignored.
public struct AttackConfiguration: Codable, Sendable, Hashable {
    /// A parameter an attack may take.
    public enum Parameter: String, CaseIterable, Sendable, Hashable, CustomStringConvertible {
        /// σ of ``GaussianAttack``: finite, ≥ 0.
        case standardDeviation = "sigma"
        /// The factor of ``ModelNegationAttack``, ``GradientScaleAttack``, ``SignFlipAttack``: finite, > 0.
        case scale
        /// z of ``ALIEAttack``: finite.
        case z
        /// ε of ``IPMAttack``: finite, > 0.
        case epsilon
        /// The worker ``MimicAttack`` copies: ≥ 0 (and < m, checked by `validate`); fixed mode only.
        case target
        /// How ``MimicAttack`` picks the worker: `fixed` or `max-variance`.
        case mimicMode = "mimic_mode"
        /// The attack factor of ``FallOfEmpiresAttack``: finite.
        case factor
        /// ∇p of ``MinMaxAttack`` and ``MinSumAttack``: `inverse-unit-vector`, `inverse-std`, `inverse-sign`.
        case perturbation
        /// γ₀ of ``MinMaxAttack`` and ``MinSumAttack``'s binary search: finite, > 0.
        case initialGamma = "initial_gamma"
        /// ``FactorLineSearch/evaluations`` of ``OptimalALIEAttack`` and ``OptimalIPMAttack``: ≥ 1.
        case evaluations
        /// ``FactorLineSearch/start``: finite.
        case searchStart = "search_start"
        /// ``FactorLineSearch/step``: finite, ≠ 0.
        case searchStep = "search_step"
        /// ``FactorLineSearch/ratio``: in (0.5, 1).
        case searchRatio = "search_ratio"

        public var description: String { rawValue }
        /// The command-line option: `--sigma`.
        public var option: String { "--" + String(rawValue.map { $0 == "_" ? "-" : $0 }) }
    }

    public var kind: AttackKind
    /// σ for gaussian (default 200).
    public var standardDeviation: Double?
    /// The factor for model-negation and gradient-scale (default 1e10) and sign-flip (default 1).
    public var scale: Double?
    /// z for alie (default: from m and f).
    public var z: Double?
    /// ε for ipm (default 0.1).
    public var epsilon: Double?
    /// The worker mimic copies in fixed mode (default: the first honest worker).
    public var target: Int?
    /// How mimic picks the worker (default fixed).
    public var mimicMode: MimicAttack.Mode?
    /// The attack factor for foe (default 3).
    public var factor: Double?
    /// ∇p for min-max and min-sum (default inverse-std).
    public var perturbation: PerturbationDirection?
    /// γ₀ for min-max and min-sum (default 10).
    public var initialGamma: Double?
    /// The line search of alie-opt and ipm-opt (defaults: 20 evaluations, start 0, step 10, ratio 0.8).
    public var evaluations: Int?
    public var searchStart: Double?
    public var searchStep: Double?
    public var searchRatio: Double?

    public init(
        kind: AttackKind, standardDeviation: Double? = nil, scale: Double? = nil,
        z: Double? = nil, epsilon: Double? = nil, target: Int? = nil,
        mimicMode: MimicAttack.Mode? = nil, factor: Double? = nil,
        perturbation: PerturbationDirection? = nil, initialGamma: Double? = nil,
        evaluations: Int? = nil, searchStart: Double? = nil, searchStep: Double? = nil,
        searchRatio: Double? = nil
    ) {
        self.kind = kind
        self.standardDeviation = standardDeviation
        self.scale = scale
        self.z = z
        self.epsilon = epsilon
        self.target = target
        self.mimicMode = mimicMode
        self.factor = factor
        self.perturbation = perturbation
        self.initialGamma = initialGamma
        self.evaluations = evaluations
        self.searchStart = searchStart
        self.searchStep = searchStep
        self.searchRatio = searchRatio
    }

    /// The parameters that are set.
    public var givenParameters: [Parameter] {
        var given: [Parameter] = []
        if standardDeviation != nil { given.append(.standardDeviation) }
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

    /// The default σ, scales and ε the attacks document.
    public static let defaultStandardDeviation = 200.0
    public static let defaultAmplification = 1e10
    public static let defaultSignFlipScale = 1.0
    public static let defaultEpsilon = 0.1
    /// The defaults of foe, min-max and min-sum (the line search's are ``FactorLineSearch``'s).
    public static let defaultFactor = FallOfEmpiresAttack.defaultFactor
    public static let defaultPerturbation = PerturbationDirection.inverseStandardDeviation
    public static let defaultInitialGamma = 10.0

    /// The same configuration with every default written out, so a record says exactly
    /// what ran: σ = 200, the scales, ε = 0.1, ALIE's z computed from m and f, mimic's mode
    /// (fixed) and target (the first honest worker, b, as workers 0..<b are the Byzantine
    /// ones; none in max-variance mode), foe's factor 3, min-max's and min-sum's
    /// perturbation (inverse-std) and γ₀ = 10, and the line search of alie-opt and ipm-opt
    /// (20 evaluations, start 0, step 10, ratio 0.8).
    /// - Throws: ``AttackError`` when the automatic value cannot be computed (ALIE with
    ///   f > ⌊m/2⌋).
    public func resolved(workerCount: Int, byzantineCount: Int) throws(AttackError) -> AttackConfiguration {
        var copy = self
        switch kind {
        case .gaussian: copy.standardDeviation = standardDeviation ?? Self.defaultStandardDeviation
        case .modelNegation, .gradientScale: copy.scale = scale ?? Self.defaultAmplification
        case .signFlip: copy.scale = scale ?? Self.defaultSignFlipScale
        case .alie:
            if z == nil { copy.z = try ALIEAttack.automaticZ(workerCount: workerCount, byzantineCount: byzantineCount) }
        case .ipm: copy.epsilon = epsilon ?? Self.defaultEpsilon
        case .mimic:
            copy.mimicMode = mimicMode ?? .fixed
            if copy.mimicMode == .fixed { copy.target = target ?? byzantineCount }
        case .foe: copy.factor = factor ?? Self.defaultFactor
        case .minMax, .minSum:
            copy.perturbation = perturbation ?? Self.defaultPerturbation
            copy.initialGamma = initialGamma ?? Self.defaultInitialGamma
        case .alieOpt, .ipmOpt:
            copy.evaluations = evaluations ?? FactorLineSearch.defaultEvaluations
            copy.searchStart = searchStart ?? FactorLineSearch.defaultStart
            copy.searchStep = searchStep ?? FactorLineSearch.defaultStep
            copy.searchRatio = searchRatio ?? FactorLineSearch.defaultRatio
        case .labelFlip, .nan, .inf: break
        }
        return copy
    }

    enum CodingKeys: String, CodingKey {
        case kind = "name"
        case standardDeviation = "sigma"
        case scale, z, epsilon, target
        case mimicMode = "mimic_mode"
        case factor, perturbation
        case initialGamma = "initial_gamma"
        case evaluations
        case searchStart = "search_start"
        case searchStep = "search_step"
        case searchRatio = "search_ratio"
    }

    /// Checks the parameters and builds the attack.
    /// - Throws: ``AttackError/Code/inapplicableParameter`` for a parameter the kind does
    ///   not take; ``AttackError/Code/invalidParameter`` for a value out of range. The
    ///   message names the attack, the parameter, the value and the valid range.
    public func makeAttack() throws(AttackError) -> any Attack {
        let accepted = kind.parameters
        for parameter in givenParameters where !accepted.contains(parameter) {
            let takes = accepted.isEmpty
                ? "it takes no parameters"
                : "it takes " + accepted.map(\.rawValue).joined(separator: ", ")
            throw AttackError(
                code: .inapplicableParameter,
                message: "\(kind): parameter \(parameter) does not apply; \(takes)", parameter: parameter)
        }
        switch kind {
        case .gaussian:
            let sigma = try check(.standardDeviation, standardDeviation ?? Self.defaultStandardDeviation,
                                  "a finite number ≥ 0") { $0.isFinite && $0 >= 0 }
            return GaussianAttack(standardDeviation: sigma)
        case .modelNegation:
            return ModelNegationAttack(scale: try checkScale(default: Self.defaultAmplification))
        case .gradientScale:
            return GradientScaleAttack(scale: try checkScale(default: Self.defaultAmplification))
        case .labelFlip:
            return LabelFlipAttack()
        case .signFlip:
            return SignFlipAttack(scale: try checkScale(default: Self.defaultSignFlipScale))
        case .alie:
            if let z { _ = try check(.z, z, "a finite number") { $0.isFinite } }
            return ALIEAttack(z: z)
        case .ipm:
            let value = try check(.epsilon, epsilon ?? Self.defaultEpsilon, "a finite number > 0") { $0.isFinite && $0 > 0 }
            return IPMAttack(epsilon: value)
        case .mimic:
            if let target, target < 0 {
                throw AttackError(
                    code: .invalidParameter,
                    message: "mimic: target is \(target); it must be a worker index ≥ 0", parameter: .target)
            }
            let mode = mimicMode ?? .fixed
            if target != nil, mode != .fixed {
                throw AttackError(
                    code: .inapplicableParameter,
                    message: "mimic: parameter target does not apply with mimic_mode \(mode); it takes a target only with mimic_mode fixed",
                    parameter: .target)
            }
            return MimicAttack(target: target, mode: mode)
        case .foe:
            let value = try check(.factor, factor ?? Self.defaultFactor, "a finite number") { $0.isFinite }
            return FallOfEmpiresAttack(factor: value)
        case .minMax, .minSum:
            let gamma = try check(.initialGamma, initialGamma ?? Self.defaultInitialGamma, "a finite number > 0") {
                $0.isFinite && $0 > 0
            }
            let direction = perturbation ?? Self.defaultPerturbation
            return kind == .minMax
                ? MinMaxAttack(perturbation: direction, initialGamma: gamma)
                : MinSumAttack(perturbation: direction, initialGamma: gamma)
        case .alieOpt, .ipmOpt:
            let search = try makeLineSearch()
            return kind == .alieOpt ? OptimalALIEAttack(search: search) : OptimalIPMAttack(search: search)
        case .nan:
            return NonFiniteAttack(.nan)
        case .inf:
            return NonFiniteAttack(.positiveInfinity)
        }
    }

    private func makeLineSearch() throws(AttackError) -> FactorLineSearch {
        let count = evaluations ?? FactorLineSearch.defaultEvaluations
        guard count >= 1 else {
            throw AttackError(
                code: .invalidParameter,
                message: "\(kind): evaluations is \(count); it must be an integer ≥ 1", parameter: .evaluations)
        }
        let start = try check(.searchStart, searchStart ?? FactorLineSearch.defaultStart, "a finite number") {
            $0.isFinite
        }
        let step = try check(.searchStep, searchStep ?? FactorLineSearch.defaultStep, "a finite number ≠ 0") {
            $0.isFinite && $0 != 0
        }
        let ratio = try check(.searchRatio, searchRatio ?? FactorLineSearch.defaultRatio,
                              "a number in (0.5, 1), both excluded") { $0 > 0.5 && $0 < 1 }
        return FactorLineSearch(evaluations: count, start: start, step: step, ratio: ratio)
    }

    private func checkScale(default value: Double) throws(AttackError) -> Double {
        try check(.scale, scale ?? value, "a finite number > 0") { $0.isFinite && $0 > 0 }
    }

    private func check(
        _ parameter: Parameter, _ value: Double, _ range: String, _ isValid: (Double) -> Bool
    ) throws(AttackError) -> Double {
        guard isValid(value) else {
            throw AttackError(
                code: .invalidParameter,
                message: "\(kind): \(parameter) is \(value); it must be \(range)", parameter: parameter)
        }
        return value
    }
}
