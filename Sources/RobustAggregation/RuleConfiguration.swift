/// The aggregation rules by name, as the command line and experiment files spell them.
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
    case brsgdRobust = "brsgd-robust"
    case brsgdHistory = "brsgd-history"

    /// True for the rules that take the number of Byzantine workers f.
    public var takesByzantineCount: Bool { parameters.contains(.assumedByzantine) }

    /// The ``RuleConfiguration`` parameters the rule itself takes (the pre-aggregations —
    /// clipping, ARC, bucketing, NNM — apply to every rule and are not listed).
    public var parameters: [RuleConfiguration.Parameter] {
        switch self {
        case .mean, .median: []
        case .trimmedMean, .krum, .bulyan: [.assumedByzantine]
        case .multiKrum: [.assumedByzantine, .multiKrumCount]
        case .brsgd, .brsgdRobust, .brsgdHistory: [.beta, .threshold]
        case .geometricMedian: [.smoothing, .iterations]
        case .centeredClipping: [.clippingRadius, .iterations, .center]
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
        case .brsgdRobust: "BrSGD keeping the rows of most typical score, then one centered-clipping pass, O(md)"
        case .brsgdHistory: "brsgd-robust over rows with identical ones merged, clipped around the last aggregate (keeps history)"
        }
    }
}

/// A rule and its parameters as typed values — what a command line, an experiment file or
/// the C interface holds — turned into a rule by ``makeRule(seed:)``, which checks every
/// parameter.
///
/// ```swift
/// let rule = try RuleConfiguration(name: .brsgd, selectionFraction: 0.5).makeRule()
/// let robust = try RuleConfiguration(name: .brsgd, byzantineCount: 9, bucketSize: 2,
///                                    adaptiveRobustClipping: true).makeRule(seed: runSeed)
/// let result = try robust.aggregate(gradients, round: t)
/// ```
///
/// JSON (keys are the command line's long options in snake_case; absent means the
/// default): `{"name": "krum", "assumed_byzantine": 5}`,
/// `{"name": "brsgd", "beta": 0.5, "threshold": "auto", "nnm": true, "assumed_byzantine": 4}`,
/// `{"name": "median", "clipping": 5, "arc": true, "bucketing": 2, "assumed_byzantine": 4}`.
/// A parameter the rule does not take is an error, never silently ignored.
///
/// Pre-aggregations apply to every rule and stack in one fixed order, whatever order they
/// were given in: near-identical rows are first merged (`collapse`, ``CollusionCollapse``),
/// then the rows are clipped to norm c (`clipping`, ``StaticClipping``),
/// then ARC-clipped (`arc`, ``AdaptiveRobustClipping``, needs f), then averaged in random
/// buckets of s (`bucketing`, ``Bucketing``, seeded by `makeRule(seed:)` and the round), then
/// mixed with their nearest neighbours (`nnm`, ``NearestNeighborMixing``, needs f), and the
/// rule aggregates what is left: rule ∘ NNM ∘ bucketing ∘ ARC ∘ clipping ∘ collapse. Clipping comes first
/// so that bucket means and mixtures are made of rows of bounded norm (a huge row cannot
/// dominate a bucket), and NNM last, over the buckets, as the rule's immediate input. Every
/// stage keeps f' = max(0, f − rejected − merged) for its f.
/// Where centered clipping starts each round (`center` in files, `--center` on the command line).
public enum ClippingCenter: String, CaseIterable, Sendable, Codable, Hashable {
    /// The coordinate-wise median of the rows (stateless; the default).
    case median
    /// Zero (stateless; ByzFL's choice without memory).
    case zero
    /// The last round's aggregate, zero before the first: Karimireddy et al.'s rule, with
    /// memory across rounds (``AggregationRule/usesPreviousAggregate``).
    case previous
}

public struct RuleConfiguration: Sendable, Codable, Hashable {
    /// A parameter a rule may take, named as in files and (with dashes) on the command line.
    public enum Parameter: String, CaseIterable, Sendable, Hashable, CustomStringConvertible {
        /// f, the number of Byzantine workers the rule assumes: ≥ 0.
        case assumedByzantine = "assumed_byzantine"
        /// BrSGD's β: in (0, 1].
        case beta
        /// BrSGD's T: finite, ≥ 0, or auto.
        case threshold
        /// Multi-Krum's q: ≥ 1.
        case multiKrumCount = "multi_krum_count"
        /// Geometric median's ν: finite, > 0.
        case smoothing
        /// Geometric median's maximum and centered clipping's count: ≥ 1.
        case iterations
        /// Centered clipping's τ: finite, > 0.
        case clippingRadius = "clipping_radius"
        /// Centered clipping's start: median, zero or previous (the last aggregate).
        case center
        /// Nearest-neighbour mixing around any rule.
        case nnm
        /// Bucketing's s, around any rule: ≥ 1.
        case bucketing
        /// Static clipping's c, around any rule: finite, > 0.
        case clipping
        /// Adaptive robust clipping around any rule.
        case arc
        /// Collusion collapse (near-identical rows merged) around any rule.
        case collapse

