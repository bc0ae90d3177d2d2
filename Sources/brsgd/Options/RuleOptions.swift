import ArgumentParser
import RobustAggregation

extension RuleName: ExpressibleByArgument {}

/// The aggregation rule and its parameters, shared by every command that aggregates
/// (`aggregate`, `bench attacks`, `train`, `master`, `cluster`): the same option, the
/// same name, the same meaning everywhere. Every option is optional, so that a base
/// (a `--config` file, or the command's default rule) keeps what is not given, and an
/// option given to a rule that does not take it is refused rather than ignored.
struct RuleOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The aggregation rule: \(RuleName.allCases.map(\.rawValue).joined(separator: ", ")) (default brsgd).",
        discussion: RuleName.allCases.map { "\($0.rawValue): \($0.summary)" }.joined(separator: "\n")))
    var rule: RuleName?

    @Option(name: .long, parsing: .unconditional, help: "f, the number of Byzantine workers the rule assumes (trimmed-mean, krum, multi-krum, bulyan, --nnm, --arc); default b, the number of Byzantine workers (in aggregate: required by those rules).")
    var assumedByzantine: Int?

    @Option(name: .long, parsing: .unconditional, help: "BrSGD's (and brsgd-robust's, brsgd-history's) β: the fraction of rows Constraint 2 keeps, in (0, 1] (default 0.5).")
    var beta: Double?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp(
        "BrSGD's threshold T for Constraint 1 (‖g_i − med‖₁ ≤ 2T): a number ≥ 0, or auto (the default).",
        discussion: "auto is the median of the rows' L1 distances to the coordinate-wise median: the paper leaves T without a practical value."))
    var threshold: String?

    @Option(name: .long, parsing: .unconditional, help: "Multi-Krum's q: how many rows to average, ≥ 1 (default m' − f').")
    var multiKrumCount: Int?

    @Option(name: .long, parsing: .unconditional, help: "Geometric median's smoothing ν of Weiszfeld's weights, > 0 (default 1e-6).")
    var smoothing: Double?

    @Option(name: .long, parsing: .unconditional, help: "Iterations, ≥ 1: the maximum for geometric-median (default 100), the count for centered-clipping (default 3).")
    var iterations: Int?

    @Option(name: .long, parsing: .unconditional, help: "Centered clipping's radius τ, > 0 (default 10).")
    var clippingRadius: Double?

    @Option(name: .long, help: "Where centered clipping starts each round: median (default), zero, or previous (the last round's aggregate, zero at first: the authors' rule, with memory across rounds).")
    var center: ClippingCenter?

    @Flag(name: .long, inversion: .prefixedNo, help: "Pre-aggregation: nearest-neighbour mixing (NNM, Allouah et al., AISTATS 2023); needs f.")
    var nnm: Bool?

    @Option(name: .long, parsing: .unconditional, help: "Pre-aggregation: average the rows in random buckets of this size s ≥ 1 first (Karimireddy et al., ICLR 2022).")
    var bucketing: Int?

    @Option(name: .long, parsing: .unconditional, help: "Pre-aggregation: clip every row to this L2 norm c > 0 first (static clipping).")
    var clipping: Double?

    @Flag(name: .long, inversion: .prefixedNo, help: ArgumentHelp(
        "Pre-aggregation: adaptive robust clipping (ARC, Allouah et al., 2024); needs f.",
        discussion: "The pre-aggregations stack in one fixed order whatever the order given: collapse, then clipping, then ARC, then bucketing, then NNM, then the rule."))
    var arc: Bool?

    @Flag(name: .long, inversion: .prefixedNo, help: ArgumentHelp(
        "Pre-aggregation: merge near-identical rows into one before anything else (collusion collapse).",
        discussion: "Rows closer than half the typical nearest-neighbour distance become one (the first of them), and each merged row lowers f' by one: Byzantine workers who all send one vector (ALIE, IPM, Fall of Empires, min-max, min-sum, mimic) count as one row."))
    var collapse: Bool?

    /// The parameters given on the command line.
    var given: [RuleConfiguration.Parameter] {
        var given: [RuleConfiguration.Parameter] = []
        if assumedByzantine != nil { given.append(.assumedByzantine) }
        if beta != nil { given.append(.beta) }
        if threshold != nil { given.append(.threshold) }
        if multiKrumCount != nil { given.append(.multiKrumCount) }
        if smoothing != nil { given.append(.smoothing) }
        if iterations != nil { given.append(.iterations) }
        if clippingRadius != nil { given.append(.clippingRadius) }
        if center != nil { given.append(.center) }
        if nnm != nil { given.append(.nnm) }
        if bucketing != nil { given.append(.bucketing) }
        if clipping != nil { given.append(.clipping) }
        if arc != nil { given.append(.arc) }
        if collapse != nil { given.append(.collapse) }
        return given
    }

    /// `base` with the given options applied: another `--rule` starts from that rule's
    /// defaults; each given parameter replaces the base's.
    /// - Throws: a usage error naming the option (an inapplicable parameter, a threshold
    ///   that is neither a number nor auto).
    func apply(to base: RuleConfiguration) throws -> RuleConfiguration {
        var configuration = base
        if let rule, rule != base.name { configuration = RuleConfiguration(name: rule) }
        if let assumedByzantine { configuration.byzantineCount = assumedByzantine }
        if let beta { configuration.selectionFraction = beta }
        if let threshold {
            if threshold.lowercased() == "auto" {
                configuration.threshold = nil
            } else if let value = Double(threshold) {
                configuration.threshold = value
            } else {
                throw UsageError("--threshold: must be auto or a number ≥ 0, got '\(threshold)'")
            }
        }
        if let multiKrumCount { configuration.selectionCount = multiKrumCount }
        if let smoothing { configuration.smoothing = smoothing }
        if let iterations { configuration.iterations = iterations }
        if let clippingRadius { configuration.radius = clippingRadius }
        if let center { configuration.center = center }
        if let nnm { configuration.nearestNeighborMixing = nnm }
        if let bucketing { configuration.bucketSize = bucketing }
        if let clipping { configuration.clippingThreshold = clipping }
        if let arc { configuration.adaptiveRobustClipping = arc }
        if let collapse { configuration.collusionCollapse = collapse }
        for parameter in given {
            do { try configuration.checkApplicable(parameter) } catch { throw UsageError(error) }
        }
        return configuration
    }

    /// The rule these options describe on their own (`aggregate`: no experiment to take f
    /// from, so the rules that need f need `--assumed-byzantine`; `bench attacks` fills in b).
    func configuration(default name: RuleName = .brsgd) throws -> RuleConfiguration {
        try apply(to: RuleConfiguration(name: rule ?? name)).resolved()
    }

    /// The configured rule, built once.
    func makeRule(default name: RuleName = .brsgd) throws -> any AggregationRule {
        let configuration = try configuration(default: name)
        do { return try configuration.makeRule() } catch { throw UsageError(error) }
    }
}

extension UsageError {
    /// A rule's parameter error, naming the command-line option.
    init(_ error: AggregationError) {
        if let parameter = error.parameter {
            self.init("\(parameter.option): \(error.message)")
        } else {
            self.init(error.message)
        }
    }
}

extension ClippingCenter: ExpressibleByArgument {}
