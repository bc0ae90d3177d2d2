extension SeededGenerator {
    /// A uniform integer in `0..<upperBound` without modulo bias (Lemire's method via the
    /// standard library's `random(in:using:)`).
    /// - Precondition: `upperBound > 0`.
    public mutating func nextIndex(below upperBound: Int) -> Int {
        precondition(upperBound > 0, "upperBound must be positive")
        return Int.random(in: 0..<upperBound, using: &self)
    }

    /// Shuffles `values` in place (Fisher–Yates), reproducibly for a given generator state.
    /// - Complexity: O(n).
    public mutating func shuffle<C: MutableCollection & RandomAccessCollection>(_ values: inout C)
    where C.Index == Int {
        var i = values.endIndex - 1
        while i > values.startIndex {
            let j = values.startIndex + nextIndex(below: i - values.startIndex + 1)
            values.swapAt(i, j)
            i -= 1
        }
    }

    /// A Gamma(shape, 1) draw by Marsaglia & Tsang (2000); for shape < 1 the boost
    /// Gamma(a) = Gamma(a + 1) · U^(1/a).
    /// - Precondition: `shape > 0`.
    public mutating func nextGamma(shape: Double) -> Double {
        precondition(shape > 0, "Gamma shape must be positive")
        if shape < 1 {
            let u = 1.0 - nextUnitDouble()
            return nextGamma(shape: shape + 1) * _pow(u, 1.0 / shape)
        }
        let d = shape - 1.0 / 3.0
        let c = 1.0 / (9.0 * d).squareRoot()
        while true {
            var x = 0.0, v = 0.0
            repeat {
                x = nextNormal()
                v = 1.0 + c * x
            } while v <= 0
            v = v * v * v
            let u = 1.0 - nextUnitDouble()
            if _log(u) < 0.5 * x * x + d - d * v + d * _log(v) { return d * v }
        }
    }

    /// A draw from the symmetric Dirichlet(α, …, α) distribution over `count` categories.
    /// - Precondition: `count > 0`, `concentration > 0`.
    public mutating func nextDirichlet(count: Int, concentration: Double) -> [Double] {
        precondition(count > 0, "Dirichlet needs at least one category")
        var draws = (0..<count).map { _ in nextGamma(shape: concentration) }
        let total = draws.reduce(0, +)
        if total > 0 {
            for i in draws.indices { draws[i] /= total }
        } else {
            // Every Gamma draw underflowed (tiny α): all mass on one category, chosen uniformly.
            draws = [Double](repeating: 0, count: count)
            draws[nextIndex(below: count)] = 1
        }
        return draws
    }
}
