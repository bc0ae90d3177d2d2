import RobustAggregation

/// A pre-aggregation `bench attacks --pre-aggregations` names, with its parameter:
/// `clipping=c` (static clipping to L2 norm c, default 1), `arc`, `bucketing=s` (buckets
/// of s rows, default 2) or `nnm`; ARC and NNM take f from the rule's.
struct PreAggregationChoice: CustomStringConvertible {
    /// `.clipping`, `.arc`, `.bucketing` or `.nnm`.
    var parameter: RuleConfiguration.Parameter
    /// c for clipping, s for bucketing; nil for ARC and NNM.
    var value: Double?

    /// What `--pre-aggregations` times when not given: each of them, in the order they stack.
    static let defaults = "clipping=1,arc,bucketing=2,nnm"
    static let defaultClipping = 1.0
    static let defaultBucketSize = 2

    /// How the option spells it: `bucketing=2`, `nnm`.
    var description: String {
        guard let value else { return parameter.rawValue }
        return value == value.rounded() && abs(value) < 1e15 ? "\(parameter)=\(Int(value))" : "\(parameter)=\(value)"
    }

    /// Reads one item of `--pre-aggregations`.
    /// - Throws: a usage error naming the option: an unknown name, a value where none is
    ///   taken, a c that is not a finite number > 0, an s that is not an integer ≥ 1.
    init(parsing text: String) throws {
        let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
        let known = RuleConfiguration.Parameter.preAggregations
        guard let parameter = known.first(where: { $0.rawValue == parts[0] }) else {
            throw UsageError("--pre-aggregations: unknown pre-aggregation '\(parts[0])'; known: clipping=c, arc, bucketing=s, nnm (or none)")
        }
        self.parameter = parameter
        let given = parts.count == 2 ? parts[1] : nil
        switch parameter {
        case .clipping:
            guard let c = given == nil ? Self.defaultClipping : Double(given!), c.isFinite && c > 0 else {
                throw UsageError("--pre-aggregations: clipping=\(given!): c must be a finite number > 0")
            }
            value = c
        case .bucketing:
            guard let s = given == nil ? Self.defaultBucketSize : Int(given!), s >= 1 else {
                throw UsageError("--pre-aggregations: bucketing=\(given!): s must be an integer ≥ 1")
            }
            value = Double(s)
        default:
            if let given { throw UsageError("--pre-aggregations: \(parameter)=\(given): \(parameter) takes no value") }
            value = nil
        }
    }

    /// `configuration` with this pre-aggregation on (its other pre-aggregations kept).
    func applied(to configuration: RuleConfiguration) -> RuleConfiguration {
        var copy = configuration
        switch parameter {
        case .clipping: copy.clippingThreshold = value
        case .bucketing: copy.bucketSize = value.map { Int($0) }
        case .arc: copy.adaptiveRobustClipping = true
        default: copy.nearestNeighborMixing = true
        }
        return copy
    }
}

/// The rule a pre-aggregation is timed around: it returns at once (an empty gradient, no
/// row selected), so the time is the pre-aggregation's own.
struct NoAggregation: AggregationRule {
    var name: String { "nothing" }

    func aggregate(_ rows: AcceptedRows) throws(AggregationError) -> AggregationResult {
        AggregationResult(gradient: [], diagnostics: AggregationDiagnostics(
            rule: name, rejectedRows: rows.rejectedRows, acceptedRows: rows.labels, selectedRows: []))
    }
}
