import CMedianNetworks
import Testing
import SeededRandom
@testable import RobustAggregation

/// The C median networks (AVX-512, AVX2) against the Swift ones they copy: the same bits
/// for every column, with ties, ±0, NaN and ±Inf in the input, for every row count they
/// take (1…32), straight from the rows and through the tiles of `computeBlock`.
@Suite struct VectorMedianNetworkTests {
    /// The instruction sets this CPU runs, beyond the Swift networks.
    static var vectorSets: [Int32] {
        let best = MedianNetworks.vectorInstructionSet
        return [Int32(BRSGD_MEDIAN_ISA_AVX2), Int32(BRSGD_MEDIAN_ISA_AVX512)].filter { $0 <= best }
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
                let swift = ColumnOrderStatistics(.median, rowCount: m, vectorInstructionSet: Int32(BRSGD_MEDIAN_ISA_NONE))
                var expected = [Float](repeating: 0, count: d)
                _ = swift.computeBlock(pointers, columns: 0 ..< d, into: &expected, checkingFiniteness: false)
                for set in Self.vectorSets {
                    let vector = ColumnOrderStatistics(.median, rowCount: m, vectorInstructionSet: set)
                    var tiled = [Float](repeating: 0, count: d), direct = tiled
                    _ = vector.computeBlock(pointers, columns: 0 ..< d, into: &tiled, checkingFiniteness: false)
                    direct.withUnsafeMutableBufferPointer { out in
                        vector.withScratch { vector.compute(pointers, start: 0, count: d, into: out.baseAddress!, scratch: $0) }
                    }
                    #expect(tiled.map(\.bitPattern) == expected.map(\.bitPattern), "m = \(m), set \(set), tiles")
                    #expect(direct.map(\.bitPattern) == expected.map(\.bitPattern), "m = \(m), set \(set), rows")
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
                #expect(brsgd_median16(Int32(BRSGD_MEDIAN_ISA_AVX512) + 1, 20, base, 0, &out) == 0)
                #expect(brsgd_median16(Int32(BRSGD_MEDIAN_ISA_NONE), 20, base, 0, &out) == 0)
            }
        }
        #expect(out == [Float](repeating: 7, count: 16))
    }
}
