import CAggregationKernels
import TestSupport
import Testing
import SeededRandom
@testable import RobustAggregation

/// The C kernels (CAggregationKernels: AVX-512, AVX2) against the Swift ones they copy: the
/// same bits for every column, with ties, ±0, NaN and ±Inf in the input, for every row count
/// they take (1…32) — the median networks straight from the rows and through the tiles of
/// `computeBlock`, and BrSGD's tile step (median, scores, distances, finiteness).
@Suite struct VectorKernelTests {
    /// The instruction sets this CPU runs, beyond the Swift networks.
    static var vectorSets: [Int32] {
        let best = MedianNetworks.vectorInstructionSet
        return [Int32(BRSGD_ISA_AVX2), Int32(BRSGD_ISA_AVX512)].filter { $0 <= best }
    }

    /// Normals, small-integer ties and signed zeros, with a few NaN and ±Inf.
    static func matrix(m: Int, d: Int, seed: UInt64) -> GradientMatrix {
        var rng = SeededGenerator(seed: seed)
        var g = GradientMatrix(rowCount: m, columnCount: d)
        let special: [Float] = [.nan, .infinity, -.infinity, 0, -0.0, .greatestFiniteMagnitude]
        for i in 0 ..< m {
            for c in 0 ..< d {
                switch rng.nextIndex(below: 8) {
                case 0: g[i, c] = special[rng.nextIndex(below: special.count)]
                case 1, 2: g[i, c] = Float(rng.nextIndex(below: 3)) - 1
                case 3: g[i, c] = rng.nextIndex(below: 2) == 0 ? 0 : -0.0
                default: g[i, c] = Float(rng.nextNormal())
                }
            }
        }
        return g
    }

    @Test(arguments: Array(1 ... 32))
    func cNetworksGiveTheSwiftNetworksBits(m: Int) {
        #if arch(x86_64)
        #expect(!Self.vectorSets.isEmpty, "an x86-64 CPU without AVX2: nothing here is compared")
        #endif
        let d = 16 * 5 + 7   // full tiles and a partial one
        for s in 0 ..< 3 {
            let g = Self.matrix(m: m, d: d, seed: UInt64(9_000 + 10 * m + s))
            AcceptedRows(assumingFinite: g).withRowPointers { pointers in
                let swift = ColumnOrderStatistics(.median, rowCount: m, vectorInstructionSet: Int32(BRSGD_ISA_NONE))
                var expected = [Float](repeating: 0, count: d)
                _ = swift.computeBlock(pointers, columns: 0 ..< d, into: &expected, checkingFiniteness: false)
                for set in Self.vectorSets {
                    let vector = ColumnOrderStatistics(.median, rowCount: m, vectorInstructionSet: set)
                    var tiled = [Float](repeating: 0, count: d), direct = tiled
                    _ = vector.computeBlock(pointers, columns: 0 ..< d, into: &tiled, checkingFiniteness: false)
                    direct.withUnsafeMutableBufferPointer { out in
                        vector.withScratch { vector.compute(pointers, start: 0, count: d, into: out.baseAddress!, scratch: $0) }
                    }
                    #expect(bitwiseDifference(tiled, expected) == nil, "m = \(m), set \(set), tiles")
                    #expect(bitwiseDifference(direct, expected) == nil, "m = \(m), set \(set), rows")
                }
            }
        }
    }

    @Test func refusesWhatItCannotCompute() {
        let row = [Float](repeating: 1, count: 16)
        var out = [Float](repeating: 7, count: 16)
        row.withUnsafeBufferPointer { r in
            var rows: [UnsafePointer<Float>?] = Array(repeating: r.baseAddress, count: 33)
            rows.withUnsafeMutableBufferPointer { rows in
                let base = UnsafePointer(rows.baseAddress!)
                // 33 rows: no network; an instruction set beyond the CPU's: refused.
                #expect(brsgd_median16(MedianNetworks.vectorInstructionSet, 33, base, 0, &out) == 0)
                #expect(brsgd_median16(Int32(BRSGD_ISA_AVX512) + 1, 20, base, 0, &out) == 0)
                #expect(brsgd_median16(Int32(BRSGD_ISA_NONE), 20, base, 0, &out) == 0)
            }
        }
        #expect(out == [Float](repeating: 7, count: 16))
    }

    @Test(.enabled(if: MedianNetworks.vectorInstructionSet >= BRSGD_ISA_AVX512,
                   "the tile step is in AVX-512 only: this CPU (or BRSGD_KERNELS) does not take that path"),
          arguments: Array(1 ... 32))
    func brsgdTileStepInCGivesTheSwiftBits(m: Int) {
        let d = 16 * 6 + 5
        for s in 0 ..< 4 {
            var g = Self.matrix(m: m, d: d, seed: UInt64(11_000 + 10 * m + s))
            if s == 3 {   // finite everywhere: the means, scores and distances are then all meaningful
                for i in 0 ..< m { for c in 0 ..< d where !g[i, c].isFinite || g[i, c] == .greatestFiniteMagnitude { g[i, c] = 1.5 } }
            }
            var results: [(median: [UInt32], scores: [Int], distances: [UInt64], finite: Bool)] = []
            for set in [Int32(BRSGD_ISA_NONE), Int32(BRSGD_ISA_AVX512)] {
                let statistics = ColumnOrderStatistics(.median, rowCount: m, vectorInstructionSet: set)
                var median = [Float](repeating: 0, count: d)
                var scores = [Int](repeating: 0, count: m), distances = [Double](repeating: 0, count: m)
                let finite = AcceptedRows(assumingFinite: g).withRowPointers { pointers in
                    BrSGDBlockKernel.run(pointers, columns: 0 ..< d, median: &median, statistics: statistics,
                                         scores: &scores, distances: &distances, requiringFiniteMeans: s == 3)
                }
                results.append((median.map(\.bitPattern), scores, distances.map(\.bitPattern), finite))
            }
            #expect(results[0].finite == results[1].finite, "m = \(m), seed \(s)")
            if s == 3 { #expect(results[1].finite) }
            if results[0].finite {
                #expect(results[0].median == results[1].median, "m = \(m), seed \(s)")
                #expect(results[0].scores == results[1].scores, "m = \(m), seed \(s)")
                #expect(results[0].distances == results[1].distances, "m = \(m), seed \(s)")
            }
        }
    }
}