        /// The pre-aggregations, which apply to every rule.
        public static let preAggregations: [Parameter] = [.collapse, .clipping, .arc, .bucketing, .nnm]

        public var description: String { rawValue }
        /// The command-line option: `--assumed-byzantine`.
        public var option: String { "--" + String(rawValue.map { $0 == "_" ? "-" : $0 }) }
    }

    public var name: RuleName
    /// f, for trimmed-mean, krum, multi-krum, bulyan and NNM.
    public var byzantineCount: Int?
    /// β for brsgd, brsgd-robust and brsgd-history (default ½).
    public var selectionFraction: Double?
    /// T for brsgd, brsgd-robust and brsgd-history; nil means `auto`.
    public var threshold: Double?
    /// q for multi-krum (default m' − f', decided each round).
    public var selectionCount: Int?
    /// ν for geometric-median (default 1e-6).
    public var smoothing: Double?
    /// Iterations for geometric-median (the maximum, default 100) and centered-clipping (default 3).
    public var iterations: Int?
    /// τ for centered-clipping (default 10).
    public var radius: Double?
    /// Where centered-clipping starts (default the coordinate-wise median; `previous` keeps
    /// the last round's aggregate, as its authors run it).
    public var center: ClippingCenter?
    /// Wrap the rule in nearest-neighbour mixing (needs f).
    public var nearestNeighborMixing: Bool
    /// Bucketing's s: average random buckets of s rows first (nil: no bucketing).
    public var bucketSize: Int?
    /// Static clipping's c: clip every row to L2 norm ≤ c first (nil: no static clipping).
    public var clippingThreshold: Double?
    /// Clip the rows first by adaptive robust clipping (needs f).
    public var adaptiveRobustClipping: Bool
    /// Merge near-identical rows first (``CollusionCollapse``), before every other stage.
    public var collusionCollapse: Bool

    public init(name: RuleName, byzantineCount: Int? = nil, selectionFraction: Double? = nil,
                threshold: Double? = nil, selectionCount: Int? = nil, smoothing: Double? = nil,
                iterations: Int? = nil, radius: Double? = nil, nearestNeighborMixing: Bool = false,
                bucketSize: Int? = nil, clippingThreshold: Double? = nil, adaptiveRobustClipping: Bool = false,
                center: ClippingCenter? = nil, collusionCollapse: Bool = false) {
        self.center = center
        self.collusionCollapse = collusionCollapse
        self.name = name
        self.byzantineCount = byzantineCount
        self.selectionFraction = selectionFraction
        self.threshold = threshold
        self.selectionCount = selectionCount
        self.smoothing = smoothing
        self.iterations = iterations
        self.radius = radius
        self.nearestNeighborMixing = nearestNeighborMixing
        self.bucketSize = bucketSize
        self.clippingThreshold = clippingThreshold
        self.adaptiveRobustClipping = adaptiveRobustClipping
    }

    /// The defaults every rule documents.
    public static let defaultSelectionFraction = 0.5
    public static let defaultSmoothing = 1e-6
    public static let defaultGeometricMedianIterations = 100
    public static let defaultClippingRadius = 10.0
    public static let defaultClippingIterations = 3

    /// Whether f is needed: by the rule itself or by a pre-aggregation (NNM, ARC).
    public var needsByzantineCount: Bool {
        name.takesByzantineCount || nearestNeighborMixing || adaptiveRobustClipping
    }

