/// What `min-max` and `min-sum` share: the honest mean μ, the deviation q = −∇p (the
/// code's `deviation`, so that the malicious vector is μ − γ·q), and the code's binary
/// search for γ.
enum PerturbationSearch {
    /// The binary search of Shejwalkar & Houmansadr's code (`our_attack_dist`,
    /// `our_attack_score`), over Double: γ = γ₀, step = γ₀, last success 0; while
    /// |success − γ| > 10⁻⁵, a feasible γ becomes the last success and γ grows by step/2,
    /// an infeasible one shrinks γ by step/2; step halves each time. Returns the last success.
    ///
    /// The gap γ − success equals the step at every test, so the loop runs
    /// ⌈log₂(γ₀ / 10⁻⁵)⌉ times (20 for γ₀ = 10) and, when feasibility is an interval
    /// [0, γ*] with γ* < 2γ₀, returns γ* to within 2·10⁻⁵ from below. γ never exceeds 2γ₀.
    /// - Complexity: O(log(γ₀/10⁻⁵)) calls of `isFeasible`.
    static func largestFeasibleGamma(initial: Double, isFeasible: (Double) -> Bool) -> Double {
        let tolerance = 1e-5
        var gamma = initial, step = initial, success = 0.0
        while abs(success - gamma) > tolerance {
            if isFeasible(gamma) {
                success = gamma
                gamma += step / 2
            } else {
                gamma -= step / 2
            }
            step /= 2
        }
        return success
    }

    /// Writes μ into `mean` and the deviation q (∇p = −q) into `deviation`.
    /// - Precondition: both have `honest.columnCount` values; `honest.count >= 1`.
    /// - Complexity: O(h·d).
    static func meanAndDeviation(
        _ honest: HonestGradients, direction: PerturbationDirection,
        mean: UnsafeMutableBufferPointer<Float>, deviation: UnsafeMutableBufferPointer<Float>
    ) {
        honest.columnMean(into: mean)
        switch direction {
        case .inverseStandardDeviation:
            honest.columnStandardDeviation(into: deviation, mean: UnsafeBufferPointer(mean), estimator: .sample)
        case .inverseSign:
            for c in mean.indices {
                deviation[c] = mean[c] > 0 ? 1 : (mean[c] < 0 ? -1 : 0)
            }
        case .inverseUnitVector:
            var squaredNorm = 0.0
            for c in mean.indices { squaredNorm += Double(mean[c]) * Double(mean[c]) }
            let norm = squaredNorm.squareRoot()
            if norm > 0 {
                for c in mean.indices { deviation[c] = Float(Double(mean[c]) / norm) }
            } else {
                deviation.update(repeating: 0)
            }
        }
    }

    /// output = μ − γ·q.
    static func write(
        into output: UnsafeMutableBufferPointer<Float>, mean: UnsafeMutableBufferPointer<Float>,
        deviation: UnsafeMutableBufferPointer<Float>, gamma: Double
    ) {
        let g = Float(gamma)
        for c in output.indices { output[c] = mean[c] - g * deviation[c] }
    }

    /// The shared body of min-max and min-sum: writes μ + γ·∇p into `output`, γ the largest
    /// the binary search finds feasible, and returns γ.
    ///
    /// μ and q = −∇p are computed once, then the expansion of every honest row's squared
    /// distance to the candidate μ − γq, ‖g_i − μ + γq‖² = a_i + 2γ·b_i + γ²·c, with
    /// a_i = ‖g_i − μ‖², b_i = (g_i − μ)·q and c = ‖q‖², all in `Double`; `feasibility`
    /// turns (a, b, c) into the attack's test of one γ.
    /// - Complexity: O(h·d) for μ, q and the expansion, what `feasibility` costs to set up,
    ///   then its test about 20 times; O(2d) scratch.
    static func craft(
        into output: UnsafeMutableBufferPointer<Float>, honest: HonestGradients, direction: PerturbationDirection,
        initialGamma: Double, feasibility: (_ a: [Double], _ b: [Double], _ c: Double) -> (Double) -> Bool
    ) -> Double {
        let d = output.count
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * max(d, 1)) { scratch in
            let mean = UnsafeMutableBufferPointer(rebasing: scratch[0 ..< d])
            let deviation = UnsafeMutableBufferPointer(rebasing: scratch[d ..< 2 * d])
            meanAndDeviation(honest, direction: direction, mean: mean, deviation: deviation)
            let (a, b) = honest.squaredDistancesAndProjections(
                center: UnsafeBufferPointer(mean), direction: UnsafeBufferPointer(deviation))
            var c = 0.0
            for k in 0 ..< d { c += Double(deviation[k]) * Double(deviation[k]) }
            let gamma = largestFeasibleGamma(initial: initialGamma, isFeasible: feasibility(a, b, c))
            write(into: output, mean: mean, deviation: deviation, gamma: gamma)
            return gamma
        }
    }
}
