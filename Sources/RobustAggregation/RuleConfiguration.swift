/// The aggregation rules by name, as the command line and experiment records spell them.
public enum RuleName: String, CaseIterable, Sendable, Codable {
    case mean
    case median
    case trimmedMean = "trimmed-mean"
    case krum
    case multiKrum = "multi-krum"
    case brsgd
    case geometricMedian = "geometric-median"
    case bulyan
    case centeredClipping = "centered-clipping"

    /// True for the rules that take the number of Byzantine workers f.
    public var takesByzantineCount: Bool {
        switch self {
        case .trimmedMean, .krum, .multiKrum, .bulyan: true
        default: false
        }
    }

    /// One line for `--help`: the rule and its paper.
    public var summary: String {
        switch self {
        case .mean: "column mean (not robust; plain synchronous SGD)"
        case .median: "coordinate-wise median (Yin et al., ICML 2018)"
        case .trimmedMean: "coordinate-wise trimmed mean, f from each side (Yin et al., ICML 2018)"
        case .krum: "the row closest to its m'-f'-2 neighbours (Blanchard et al., NeurIPS 2017)"
        case .multiKrum: "mean of the q rows with the best Krum scores (El Mhamdi et al., ICML 2018)"
        case .brsgd: "BrSGD, Algorithm 2 of Li et al.: L1 filter around the median + majority scores, O(md)"
        case .geometricMedian: "geometric median by smoothed Weiszfeld (Pillutla et al., 2022)"
        case .bulyan: "Krum selection then trimmed mean (El Mhamdi et al., ICML 2018)"
        case .centeredClipping: "iterative centered clipping (Karimireddy et al., ICML 2021)"
        }
    }
}

/// A rule and its parameters as plain values (what a command line or a JSON record holds),
/// turned into a rule by ``makeRule()``, which checks every parameter.
///
/// ```swift
/// let rule = try RuleConfiguration(name: .brsgd, selectionFraction: 0.5).makeRule()
/// ```
public struct RuleConfiguration: Sendable, Codable, Equatable {
    public var name: RuleName
    /// f, for trimmed-mean, krum, multi-krum, bulyan and NNM.
    public var byzantineCount: Int?
    /// β for brsgd (default ½).
    public var selectionFraction: Double?
    /// T for brsgd; nil means `auto`.
    public var threshold: Double?
    /// q for multi-krum (default m' − f').
    public var selectionCount: Int?
    /// ν for geometric-median (default 1e-6).
    public var smoothing: Double?
    /// Iterations for geometric-median (the maximum, default 100) and centered-clipping (default 3).
    public var iterations: Int?
    /// τ for centered-clipping (default 10).
    public var radius: Double?
    /// Wrap the rule in nearest-neighbour mixing (needs f).
    public var nearestNeighborMixing: Bool

    public init(name: RuleName, byzantineCount: Int? = nil, selectionFraction: Double? = nil,
                threshold: Double? = nil, selectionCount: Int? = nil, smoothing: Double? = nil,
                iterations: Int? = nil, radius: Double? = nil, nearestNeighborMixing: Bool = false) {
        self.name = name
        self.byzantineCount = byzantineCount
        self.selectionFraction = selectionFraction
        self.threshold = threshold
        self.selectionCount = selectionCount
        self.smoothing = smoothing
        self.iterations = iterations
        self.radius = radius
        self.nearestNeighborMixing = nearestNeighborMixing
    }

    /// The configured rule.
    /// - Throws: ``AggregationError/Code/invalidParameter`` naming the parameter, its value
    ///   and its valid range.
    public func makeRule() throws(AggregationError) -> any AggregationRule {
        func invalid(_ message: String) -> AggregationError {
            AggregationError(code: .invalidParameter, message: message)
        }
        if let f = byzantineCount, f < 0 {
            throw invalid("the number of Byzantine workers f must be ≥ 0, got \(f)")
        }
        let needsF = name.takesByzantineCount || nearestNeighborMixing
        guard !needsF || byzantineCount != nil else {
            throw invalid("\(nearestNeighborMixing ? "nnm" : name.rawValue) needs the number of Byzantine workers f")
        }
        let f = byzantineCount ?? 0
        let rule: any AggregationRule
        switch name {
        case .mean: rule = Mean()
        case .median: rule = CoordinateWiseMedian()
        case .trimmedMean: rule = TrimmedMean(byzantineCount: f)
        case .krum: rule = Krum(byzantineCount: f)
        case .multiKrum:
            if let q = selectionCount, q < 1 { throw invalid("multi-krum's q must be ≥ 1, got \(q)") }
            rule = MultiKrum(byzantineCount: f, selectionCount: selectionCount)
        case .brsgd:
            let beta = selectionFraction ?? 0.5
            guard beta > 0 && beta <= 1 else { throw invalid("brsgd's β must lie in (0, 1], got \(beta)") }
            if let t = threshold, !(t.isFinite && t >= 0) {
                throw invalid("brsgd's threshold T must be a finite number ≥ 0 or auto, got \(t)")
            }
            rule = BrSGD(selectionFraction: beta, threshold: threshold.map { .fixed($0) } ?? .automatic)
        case .geometricMedian:
            let nu = smoothing ?? 1e-6, n = iterations ?? 100
            guard nu > 0 && nu.isFinite else { throw invalid("geometric-median's ν must be > 0, got \(nu)") }
            guard n >= 1 else { throw invalid("geometric-median's iterations must be ≥ 1, got \(n)") }
            rule = GeometricMedian(smoothing: nu, maximumIterations: n)
        case .bulyan: rule = Bulyan(byzantineCount: f)
        case .centeredClipping:
            let tau = radius ?? 10, n = iterations ?? 3
            guard tau > 0 && tau.isFinite else { throw invalid("centered-clipping's τ must be > 0, got \(tau)") }
            guard n >= 1 else { throw invalid("centered-clipping's iterations must be ≥ 1, got \(n)") }
            rule = CenteredClipping(radius: tau, iterations: n)
        }
        return nearestNeighborMixing ? NearestNeighborMixing(byzantineCount: f, wrapping: rule) : rule
    }
}