    /// The parameters that are set (NNM and ARC count when on).
    public var givenParameters: [Parameter] {
        var given: [Parameter] = []
        if byzantineCount != nil { given.append(.assumedByzantine) }
        if selectionFraction != nil { given.append(.beta) }
        if threshold != nil { given.append(.threshold) }
        if selectionCount != nil { given.append(.multiKrumCount) }
        if smoothing != nil { given.append(.smoothing) }
        if iterations != nil { given.append(.iterations) }
        if radius != nil { given.append(.clippingRadius) }
        if center != nil { given.append(.center) }
        if nearestNeighborMixing { given.append(.nnm) }
        if bucketSize != nil { given.append(.bucketing) }
        if clippingThreshold != nil { given.append(.clipping) }
        if adaptiveRobustClipping { given.append(.arc) }
        if collusionCollapse { given.append(.collapse) }
        return given
    }

    /// The same configuration with every fixed default written out (β = ½ for brsgd, ν and
    /// the iterations for geometric median, τ and the iterations for centered clipping), so
    /// a record says exactly what ran. f is not invented here: the caller gives it.
    public func resolved() -> RuleConfiguration {
        var copy = self
        switch name {
        case .brsgd, .brsgdRobust, .brsgdHistory: copy.selectionFraction = selectionFraction ?? Self.defaultSelectionFraction
        case .geometricMedian:
            copy.smoothing = smoothing ?? Self.defaultSmoothing
            copy.iterations = iterations ?? Self.defaultGeometricMedianIterations
        case .centeredClipping:
            copy.radius = radius ?? Self.defaultClippingRadius
            copy.iterations = iterations ?? Self.defaultClippingIterations
        default: break
        }
        return copy
    }

    /// Checks that every given parameter applies to the rule.
    /// - Throws: ``AggregationError/Code/inapplicableParameter`` naming the parameter, the
    ///   rule and what it takes instead.
    public func checkApplicable() throws(AggregationError) {
        for parameter in givenParameters { try checkApplicable(parameter) }
    }

    /// Checks that `parameter` applies to this rule (f applies wherever the rule or a
    /// pre-aggregation needs it; the pre-aggregations apply to every rule).
    /// - Throws: ``AggregationError/Code/inapplicableParameter`` naming the parameter, the
    ///   rule and what it takes instead.
    public func checkApplicable(_ parameter: Parameter) throws(AggregationError) {
        if Parameter.preAggregations.contains(parameter) || name.parameters.contains(parameter) { return }
        if parameter == .assumedByzantine && needsByzantineCount { return }
        let takes = name.parameters.isEmpty
            ? "it takes no parameters"
            : "it takes " + name.parameters.map(\.rawValue).joined(separator: ", ")
        throw AggregationError(
            code: .inapplicableParameter,
            message: "\(name.rawValue) does not take \(parameter); \(takes)",
            parameter: parameter)
    }

    /// The largest f a rule is built with, 2³¹ − 1: more than any matrix has rows, and small
    /// enough that the rules' arithmetic on it (trimmed mean's 2f, Bulyan's 4f + 3) cannot
    /// overflow.
    public static let maximumByzantineCount = Int(Int32.max)

