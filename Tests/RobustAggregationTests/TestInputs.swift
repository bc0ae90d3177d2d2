import RobustAggregation
import SeededRandom

/// Seeded random gradient matrices with the features that break aggregation code:
/// non-finite rows, duplicates, ties, huge values.
struct TestInput: CustomStringConvertible {
    var matrix: GradientMatrix
    var seed: UInt64
    var features: [String]
    var description: String { "m=\(matrix.rowCount) d=\(matrix.columnCount) seed=\(seed) \(features)" }
}

enum TestInputs {
    /// Shapes crossing the 16-lane and 8,192-column block boundaries, odd and even m.
    static let shapes: [(m: Int, d: Int)] = [
        (1, 1), (1, 5), (2, 1), (3, 7), (4, 16), (5, 17), (6, 33), (7, 2), (8, 100),
        (9, 2049), (10, 50), (20, 61), (20, 2100), (5, 8195), (7, 8193), (21, 300), (50, 40), (64, 20),
    ]

    static func random(m: Int, d: Int, seed: UInt64) -> TestInput {
        var rng = SeededGenerator(seed: seed)
        var g = GradientMatrix(rowCount: m, columnCount: d)
        let integerValued = rng.nextUnitDouble() < 0.3  // many ties within columns
        for i in 0 ..< m {
            for c in 0 ..< d {
                g[i, c] = integerValued ? Float(rng.nextIndex(below: 5)) : Float(rng.nextNormal())
            }
        }
        var features = integerValued ? ["ties"] : []
        if m >= 3 && rng.nextUnitDouble() < 0.4 {  // duplicate rows
            let a = rng.nextIndex(below: m), b = rng.nextIndex(below: m)
            for c in 0 ..< d { g[b, c] = g[a, c] }
            features.append("duplicate \(a)->\(b)")
        }
        if m >= 4 && rng.nextUnitDouble() < 0.4 {  // a 1e10-scaled row, as in the paper's attacks
            let a = rng.nextIndex(below: m)
            for c in 0 ..< d { g[a, c] *= 1e10 }
            features.append("huge \(a)")
        }
        if m >= 3 && rng.nextUnitDouble() < 0.4 {  // non-finite rows
            let a = rng.nextIndex(below: m)
            g[a, rng.nextIndex(below: d)] = [Float.nan, .infinity, -.infinity][rng.nextIndex(below: 3)]
            features.append("non-finite \(a)")
        }
        return TestInput(matrix: g, seed: seed, features: features)
    }

    /// Many seeded inputs over all shapes.
    static func many(perShape: Int = 6) -> [TestInput] {
        var out: [TestInput] = []
        for (k, shape) in shapes.enumerated() {
            for s in 0 ..< perShape {
                out.append(random(m: shape.m, d: shape.d, seed: UInt64(k * 1000 + s)))
            }
        }
        return out
    }

    /// Honest rows around a common gradient plus `byzantine` rows far away.
    static func honestAndByzantine(m: Int, byzantine: Int, d: Int, seed: UInt64,
                                   attack: (inout SeededGenerator, [Float]) -> [Float]) -> GradientMatrix {
        var rng = SeededGenerator(seed: seed)
        let truth = (0 ..< d).map { _ in Float(rng.nextNormal()) }
        var rows: [[Float]] = []
        for _ in 0 ..< (m - byzantine) {
            rows.append(truth.map { $0 + 0.1 * Float(rng.nextNormal()) })
        }
        for _ in 0 ..< byzantine { rows.append(attack(&rng, truth)) }
        return GradientMatrix(rows: rows)
    }
}

func maxRelativeError(_ a: [Float], _ b: [Double]) -> Double {
    precondition(a.count == b.count)
    var worst = 0.0
    for (x, y) in zip(a, b) {
        worst = max(worst, abs(Double(x) - y) / max(1, abs(y)))
    }
    return worst
}
