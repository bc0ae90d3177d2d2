/// Centered clipping: starting from a point v, repeat L times
/// v ← v + (1/m') Σ_i (g_i − v) · min(1, τ / ‖g_i − v‖₂).
///
/// Karimireddy, He & Jaggi, "Learning from History for Byzantine Robust Optimization",
/// ICML 2021, start from the previous round's (momentum) aggregate, with L = 1:
/// ``Start/previousAggregate`` is that rule (zero in the first round, as ByzFL's
/// `CenteredClipping`, which feeds each output back as the next centre). The rule keeps this
/// history through ``AggregationRule/usesPreviousAggregate``: its driver hands it the last
/// aggregate. The other starts keep no state: the coordinate-wise median (our default,
/// which departs from the paper), zero (ByzFL's stateless choice), or a given point.
///
/// - Complexity: O(md) per iteration, plus O(md) for a median start; L + 1 passes over memory
///   in all (each iteration's move is fused with the distances the next one needs, the start
///   with the first distances); parallel over column blocks.
public struct CenteredClipping: AggregationRule {
    /// Where the iteration starts.
    public enum Start: Sendable, Equatable {
        case coordinateWiseMedian
        case zero
        /// A given point, of length d.
        case point([Float])
        /// The last round's aggregate (``AcceptedRows/previousAggregate``), zero before the
        /// first round: the authors' centred clipping, with memory across rounds.
        case previousAggregate
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

    public var name: String {
        "centered-clipping(tau=\(radius),iterations=\(iterations)\(start == .previousAggregate ? ",center=previous" : ""))"
    }

    /// Centred on the previous aggregate, the rule keeps history.
    public var usesPreviousAggregate: Bool { start == .previousAggregate }

    /// Finds non-finite rows inside the first pass: a NaN or ±Inf entry makes its row's
    /// distance to the start point non-finite, and only then are the rows scanned.
    public func aggregate(_ gradients: GradientMatrix) throws(AggregationError) -> AggregationResult {
        try aggregate(AcceptedRows(assumingFinite: gradients), scanningIfNonFinite: gradients)
    }

    public func aggregate(_ rows: AcceptedRows) throws(AggregationError) -> AggregationResult {
        try aggregate(rows, scanningIfNonFinite: nil)
    }

    /// The L iterations over `rows`. When `matrix` is given, `rows` are all of its rows, not
    /// yet checked: if a distance to the start is not finite, the rows are scanned, and the
    /// rule starts over without the non-finite ones (if there are none, it goes on).
    private func aggregate(_ rows: AcceptedRows, scanningIfNonFinite matrix: GradientMatrix?)
        throws(AggregationError) -> AggregationResult {
        if let matrix, rows.count == 0 { return try aggregate(AcceptedRows(matrix)) }
        try rows.requireAny(rule: name)
        let m = rows.count, d = rows.columnCount
        var v: [Float]
        let first: MoveAndMeasure.Update
        switch start {
        case .zero:
            v = [Float](repeating: 0, count: d)
            first = .none
        case .coordinateWiseMedian:
            v = [Float](repeating: 0, count: d)
            first = .median(ColumnOrderStatistics(.median, rowCount: m))
        case .previousAggregate:
            v = rows.previousAggregate ?? [Float](repeating: 0, count: d)
            first = .none
            guard v.count == d else {
                throw AggregationError(code: .invalidParameter,
                                       message: "\(name): the previous aggregate has length \(v.count), expected d = \(d)")
            }
        case .point(let point):
            guard point.count == d else {
                throw AggregationError(code: .invalidParameter,
                                       message: "\(name): start point has length \(point.count), expected d = \(d)")
            }
            v = point
            first = .none
        }
        let restart: Bool = rows.withRowPointers { pointers in
            v.withUnsafeMutableBufferPointer { vBuffer in
                guard let point = vBuffer.baseAddress else { return false }
                // The start and its distances to the rows in one pass; then each iteration's
                // move and the distances to the moved point in one pass.
                var squared = MoveAndMeasure.run(first, point: point, rows: pointers, columnCount: d, measuring: true)
                if matrix != nil && !squared.allSatisfy(\.isFinite) { return true }
                for iteration in 0 ..< iterations {
                    let weights = squared.map { squared in
                        let norm = squared.squareRoot()
                        return Float((norm > radius ? radius / norm : 1) / Double(m))
                    }
                    squared = weights.withUnsafeBufferPointer { weights in
                        MoveAndMeasure.run(.move(weights: weights), point: point, rows: pointers, columnCount: d,
                                           measuring: iteration + 1 < iterations)
                    }
                }
                return false
            }
        }
        if let matrix, restart {
            // Some row is not finite (or a finite row's distance overflowed): scan, start over.
            return try aggregate(AcceptedRows(matrix), scanningIfNonFinite: nil)
        }
        var diagnostics = rows.diagnostics(rule: name, selectedPositions: Array(0 ..< m))
        diagnostics.iterations = iterations
        return AggregationResult(gradient: v, diagnostics: diagnostics)
    }
}