    /// The configured rule, wrapped in the configured pre-aggregations (in the order the type's
    /// documentation gives). `seed` seeds bucketing's permutations (with the round of each
    /// call to `aggregate(_:round:)`); a configuration without bucketing ignores it.
    /// - Throws: ``AggregationError/Code/inapplicableParameter`` for a parameter the rule
    ///   does not take; ``AggregationError/Code/invalidParameter`` naming the parameter, its
    ///   value and its valid range (``AggregationError/parameter`` says which).
    public func makeRule(seed: UInt64 = 0) throws(AggregationError) -> any AggregationRule {
        func invalid(_ parameter: Parameter, _ message: String) -> AggregationError {
            AggregationError(code: .invalidParameter, message: message, parameter: parameter)
        }
        try checkApplicable()
        if let f = byzantineCount, f < 0 || f > Self.maximumByzantineCount {
            throw invalid(.assumedByzantine, "the number of Byzantine workers f must lie in 0...\(Self.maximumByzantineCount), got \(f)")
        }
        guard !needsByzantineCount || byzantineCount != nil else {
            let who = name.takesByzantineCount ? name.rawValue : nearestNeighborMixing ? "nnm" : "arc"
            throw invalid(.assumedByzantine, "\(who) needs the number of Byzantine workers f")
        }
        try checkPreAggregations()
        let f = byzantineCount ?? 0
        let rule: any AggregationRule
        switch name {
        case .mean: rule = Mean()
        case .median: rule = CoordinateWiseMedian()
        case .trimmedMean: rule = TrimmedMean(byzantineCount: f)
        case .krum: rule = Krum(byzantineCount: f)
        case .multiKrum:
            if let q = selectionCount, q < 1 { throw invalid(.multiKrumCount, "multi-krum's q must be ≥ 1, got \(q)") }
            rule = MultiKrum(byzantineCount: f, selectionCount: selectionCount)
        case .brsgd, .brsgdRobust, .brsgdHistory:
            let beta = selectionFraction ?? Self.defaultSelectionFraction
            guard beta > 0 && beta <= 1 else { throw invalid(.beta, "\(name.rawValue)'s β must lie in (0, 1], got \(beta)") }
            if let t = threshold, !(t.isFinite && t >= 0) {
                throw invalid(.threshold, "\(name.rawValue)'s threshold T must be a finite number ≥ 0 or auto, got \(t)")
            }
            let t: BrSGD.Threshold = threshold.map { .fixed($0) } ?? .automatic
            rule = switch name {
            case .brsgd: BrSGD(selectionFraction: beta, threshold: t)
            case .brsgdRobust: RobustBrSGD(selectionFraction: beta, threshold: t)
            default: HistoryBrSGD(selectionFraction: beta, threshold: t)
            }
        case .geometricMedian:
            let nu = smoothing ?? Self.defaultSmoothing, n = iterations ?? Self.defaultGeometricMedianIterations
            guard nu > 0 && nu.isFinite else { throw invalid(.smoothing, "geometric-median's ν must be a finite number > 0, got \(nu)") }
            guard n >= 1 else { throw invalid(.iterations, "geometric-median's iterations must be ≥ 1, got \(n)") }
            rule = GeometricMedian(smoothing: nu, maximumIterations: n)
        case .bulyan: rule = Bulyan(byzantineCount: f)
        case .centeredClipping:
            let tau = radius ?? Self.defaultClippingRadius, n = iterations ?? Self.defaultClippingIterations
            guard tau > 0 && tau.isFinite else { throw invalid(.clippingRadius, "centered-clipping's τ must be a finite number > 0, got \(tau)") }
            guard n >= 1 else { throw invalid(.iterations, "centered-clipping's iterations must be ≥ 1, got \(n)") }
            let start: CenteredClipping.Start = switch center ?? .median {
            case .median: .coordinateWiseMedian
            case .zero: .zero
            case .previous: .previousAggregate
            }
            rule = CenteredClipping(radius: tau, iterations: n, start: start)
        }
        return try wrappingPreAggregations(around: rule, seed: seed)
    }

    /// `rule` wrapped in the configured pre-aggregations alone, in the order the type's
    /// documentation gives (clipping outermost, NNM innermost); the configuration's own rule
    /// and its parameters are ignored. ``makeRule(seed:)`` builds its stack with it, and
    /// `brsgd bench attacks` times a pre-aggregation around a rule that does nothing.
    /// - Throws: ``AggregationError/Code/invalidParameter`` for a bucket size or a clipping
    ///   threshold out of range, or NNM or ARC without f.
    public func wrappingPreAggregations(
        around rule: any AggregationRule, seed: UInt64 = 0
    ) throws(AggregationError) -> any AggregationRule {
        try checkPreAggregations()
        guard byzantineCount != nil || !(nearestNeighborMixing || adaptiveRobustClipping) else {
            throw AggregationError(code: .invalidParameter,
                                   message: "\(nearestNeighborMixing ? "nnm" : "arc") needs the number of Byzantine workers f",
                                   parameter: .assumedByzantine)
        }
        let f = byzantineCount ?? 0
        var stack = rule
        if nearestNeighborMixing { stack = NearestNeighborMixing(byzantineCount: f, wrapping: stack) }
        if let s = bucketSize { stack = Bucketing(bucketSize: s, seed: seed, wrapping: stack) }
        if adaptiveRobustClipping { stack = AdaptiveRobustClipping(byzantineCount: f, wrapping: stack) }
        if let c = clippingThreshold { stack = StaticClipping(threshold: c, wrapping: stack) }
        if collusionCollapse { stack = CollusionCollapse(wrapping: stack) }
        return stack
    }

    /// Bucketing's s ≥ 1 and clipping's c finite and > 0, when given.
    private func checkPreAggregations() throws(AggregationError) {
        if let s = bucketSize, s < 1 {
            throw AggregationError(code: .invalidParameter, message: "bucketing's bucket size s must be ≥ 1, got \(s)",
                                   parameter: .bucketing)
        }
        if let c = clippingThreshold, !(c > 0 && c.isFinite) {
            throw AggregationError(code: .invalidParameter,
                                   message: "clipping's threshold c must be a finite number > 0, got \(c)",
                                   parameter: .clipping)
        }
    }

