/// The number of Byzantine workers a rule is proved to tolerate among m, as its paper states
/// it. A rule may run outside it (Krum returns a row for any m ≥ f + 3), but its guarantee is
/// gone, and a benchmark that runs it there measures nothing its authors claimed.
extension RuleConfiguration {
    /// The largest f with which this configuration's rule keeps its guarantee among `workers`
    /// rows, with the bound and its source; nil for a rule with no such bound (the mean).
    ///
    /// - Krum and Multi-Krum: m ≥ 2f + 3 (Blanchard et al., NeurIPS 2017; El Mhamdi et al.,
    ///   ICML 2018).
    /// - Bulyan: m ≥ 4f + 3 (El Mhamdi et al., ICML 2018).
    /// - Every other robust rule and pipeline: m ≥ 2f + 1, an honest majority (the breakdown
    ///   point of the median, the trimmed mean, the geometric median, NNM and ARC is ½; BrSGD's
    ///   analysis assumes α < ½, Li et al.).
    public func byzantineBound(workers m: Int) -> (largest: Int, bound: String)? {
        switch name {
        case .mean: return nil
        case .krum, .multiKrum: return ((m - 3) / 2, "m ≥ 2f + 3 (Blanchard et al., 2017)")
        case .bulyan: return ((m - 3) / 4, "m ≥ 4f + 3 (El Mhamdi et al., 2018)")
        default: return ((m - 1) / 2, "m ≥ 2f + 1, an honest majority")
        }
    }

    /// Why `byzantine` Byzantine workers of `workers` are outside the rule's assumptions, or nil
    /// when they are within them.
    public func assumptionViolation(workers m: Int, byzantine f: Int) -> String? {
        guard let (largest, bound) = byzantineBound(workers: m), f > largest else { return nil }
        return "\(pipeline) assumes \(bound): with m = \(m) it holds for f ≤ \(max(largest, 0)), not f = \(f)"
    }
}
