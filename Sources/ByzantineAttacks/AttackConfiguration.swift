/// An attack by kind with optional parameters, as a configuration file or the command line
/// gives it; ``makeAttack()`` checks the parameters and builds the attack.
///
/// ```swift
/// let configuration = AttackConfiguration(kind: .gaussian, standardDeviation: 100)
/// let attack = try configuration.makeAttack()          // GaussianAttack, "gaussian(sigma=100)"
/// ```
///
/// JSON (keys are the command line's long options): `{"name": "model-negation", "scale": 1e10}`;
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
        /// The worker ``MimicAttack`` copies: ≥ 0 (and < m, checked by `validate`).
        case target

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
    /// The worker mimic copies (default: the first honest worker).
    public var target: Int?

    public init(
        kind: AttackKind, standardDeviation: Double? = nil, scale: Double? = nil,
        z: Double? = nil, epsilon: Double? = nil, target: Int? = nil
    ) {
        self.kind = kind
        self.standardDeviation = standardDeviation
        self.scale = scale
        self.z = z
        self.epsilon = epsilon
        self.target = target
    }

    /// The parameters that are set.
    public var givenParameters: [Parameter] {
        var given: [Parameter] = []
        if standardDeviation != nil { given.append(.standardDeviation) }
        if scale != nil { given.append(.scale) }
        if z != nil { given.append(.z) }
        if epsilon != nil { given.append(.epsilon) }
        if target != nil { given.append(.target) }
        return given
    }

    /// The default σ, scales and ε the attacks document.
    public static let defaultStandardDeviation = 200.0
    public static let defaultAmplification = 1e10
    public static let defaultSignFlipScale = 1.0
    public static let defaultEpsilon = 0.1

    /// The same configuration with every default written out, so a record says exactly
    /// what ran: σ = 200, the scales, ε = 0.1, ALIE's z computed from m and f, mimic's
    /// target (the first honest worker, b, as workers 0..<b are the Byzantine ones).
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
        case .mimic: copy.target = target ?? byzantineCount
        case .labelFlip, .nan, .inf: break
        }
        return copy
    }

    enum CodingKeys: String, CodingKey {
        case kind = "name"
        case standardDeviation = "sigma"
        case scale, z, epsilon, target
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
            return MimicAttack(target: target)
        case .nan:
            return NonFiniteAttack(.nan)
        case .inf:
            return NonFiniteAttack(.positiveInfinity)
        }
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
