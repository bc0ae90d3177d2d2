import Foundation

/// A power law y = c · x^slope fitted by least squares on (log₁₀ x, log₁₀ y).
///
/// Used to read convergence rates off log-log plots: the strongly convex bound of the
/// paper (Theorem 1) gives ‖w_T − w*‖ = Õ(1/√n + 1/√(nm)), a slope of −1/2 against n.
///
/// ```swift
/// let fit = PowerLawFit(points: [.init(x: 100, y: 0.1), .init(x: 400, y: 0.05)])
/// fit?.slope  // -0.5
/// ```
public struct PowerLawFit: Sendable, Equatable {
    /// Exponent: the least-squares slope of log₁₀ y against log₁₀ x.
    public var slope: Double
    /// Intercept of the fit in log space: log₁₀ y = intercept + slope · log₁₀ x.
    public var intercept: Double
    /// Number of points used (those with finite, positive x and y).
    public var count: Int

    /// Fits the points with finite, positive coordinates.
    ///
    /// Returns `nil` when fewer than two such points remain or all their x are equal.
    /// - Complexity: O(n).
    public init?(points: [ChartPoint]) {
        let logs = points.compactMap { p -> (Double, Double)? in
            guard p.x.isFinite, p.y.isFinite, p.x > 0, p.y > 0 else { return nil }
            return (log10(p.x), log10(p.y))
        }
        guard logs.count >= 2 else { return nil }
        let n = Double(logs.count)
        let meanX = logs.reduce(0) { $0 + $1.0 } / n
        let meanY = logs.reduce(0) { $0 + $1.1 } / n
        var sxx = 0.0, sxy = 0.0
        for (x, y) in logs {
            sxx += (x - meanX) * (x - meanX)
            sxy += (x - meanX) * (y - meanY)
        }
        guard sxx > 0 else { return nil }
        slope = sxy / sxx
        intercept = meanY - slope * meanX
        count = logs.count
    }

    /// The fitted y at `x` (> 0).
    public func value(at x: Double) -> Double {
        pow(10, intercept + slope * log10(x))
    }
}
