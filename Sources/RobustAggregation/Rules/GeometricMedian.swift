/// The geometric median of the accepted rows, argmin_z Σ_i ‖g_i − z‖₂, by the smoothed
/// Weiszfeld algorithm.
///
/// Starting from the mean, each iteration sets w_i = 1 / max(ν, ‖g_i − z‖₂) and moves z to
/// Σ w_i g_i / Σ w_i; it stops when the objective Σ_i max(ν, ‖g_i − z‖₂) changes by at most
/// `tolerance` × its value, or after `maximumIterations`.
/// Pillutla, Kakade & Harchaoui, "Robust Aggregation for Federated Learning", IEEE TSP 2022
/// (RFA); the smoothing ν keeps the weights finite when z lands on a row. Chen, Su & Xu
/// (2017) use the geometric median of means in the setting of the BrSGD paper.
///
/// - Complexity: O(md) per iteration, one pass over memory each (the move toward the rows and
///   the distances to the new point are fused), plus one for the mean; parallel over column blocks.
public struct GeometricMedian: AggregationRule {
    /// ν > 0, the smoothing distance.
    public let smoothing: Double
    /// The most Weiszfeld iterations to run (≥ 1).
    public let maximumIterations: Int
    /// The relative change of the objective below which the iteration stops.
    public let tolerance: Double

    /// - Precondition: `smoothing > 0`, `maximumIterations >= 1`, `tolerance >= 0`.
    public init(smoothing: Double = 1e-6, maximumIterations: Int = 100, tolerance: Double = 1e-6) {
        precondition(smoothing > 0 && smoothing.isFinite, "smoothing must be positive")
        precondition(maximumIterations >= 1, "maximumIterations must be at least 1")
        precondition(tolerance >= 0, "tolerance must be non-negative")
        self.smoothing = smoothing
        self.maximumIterations = maximumIterations
        self.tolerance = tolerance
    }

    public var name: String { "geometric-median(nu=\(smoothing),iterations=\(maximumIterations))" }

    /// Finds non-finite rows inside the first pass: a NaN or ±Inf entry makes its column's
    /// mean non-finite, and only then are the rows scanned (see ``Mean``).
    public func aggregate(_ gradients: GradientMatrix) throws(AggregationError) -> AggregationResult {
        try aggregate(AcceptedRows(assumingFinite: gradients), scanningIfNonFinite: gradients)
    }

    public func aggregate(_ rows: AcceptedRows) throws(AggregationError) -> AggregationResult {
        try aggregate(rows, scanningIfNonFinite: nil)
    }

    /// Smoothed Weiszfeld over `rows`. When `matrix` is given, `rows` are all of its rows,
    /// not yet checked: if the mean is not finite, the rows are scanned, and the rule starts
    /// over without the non-finite ones (if there are none, it goes on).
    private func aggregate(_ rows: AcceptedRows, scanningIfNonFinite matrix: GradientMatrix?)
        throws(AggregationError) -> AggregationResult {
        if let matrix, rows.count == 0 { return try aggregate(AcceptedRows(matrix)) }
        try rows.requireAny(rule: name)
        let d = rows.columnCount
        var iterations = 0
        var z = [Float](repeating: 0, count: d)
        let restart: Bool = rows.withRowPointers { pointers in
            var previousObjective = Double.infinity
            return z.withUnsafeMutableBufferPointer { zBuffer in
                guard let point = zBuffer.baseAddress else { return false }
                // z₀ = the mean, and its distances to the rows, in one pass.
                var squared = MoveAndMeasure.run(.mean, point: point, rows: pointers, columnCount: d, measuring: true)
                if matrix != nil && !Kernels.isFinite(point, count: d) { return true }
                while iterations < maximumIterations {
                    let distances = squared.map { max(smoothing, $0.squareRoot()) }
                    let objective = distances.reduce(0, +)
                    if abs(previousObjective - objective) <= tolerance * objective { break }
                    previousObjective = objective
                    let inverse = distances.map { 1 / $0 }
                    let total = inverse.reduce(0, +)
                    // z ← Σ ω_i g_i with ω = w / Σw, written as z + Σ ω_i (g_i − z); the same pass
                    // measures the distances the next iteration needs.
                    let weights = inverse.map { Float($0 / total) }
                    squared = weights.withUnsafeBufferPointer { weights in
                        MoveAndMeasure.run(.move(weights: weights), point: point, rows: pointers, columnCount: d,
                                           measuring: iterations + 1 < maximumIterations)
                    }
                    iterations += 1
                }
                return false
            }
        }
        if let matrix, restart {
            // Some row is not finite (or finite rows overflowed a column sum): scan, start over.
            return try aggregate(AcceptedRows(matrix), scanningIfNonFinite: nil)
        }
        var diagnostics = rows.diagnostics(rule: name, selectedPositions: Array(0 ..< rows.count))
        diagnostics.iterations = iterations
        return AggregationResult(gradient: z, diagnostics: diagnostics)
    }
}
