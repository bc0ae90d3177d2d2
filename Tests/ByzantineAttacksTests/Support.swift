import ByzantineAttacks
import RobustAggregation
import SeededRandom

/// Helpers shared by the attack tests, and naive references written over `[Double]` rows.
enum Support {
    /// A context with the given honest rows of `matrix` (and no own gradient).
    static func context(
        _ matrix: GradientMatrix, byzantineRows: [Int], worker: Int? = nil, round: Int = 0
    ) -> AttackContext {
        AttackContext(
            round: round, workerIndex: worker ?? byzantineRows.first ?? 0,
            workerCount: matrix.rowCount, byzantineCount: byzantineRows.count,
            honestGradients: HonestGradients(matrix: matrix, byzantineRows: byzantineRows))
    }

    /// Crafts an attack that needs the worker's own gradient.
    static func craft(_ attack: some Attack, ownGradient: [Float], seed: UInt64 = 0) -> [Float] {
        var rng = SeededGenerator(seed: seed)
        return ownGradient.withUnsafeBufferPointer { own in
            let context = AttackContext(
                round: 0, workerIndex: 0, workerCount: 4, byzantineCount: 1, ownGradient: own)
            return attack.craft(dimension: own.count, context: context, generator: &rng)
        }
    }

    /// Crafts an omniscient attack.
    static func craft(_ attack: some Attack, matrix: GradientMatrix, byzantineRows: [Int]) -> [Float] {
        var rng = SeededGenerator(seed: 0)
        return attack.craft(
            dimension: matrix.columnCount, context: context(matrix, byzantineRows: byzantineRows),
            generator: &rng)
    }

    /// A seeded m × d matrix of N(0, scale²) entries.
    static func randomMatrix(m: Int, d: Int, seed: UInt64, scale: Double = 1) -> GradientMatrix {
        var rng = SeededGenerator(seed: seed)
        var g = GradientMatrix(rowCount: m, columnCount: d)
        for i in 0 ..< m { for c in 0 ..< d { g[i, c] = Float(scale * rng.nextNormal()) } }
        return g
    }

    /// The honest rows as `[Double]`, for the references.
    static func honestRows(_ matrix: GradientMatrix, byzantineRows: [Int]) -> [[Double]] {
        (0 ..< matrix.rowCount).filter { !byzantineRows.contains($0) }.map { matrix.row($0).map(Double.init) }
    }

    static func referenceSum(_ rows: [[Double]]) -> [Double] {
        rows.dropFirst().reduce(rows[0]) { zip($0, $1).map { $0 + $1 } }
    }

    static func referenceMean(_ rows: [[Double]]) -> [Double] {
        referenceSum(rows).map { $0 / Double(rows.count) }
    }

    /// Two-pass standard deviation with divisor h (population) or h − 1 (sample).
    static func referenceStandardDeviation(_ rows: [[Double]], sample: Bool) -> [Double] {
        let mean = referenceMean(rows)
        let divisor = Double(sample ? rows.count - 1 : rows.count)
        return mean.indices.map { c in
            guard divisor > 0 else { return 0 }
            return (rows.map { ($0[c] - mean[c]) * ($0[c] - mean[c]) }.reduce(0, +) / divisor).squareRoot()
        }
    }

    /// |a − b| ≤ tolerance · max(1, |b|) for every entry.
    static func close(_ a: [Float], _ b: [Double], tolerance: Double) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs(Double($0) - $1) <= tolerance * max(1, abs($1)) }
    }
}
