/// `brsgd-history`: BrSGD's typical-score selection sets the clipping radius, and one
/// centered-clipping step moves the last round's aggregate toward the rows. The BrSGD-family
/// rule with memory.
///
/// Over the m' accepted rows, with p = the previous round's aggregate (zero in round 0):
/// 1. Selection: ``RobustBrSGD``'s steps 1–5 (BrSGD's column marks and scores, its L1 filter
///    C1 around the median with T, the ⌈β·m'⌉ rows of most typical score C2): S = C1 ∩ C2, or
///    every row when that is empty.
/// 2. Radius: τ = the median of {‖g_i − p‖₂ : i ∈ S}, the spread of the trusted rows around
///    the kept centre.
/// 3. Result: v = p + (1/m') Σ_i w_i·(g_i − p), w_i = min(1, τ / ‖g_i − p‖₂) (1 when the
///    distance is 0), computed as (1 − Σ w_i/m')·p + Σ (w_i/m')·g_i.
///
/// Steps 2–3 are centered clipping as Karimireddy, He & Jaggi run it ("Learning from History
/// for Byzantine Robust Optimization", ICML 2021: one step from the last aggregate, meant for
/// worker momentum), except that τ is not a constant to tune but the typical distance of the
/// rows BrSGD's selection trusts, so it follows the gradients' scale through training. Each
/// row moves the result by at most τ/m'.
///
/// What it does not stop on its own: b identical rows pull the result by b·τ/m' each round in
/// one direction (Fall of Empires), so wrap it in ``CollusionCollapse`` (`collapse` in a rule
/// configuration), which merges them into one. Rows that disagree without colluding (sign
/// flipping: each Byzantine worker sends its own gradient negated) are not selected against
/// by a centre that lags a round: there ``RobustBrSGD``, which clips around this round's
/// selection, does better (the README's robustness results give the numbers).
///
/// The state is the last aggregate only, which the driver keeps
/// (``AggregationRule/usesPreviousAggregate``) and the networked master checkpoints.
/// Diagnostics: `selectedRows` is S; `scores` holds each accepted row's weight w_i.
///
/// - Complexity: O(m'd): BrSGD's single pass, one pass for the distances to p and one to blend.
public struct HistoryBrSGD: AggregationRule {
    /// The rule whose typical-score selection gives S (its β and T).
    public let selection: RobustBrSGD

    /// - Precondition: 0 < `selectionFraction` ≤ 1; a fixed threshold is finite and ≥ 0.
    public init(selectionFraction: Double = 0.5, threshold: BrSGD.Threshold = .automatic) {
        selection = RobustBrSGD(selectionFraction: selectionFraction, threshold: threshold)
    }

    /// β, the fraction of accepted rows kept by Constraint 2.
    public var selectionFraction: Double { selection.selectionFraction }
    /// T, Constraint 1's threshold.
    public var threshold: BrSGD.Threshold { selection.threshold }

    public var name: String { "brsgd-history(beta=\(selectionFraction),threshold=\(threshold))" }

    public var usesPreviousAggregate: Bool { true }

    public func aggregate(_ rows: AcceptedRows) throws(AggregationError) -> AggregationResult {
        try rows.requireAny(rule: name)
        let m = rows.count, d = rows.columnCount
        var gradient = rows.previousAggregate ?? [Float](repeating: 0, count: d)
        guard gradient.count == d else {
            throw AggregationError(code: .invalidParameter,
                                   message: "\(name): the previous aggregate has length \(gradient.count), expected d = \(d)")
        }
        var selected = try selection.typicalRows(rows)
        if selected.isEmpty { selected = Array(0 ..< m) }
        let weights: [Double] = rows.withRowPointers { pointers in
            gradient.withUnsafeMutableBufferPointer { v in
                guard let point = v.baseAddress else { return [Double](repeating: 1, count: m) }
                let distances = Kernels.squaredDistancesInDouble(pointers, to: point, columnCount: d)
                    .map { $0.squareRoot() }
                return Kernels.clippingStep(point, rows: pointers, distances: distances,
                                            radius: medianOfDoubles(selected.map { distances[$0] }), columnCount: d)
            }
        }
        var diagnostics = rows.diagnostics(rule: name, selectedPositions: selected)
        diagnostics.scores = weights
        return AggregationResult(gradient: gradient, diagnostics: diagnostics)
    }
}
