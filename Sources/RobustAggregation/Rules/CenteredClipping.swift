/// Centered clipping: starting from a point v, repeat L times
/// v ← v + (1/m') Σ_i (g_i − v) · min(1, τ / ‖g_i − v‖₂).
///
/// Karimireddy, He & Jaggi, "Learning from History for Byzantine Robust Optimization",
/// ICML 2021. Where we depart: the paper starts from the previous round's (momentum)
/// aggregate; a rule here keeps no state, so the start is the coordinate-wise median by
/// default, or zero (ByzFL's stateless choice), or a point the caller passes — the
/// training loop can pass the previous aggregate to get the paper's version.
///
/// - Complexity: O(md) per iteration, plus O(md) for a median start; parallel over blocks.
public struct CenteredClipping: AggregationRule {
    /// Where the iteration starts.
    public enum Start: Sendable, Equatable {
        case coordinateWiseMedian
        case zero
        /// A given point (for example the previous aggregate), of length d.
        case point([Float])
    }

    /// τ > 0, the clipping radius.
    public let radius: Double
    /// L ≥ 1, the number of clipping iterations.
    public let iterations: Int
    public let start: Start

    /// - Precondition: `radius > 0`, `iterations >= 1`.
    public init(radius: Double = 10, iterations: Int = 3, start: Start = .coordinateWiseMedian) {
        precondition(radius > 0 && radius.isFinite, "radius must be positive")
        precondition(iterations >= 1, "iterations must be at least 1")
        self.radius = radius
        self.iterations = iterations
        self.start = start
    }

    public var name: String { "centered-clipping(tau=\(radius),iterations=\(iterations))" }

    public func aggregate(_ rows: AcceptedRows) throws(AggregationError) -> AggregationResult {
        try rows.requireAny(rule: name)
        let m = rows.count, d = rows.columnCount
        var v: [Float]
        switch start {
        case .zero:
            v = [Float](repeating: 0, count: d)
        case .coordinateWiseMedian:
            v = rows.withRowPointers { ColumnOrderStatistics.computeAll(.median, rows: $0, columnCount: d) }
        case .point(let point):
            guard point.count == d else {
                throw AggregationError(code: .invalidParameter,
                                       message: "\(name): start point has length \(point.count), expected d = \(d)")
            }
            v = point
        }
        rows.withRowPointers { pointers in
            v.withUnsafeMutableBufferPointer { vBuffer in
                guard let point = vBuffer.baseAddress else { return }
                for _ in 0 ..< iterations {
                    let norms = Kernels.squaredDistances(pointers, to: point, columnCount: d).map { $0.squareRoot() }
                    let weights = norms.map { norm in
                        Float((norm > radius ? radius / norm : 1) / Double(m))
                    }
                    Kernels.moveTowardRows(point, rows: pointers, weights: weights, columnCount: d)
                }
            }
        }
        var diagnostics = rows.diagnostics(rule: name, selectedPositions: Array(0 ..< m))
        diagnostics.iterations = iterations
        return AggregationResult(gradient: v, diagnostics: diagnostics)
    }
}