    /// Builds the rule and tries it on `workerCount` zero rows of one column, so that a rule
    /// that cannot run with that many workers (Krum with m − f − 2 < 1, trimmed mean with
    /// m ≤ 2f) fails before any work rather than in the first round.
    /// - Throws: the ``AggregationError`` of ``makeRule(seed:)`` or of that trial.
    /// - Complexity: O(m²) at most (Krum's distances on one column).
    public func makeRule(seed: UInt64 = 0, checkedFor workerCount: Int) throws(AggregationError) -> any AggregationRule {
        let rule = try makeRule(seed: seed)
        _ = try rule.aggregate(GradientMatrix(rowCount: workerCount, columnCount: 1))
        return rule
    }

    enum CodingKeys: String, CodingKey {
        case name
        case byzantineCount = "assumed_byzantine"
        case selectionFraction = "beta"
        case threshold
        case selectionCount = "multi_krum_count"
        case smoothing
        case iterations
        case radius = "clipping_radius"
        case center
        case nearestNeighborMixing = "nnm"
        case bucketSize = "bucketing"
        case clippingThreshold = "clipping"
        case adaptiveRobustClipping = "arc"
        case collusionCollapse = "collapse"
    }

    /// Reads the JSON form; `threshold` may be a number or `"auto"`, `nnm` and `arc` may be absent.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(RuleName.self, forKey: .name)
        byzantineCount = try c.decodeIfPresent(Int.self, forKey: .byzantineCount)
        selectionFraction = try c.decodeIfPresent(Double.self, forKey: .selectionFraction)
        if let text = try? c.decodeIfPresent(String.self, forKey: .threshold) {
            guard text == "auto" else {
                throw DecodingError.dataCorruptedError(
                    forKey: .threshold, in: c, debugDescription: "threshold must be a number or \"auto\", got \"\(text)\"")
            }
            threshold = nil
        } else {
            threshold = try c.decodeIfPresent(Double.self, forKey: .threshold)
        }
        selectionCount = try c.decodeIfPresent(Int.self, forKey: .selectionCount)
        smoothing = try c.decodeIfPresent(Double.self, forKey: .smoothing)
        iterations = try c.decodeIfPresent(Int.self, forKey: .iterations)
        radius = try c.decodeIfPresent(Double.self, forKey: .radius)
        center = try c.decodeIfPresent(ClippingCenter.self, forKey: .center)
        nearestNeighborMixing = try c.decodeIfPresent(Bool.self, forKey: .nearestNeighborMixing) ?? false
        bucketSize = try c.decodeIfPresent(Int.self, forKey: .bucketSize)
        clippingThreshold = try c.decodeIfPresent(Double.self, forKey: .clippingThreshold)
        adaptiveRobustClipping = try c.decodeIfPresent(Bool.self, forKey: .adaptiveRobustClipping) ?? false
        collusionCollapse = try c.decodeIfPresent(Bool.self, forKey: .collusionCollapse) ?? false
    }

    /// Writes the JSON form: only the parameters that are set, BrSGD's threshold as a
    /// number or `"auto"`, `nnm` and `arc` always.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encodeIfPresent(byzantineCount, forKey: .byzantineCount)
        try c.encodeIfPresent(selectionFraction, forKey: .selectionFraction)
        if let threshold {
            try c.encode(threshold, forKey: .threshold)
        } else if [.brsgd, .brsgdRobust, .brsgdHistory].contains(name) {
            try c.encode("auto", forKey: .threshold)
        }
        try c.encodeIfPresent(selectionCount, forKey: .selectionCount)
        try c.encodeIfPresent(smoothing, forKey: .smoothing)
        try c.encodeIfPresent(iterations, forKey: .iterations)
        try c.encodeIfPresent(radius, forKey: .radius)
        try c.encodeIfPresent(center, forKey: .center)
        try c.encode(nearestNeighborMixing, forKey: .nearestNeighborMixing)
        try c.encodeIfPresent(bucketSize, forKey: .bucketSize)
        try c.encodeIfPresent(clippingThreshold, forKey: .clippingThreshold)
        try c.encode(adaptiveRobustClipping, forKey: .adaptiveRobustClipping)
        // Only when on, so that the files (and run ids) of every configuration without it are
        // those written before the stage existed.
        if collusionCollapse { try c.encode(true, forKey: .collusionCollapse) }
    }
}
