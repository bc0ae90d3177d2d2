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
/// - Complexity: O(md) per iteration (two passes), parallel over column blocks.
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

    public func aggregate(_ rows: AcceptedRows) throws(AggregationError) -> AggregationResult {
        try rows.requireAny(rule: name)
        let d = rows.columnCount
        var iterations = 0
        let z: [Float] = rows.withRowPointers { pointers in
            var z = Kernels.meanOfRows(pointers, columnCount: d)
            var previousObjective = Double.infinity
            z.withUnsafeMutableBufferPointer { zBuffer in
                guard let point = zBuffer.baseAddress else { return }
                while iterations < maximumIterations {
                    let distances = Kernels.squaredDistances(pointers, to: point, columnCount: d)
                        .map { max(smoothing, $0.squareRoot()) }
                    let objective = distances.reduce(0, +)
                    if abs(previousObjective - objective) <= tolerance * objective { break }
                    previousObjective = objective
                    let inverse = distances.map { 1 / $0 }
                    let total = inverse.reduce(0, +)
                    // z ← Σ ω_i g_i with ω = w / Σw, written as z + Σ ω_i (g_i − z).
                    Kernels.moveTowardRows(point, rows: pointers, weights: inverse.map { Float($0 / total) },
                                           columnCount: d)
                    iterations += 1
                }
            }
            return z
        }
        var diagnostics = rows.diagnostics(rule: name, selectedPositions: Array(0 ..< rows.count))
        diagnostics.iterations = iterations
        return AggregationResult(gradient: z, diagnostics: diagnostics)
    }
}
