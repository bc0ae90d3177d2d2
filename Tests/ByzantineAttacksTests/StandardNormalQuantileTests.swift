import Testing
import Foundation
@testable import ByzantineAttacks
import SeededRandom

@Suite struct StandardNormalQuantileTests {
    /// Quantiles from Python 3's `statistics.NormalDist().inv_cdf(p)` (Wichura's AS241).
    static let known: [(p: Double, x: Double)] = [
        (0.5, 0),
        (0.7, 0.5244005127080407),
        (0.3, -0.5244005127080407),
        (0.85, 1.0364333894937894),
        (0.9, 1.2815515655446008),
        (0.975, 1.9599639845400536),
        (0.02425, -1.9729610513118845),
        (0.001, -3.090232306167813),
        (1e-10, -6.361340902404056),
        (0.999999, 4.753424308817089),
    ]

    @Test(arguments: known)
    func matchesKnownQuantiles(p: Double, x: Double) {
        let got = standardNormalQuantile(p)
        #expect(abs(got - x) <= 1e-13 * max(1, abs(x)), "Φ⁻¹(\(p)) = \(got), expected \(x)")
    }

    @Test func endpointsAreInfinite() {
        #expect(standardNormalQuantile(0) == -.infinity)
        #expect(standardNormalQuantile(1) == .infinity)
        #expect(standardNormalQuantile(Double.leastNonzeroMagnitude).isFinite)   // subnormal p: no NaN from overflow
    }

    @Test func invertsTheCDFAndIsAntisymmetric() {
        // Φ(x) = erfc(−x/√2)/2, computed independently of the approximation.
        var rng = SeededGenerator(seed: 11)
        for _ in 0 ..< 10_000 {
            let p = rng.nextUnitDouble()
            guard p > 0 else { continue }
            let x = standardNormalQuantile(p)
            let back = 0.5 * erfc(-x / 2.0.squareRoot())
            #expect(abs(back - p) <= 1e-14 * max(p, 1e-300) + 1e-16, "p = \(p)")
            // p is a multiple of 2⁻⁵³, so 1 − p is exact and the symmetry is exact too.
            #expect(standardNormalQuantile(1 - p) == -x, "p = \(p)")
        }
    }
}
