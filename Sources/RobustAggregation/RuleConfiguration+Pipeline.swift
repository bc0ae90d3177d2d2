/// A rule with its pre-aggregations written as one word, the way grids list and tables name
/// them: the stages in the order they run, then the rule, joined by `+`.
///
/// `collapse+brsgd-robust`, `clipping=2+nnm+trimmed-mean` (ByzFL's recommended pipeline:
/// static clipping at c = 2, then NNM, then the trimmed mean), `arc+nnm+trimmed-mean`,
/// `bucketing=2+median`, or a rule alone (`median`). The stages are `collapse`, `clipping=c`,
/// `arc`, `bucketing=s` and `nnm`; they run in the fixed order ``RuleConfiguration`` gives
/// whatever order they are written in, and the pipeline is always written in that order. The
/// rule's own parameters (f, β, τ, …) are not part of it.
extension RuleConfiguration {
    /// The pipeline's word: the configured stages in the order they run, then the rule.
    public var pipeline: String {
        var stages: [String] = []
        if collusionCollapse { stages.append("collapse") }
        if let c = clippingThreshold { stages.append("clipping=\(Self.number(c))") }
        if adaptiveRobustClipping { stages.append("arc") }
        if let s = bucketSize { stages.append("bucketing=\(s)") }
        if nearestNeighborMixing { stages.append("nnm") }
        return (stages + [name.rawValue]).joined(separator: "+")
    }

    /// The configuration a pipeline word describes: the rule with its defaults, in its stages.
    /// - Throws: ``AggregationError/Code/invalidParameter`` naming the word that is not a rule
    ///   or a stage, a stage given twice, or a value out of range (validated as
    ///   ``makeRule(seed:)`` does).
    public init(pipeline text: String) throws(AggregationError) {
        func invalid(_ message: String) -> AggregationError {
            AggregationError(code: .invalidParameter, message: "'\(text)': \(message)")
        }
        let words = text.split(separator: "+", omittingEmptySubsequences: false).map(String.init)
        guard let last = words.last, let name = RuleName(rawValue: last) else {
            throw invalid("the last word must be a rule (\(RuleName.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        self.init(name: name)
        var seen = Set<String>()
        for word in words.dropLast() {
            let parts = word.split(separator: "=", maxSplits: 1).map(String.init)
            let stage = parts.first ?? ""
            guard seen.insert(stage).inserted else { throw invalid("\(stage) is given twice") }
            let value = parts.count == 2 ? parts[1] : nil
            switch (stage, value) {
            case ("collapse", nil): collusionCollapse = true
            case ("arc", nil): adaptiveRobustClipping = true
            case ("nnm", nil): nearestNeighborMixing = true
            case ("clipping", let value?):
                guard let c = Double(value), c > 0, c.isFinite else { throw invalid("clipping=c needs a number c > 0, got '\(value)'") }
                clippingThreshold = c
            case ("bucketing", let value?):
                guard let s = Int(value), s >= 1 else { throw invalid("bucketing=s needs a whole number s ≥ 1, got '\(value)'") }
                bucketSize = s
            case ("clipping", nil), ("bucketing", nil):
                throw invalid("\(stage) needs a value: \(stage)=\(stage == "clipping" ? "c" : "s")")
            default:
                throw invalid("'\(word)' is not a stage (collapse, clipping=c, arc, bucketing=s, nnm) followed by a rule")
            }
        }
    }

    /// 2 rather than 2.0; other numbers as Swift prints them.
    private static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
