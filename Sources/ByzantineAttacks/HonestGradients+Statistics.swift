/// Coordinate-wise statistics of the honest rows. Every kernel walks each row contiguously
/// (row-outer, column-inner, so the loops vectorise), reads only the honest rows, copies
/// nothing and allocates nothing; rows accumulate in ``HonestGradients/rowIndices`` order,
/// in `Float`, so the result is the same bytes on every run.
extension HonestGradients {
    /// How ``columnStandardDeviation(into:mean:estimator:)`` normalises the squared deviations.
    public enum StandardDeviationEstimator: Sendable, Hashable {
        /// √(Σ (x − μ)² / h): the standard deviation of the h honest values themselves.
        case population
        /// √(Σ (x − μ)² / (h − 1)): Bessel-corrected, as `torch.std` and `numpy.std(ddof=1)`
        /// compute it; 0 when h = 1 (there is no spread to estimate).
        case sample
    }

    /// Σ over the honest rows, coordinate-wise: output[c] = Σᵢ g_i[c].
    /// - Precondition: `output.count == columnCount`; `output` does not lie inside ``matrix``.
    /// - Complexity: O(h·d).
    public func sum(into output: UnsafeMutableBufferPointer<Float>) {
        precondition(output.count == columnCount,
                     "output has \(output.count) values, the honest gradients \(columnCount) columns")
        let d = columnCount
        guard d > 0 else { return }
        let out = output.baseAddress!
        out.update(repeating: 0, count: d)
        matrix.withUnsafeStorage { all in
            let base = all.baseAddress!
            for row in rowIndices {
                let g = base + row * d
                for c in 0..<d { out[c] += g[c] }
            }
        }
    }

    /// The coordinate-wise mean of the honest rows: output[c] = (1/h) Σᵢ g_i[c].
    /// - Precondition: `count >= 1`, `output.count == columnCount`, `output` does not lie
    ///   inside ``matrix``.
    /// - Complexity: O(h·d).
    public func columnMean(into output: UnsafeMutableBufferPointer<Float>) {
        precondition(count >= 1, "the mean of zero honest gradients is undefined")
        sum(into: output)
        let scale = Float(1) / Float(count)
        for c in output.indices { output[c] *= scale }
    }

    /// The coordinate-wise standard deviation of the honest rows about `mean` (two-pass:
    /// pass the output of ``columnMean(into:)``): output[c] = √(Σᵢ (g_i[c] − μ[c])² / n)
    /// with n = h (population) or h − 1 (sample).
    /// - Precondition: `count >= 1`, `output.count == mean.count == columnCount`; `output`
    ///   does not lie inside ``matrix`` and does not alias `mean`.
    /// - Complexity: O(h·d).
    public func columnStandardDeviation(
        into output: UnsafeMutableBufferPointer<Float>,
        mean: UnsafeBufferPointer<Float>,
        estimator: StandardDeviationEstimator
    ) {
        precondition(count >= 1, "the standard deviation of zero honest gradients is undefined")
        precondition(output.count == columnCount && mean.count == columnCount,
                     "output has \(output.count) and mean \(mean.count) values, expected \(columnCount)")
        let d = columnCount
        guard d > 0 else { return }
        let out = output.baseAddress!, mu = mean.baseAddress!
        out.update(repeating: 0, count: d)
        matrix.withUnsafeStorage { all in
            let base = all.baseAddress!
            for row in rowIndices {
                let g = base + row * d
                for c in 0..<d {
                    let deviation = g[c] - mu[c]
                    out[c] += deviation * deviation
                }
            }
        }
        let divisor: Int
        switch estimator {
        case .population: divisor = count
        case .sample: divisor = count - 1
        }
        guard divisor > 0 else {
            out.update(repeating: 0, count: d)   // sample estimator with h = 1
            return
        }
        let scale = Float(1) / Float(divisor)
        for c in 0..<d { out[c] = (out[c] * scale).squareRoot() }
    }
}
