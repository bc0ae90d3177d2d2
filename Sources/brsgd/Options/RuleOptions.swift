import ArgumentParser
import RobustAggregation

extension RuleName: ExpressibleByArgument {}

/// The aggregation rule and its parameters, shared by `aggregate`, `train` and `bench`.
struct RuleOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The aggregation rule: \(RuleName.allCases.map(\.rawValue).joined(separator: ", ")).",
        discussion: RuleName.allCases.map { "\($0.rawValue): \($0.summary)" }.joined(separator: "\n")))
    var rule: RuleName = .brsgd

    @Option(name: .long, help: "BrSGD's β: the fraction of rows kept by Constraint 2, in (0, 1].")
    var beta: Double = 0.5

    @Option(name: .long, help: ArgumentHelp(
        "BrSGD's threshold T for Constraint 1 (‖g_i − med‖₁ ≤ 2T), or auto.",
        discussion: "auto (the default) is the median of the rows' L1 distances to the coordinate-wise median: the paper leaves T without a practical value."))
    var threshold: String = "auto"

    @Option(name: .long, help: "Multi-Krum's q: how many rows to average (default m' − f').")
    var multiKrumCount: Int?

    @Option(name: .long, help: "Geometric median: the smoothing ν of Weiszfeld's weights.")
    var smoothing: Double = 1e-6

    @Option(name: .long, help: "Iterations: the maximum for geometric-median (default 100), the count for centered-clipping (default 3).")
    var iterations: Int?

    @Option(name: .long, help: "Centered clipping's radius τ.")
    var clippingRadius: Double = 10

    @Flag(name: .long, help: "Wrap the rule in nearest-neighbour mixing (NNM, Allouah et al. 2023); needs f.")
    var nnm = false

    /// The threshold as a number, or nil for auto.
    func parsedThreshold() throws -> Double? {
        if threshold.lowercased() == "auto" { return nil }
        guard let value = Double(threshold), value.isFinite, value >= 0 else {
            throw ValidationError("--threshold must be auto or a finite number ≥ 0, got '\(threshold)'")
        }
        return value
    }

    /// The configuration with f = `byzantineCount`.
    func configuration(byzantineCount: Int?) throws -> RuleConfiguration {
        RuleConfiguration(
            name: rule, byzantineCount: rule.takesByzantineCount || nnm ? byzantineCount : nil,
            selectionFraction: rule == .brsgd ? beta : nil,
            threshold: try parsedThreshold(), selectionCount: multiKrumCount,
            smoothing: rule == .geometricMedian ? smoothing : nil,
            iterations: iterations, radius: rule == .centeredClipping ? clippingRadius : nil, nearestNeighborMixing: nnm)
    }

    /// The configured rule; parameter errors become validation errors naming the option.
    func makeRule(byzantineCount: Int?) throws -> any AggregationRule {
        do {
            return try configuration(byzantineCount: byzantineCount).makeRule()
        } catch let error as AggregationError {
            if error.parameter == .assumedByzantine && error.code == .invalidParameter {
                throw ValidationError("\(error.message): pass --byzantine f")
            }
            throw ValidationError(error.message)
        }
    }
}
