import Foundation
import SeededRandom
import Testing
@testable import NeuralEngine

/// The engine's own exp, log and tanh (ElementaryFunctions.swift) against Double's, in units in
/// the last place of the Float result, over their ranges and at their edges.
@Suite("Elementary functions")
struct ElementaryFunctionTests {
    /// |approximation − truth| in ulps of the Float nearest the truth.
    static func ulps(_ approximation: Float, _ truth: Double) -> Double {
        let nearest = Float(truth)
        guard nearest.isFinite, nearest != 0 else { return Double(approximation) == truth ? 0 : .infinity }
        return abs(Double(approximation) - truth) / Double(nearest.ulp)
    }

    static func samples(_ range: ClosedRange<Double>, count: Int, seed: UInt64) -> [Float] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in Float(range.lowerBound + (range.upperBound - range.lowerBound) * generator.nextUnitDouble()) }
    }

    @Test func expIsWithinTwoUlps() {
        var worst = 0.0
        for x in Self.samples(-87...88, count: 20_000, seed: 1) + Self.samples(-2...2, count: 20_000, seed: 2) {
            worst = max(worst, Self.ulps(engineExp(x), Foundation.exp(Double(x))))
        }
        #expect(worst <= 2, "worst \(worst) ulp")
        #expect(engineExp(0) == 1)
        #expect(engineExp(-.infinity) == 0 && engineExp(-200) == 0)
        #expect(engineExp(.infinity) == .infinity && engineExp(89) == .infinity)
        #expect(engineExp(.nan).isNaN)
        // Subnormal results are scaled in two steps and stay close.
        let tiny = engineExp(-100)
        #expect(tiny > 0 && abs(Double(tiny) - Foundation.exp(-100.0)) <= Double(Float.leastNonzeroMagnitude))
    }

    @Test func logIsWithinTwoUlps() {
        var worst = 0.0
        var inputs = Self.samples(1...1e6, count: 10_000, seed: 3) + Self.samples(0.5...2, count: 20_000, seed: 4)
        inputs += Self.samples(1e-30...1e-20, count: 2_000, seed: 5) + [Float.leastNormalMagnitude, .leastNonzeroMagnitude, .greatestFiniteMagnitude]
        for x in inputs where abs(x - 1) > 1e-3 {
            worst = max(worst, Self.ulps(engineLog(x), Foundation.log(Double(x))))
        }
        #expect(worst <= 2, "worst \(worst) ulp")
        #expect(engineLog(1) == 0)
        #expect(engineLog(0) == -.infinity && engineLog(.infinity) == .infinity)
        #expect(engineLog(-1).isNaN && engineLog(.nan).isNaN)
        // Near 1 the result is small: its error is small in absolute terms.
        for x in Self.samples(0.999...1.001, count: 2_000, seed: 6) {
            #expect(abs(Double(engineLog(x)) - Foundation.log(Double(x))) <= 2e-10)
        }
    }

    @Test func tanhIsWithinThreeUlps() {
        var worst = 0.0
        for x in Self.samples(-10...10, count: 20_000, seed: 7) + Self.samples(-0.7...0.7, count: 20_000, seed: 8) where x != 0 {
            worst = max(worst, Self.ulps(engineTanh(x), Foundation.tanh(Double(x))))
        }
        #expect(worst <= 3, "worst \(worst) ulp")
        #expect(engineTanh(0).bitPattern == Float(0).bitPattern && engineTanh(-0.0).bitPattern == Float(-0.0).bitPattern)
        #expect(engineTanh(20) == 1 && engineTanh(-20) == -1 && engineTanh(.nan).isNaN)
    }
}
