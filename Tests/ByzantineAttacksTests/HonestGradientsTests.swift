import Testing
import ByzantineAttacks
import RobustAggregation
import SeededRandom

/// The honest-gradient statistics against naive references in Double.
@Suite struct HonestGradientsTests {
    static let shapes: [(m: Int, d: Int, byzantine: [Int])] = [
        (1, 5, []), (2, 1, [0]), (5, 17, [1, 3]), (20, 61, [0, 5, 6, 19]), (11, 2_049, [10]),
    ]

    @Test(arguments: 0 ..< shapes.count)
    func statisticsMatchTheReference(shape: Int) {
        let (m, d, byzantine) = Self.shapes[shape]
        for seed in UInt64(0) ..< 4 {
            let g = Support.randomMatrix(m: m, d: d, seed: 100 * UInt64(shape) + seed, scale: 3)
            let honest = HonestGradients(matrix: g, byzantineRows: byzantine)
            let rows = Support.honestRows(g, byzantineRows: byzantine)
            #expect(honest.count == m - byzantine.count)
            var sum = [Float](repeating: .nan, count: d)
            var mean = sum, population = sum, sample = sum
            sum.withUnsafeMutableBufferPointer { honest.sum(into: $0) }
            mean.withUnsafeMutableBufferPointer { honest.columnMean(into: $0) }
            mean.withUnsafeBufferPointer { mu in
                population.withUnsafeMutableBufferPointer {
                    honest.columnStandardDeviation(into: $0, mean: mu, estimator: .population)
                }
                sample.withUnsafeMutableBufferPointer {
                    honest.columnStandardDeviation(into: $0, mean: mu, estimator: .sample)
                }
            }
            #expect(Support.close(sum, Support.referenceSum(rows), tolerance: 1e-5))
            #expect(Support.close(mean, Support.referenceMean(rows), tolerance: 1e-5))
            #expect(Support.close(population, Support.referenceStandardDeviation(rows, sample: false), tolerance: 1e-5))
            #expect(Support.close(sample, Support.referenceStandardDeviation(rows, sample: true), tolerance: 1e-5))
        }
    }

    @Test func handWorkedStatistics() {
        // Honest rows [1, 2] and [3, 6]: sum [4, 8], mean [2, 4], deviations ±1 and ±2:
        // population std [1, 2]; sample std [√2, 2√2].
        let honest = HonestGradients(matrix: GradientMatrix(rows: [[1, 2], [50, 50], [3, 6]]), rowIndices: [0, 2])
        var out = [Float](repeating: 0, count: 2), mean = out
        out.withUnsafeMutableBufferPointer { honest.sum(into: $0) }
        #expect(out == [4, 8])
        mean.withUnsafeMutableBufferPointer { honest.columnMean(into: $0) }
        #expect(mean == [2, 4])
        mean.withUnsafeBufferPointer { mu in
            out.withUnsafeMutableBufferPointer { honest.columnStandardDeviation(into: $0, mean: mu, estimator: .population) }
            #expect(out == [1, 2])
            out.withUnsafeMutableBufferPointer { honest.columnStandardDeviation(into: $0, mean: mu, estimator: .sample) }
            #expect(out == [Float(2).squareRoot(), 2 * Float(2).squareRoot()])
        }
    }

    @Test func oneHonestRowHasZeroSpread() {
        let honest = HonestGradients(matrix: GradientMatrix(rows: [[1, 2], [3, 6]]), byzantineRows: [1])
        #expect(honest.rowIndices == [0])
        var mean = [Float](repeating: 0, count: 2), std = mean
        mean.withUnsafeMutableBufferPointer { honest.columnMean(into: $0) }
        mean.withUnsafeBufferPointer { mu in
            std.withUnsafeMutableBufferPointer { honest.columnStandardDeviation(into: $0, mean: mu, estimator: .sample) }
        }
        #expect(mean == [1, 2])
        #expect(std == [0, 0])
    }

    @Test func rowViewsReadTheMatrixRow() {
        let honest = HonestGradients(matrix: GradientMatrix(rows: [[1, 2], [3, 6], [7, 8]]), rowIndices: [2, 0])
        #expect(honest.withUnsafeRow(at: 0) { Array($0) } == [7, 8])
        #expect(honest.withUnsafeRow(at: 1) { Array($0) } == [1, 2])
    }
}
