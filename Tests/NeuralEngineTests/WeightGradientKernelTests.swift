import CNeuralKernels
import SeededRandom
import Testing
@testable import NeuralEngine

/// `formTransposedWeightGradient`'s AVX-512 kernel (16 output channels, 76 or more rows, at most
/// 448 positions) forms each entry as one chain of fused multiply-adds from 0 in order, then adds
/// the old value when accumulating: checked against that chain written in Swift, and against
/// OpenBLAS, whose bits it is there to keep (on a CPU without AVX-512 both sides are OpenBLAS).
@Suite("Convolution weight gradient kernel")
struct WeightGradientKernelTests {
    /// Finite values with ties and zeros of both signs (a product of zeros keeps its sign only
    /// in the order the chain adds it).
    static func values(_ count: Int, seed: UInt64) -> [Float] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in
            switch generator.nextIndex(below: 4) {
            case 0: [Float(0), -0.0][generator.nextIndex(below: 2)]
            case 1: Float(generator.nextIndex(below: 5)) - 2
            default: Float(generator.nextNormal())
            }
        }
    }

    static func product(rows: Int, positions: Int, accumulates: Bool, kernels: EngineKernels,
                        columns: [Float], dy: [Float], start: [Float]) -> [Float] {
        var out = start
        columns.withUnsafeBufferPointer { a in
            dy.withUnsafeBufferPointer { b in
                out.withUnsafeMutableBufferPointer { c in
                    formTransposedWeightGradient(columns: a.baseAddress!, rows: rows, positions: positions,
                                                 outputGradient: b.baseAddress!, outputChannels: 16,
                                                 accumulates: accumulates, into: c.baseAddress!, kernels: kernels)
                }
            }
        }
        return out
    }

    /// LeNet's second convolution on micro-batches of 4 and 3, the kernel's bounds (76 rows,
    /// 448 positions), a single position, rows that leave every remainder of the 12-row blocks
    /// and positions that leave a partial 16-wide transpose.
    @Test(arguments: [(150, 256), (150, 192), (76, 448), (77, 1), (88, 17), (95, 300), (161, 33)])
    func isTheFusedChainAndOpenBLAS(rows: Int, positions: Int) {
        let columns = Self.values(rows * positions, seed: 31)
        let dy = Self.values(16 * positions, seed: 32)
        let start = Self.values(rows * 16, seed: 33)
        for accumulates in [false, true] {
            var chain = [Float](repeating: 0, count: rows * 16)
            for i in 0..<rows {
                for j in 0..<16 {
                    var acc: Float = 0
                    for k in 0..<positions {
                        acc = acc.addingProduct(columns[i * positions + k], dy[j * positions + k])
                    }
                    chain[i * 16 + j] = accumulates ? acc + start[i * 16 + j] : acc
                }
            }
            let fastest = Self.product(rows: rows, positions: positions, accumulates: accumulates, kernels: .fastest,
                                       columns: columns, dy: dy, start: start)
            let blas = Self.product(rows: rows, positions: positions, accumulates: accumulates, kernels: .swift,
                                    columns: columns, dy: dy, start: start)
            if brsgd_neural_kernels_available() != 0 {
                #expect(fastest.map(\.bitPattern) == chain.map(\.bitPattern), "accumulates: \(accumulates)")
            }
            #expect(fastest.map(\.bitPattern) == blas.map(\.bitPattern), "accumulates: \(accumulates)")
        }
    }

    /// Outside the kernel's shapes (other channel counts, few rows, many positions) the
    /// product is OpenBLAS's, whatever the CPU.
    @Test(arguments: [(6, 150, 256), (16, 75, 256), (16, 150, 449)])
    func fallsBackToOpenBLAS(channels: Int, rows: Int, positions: Int) {
        let columns = Self.values(rows * positions, seed: 41)
        let dy = Self.values(channels * positions, seed: 42)
        var viaWrapper = Self.values(rows * channels, seed: 43), direct = viaWrapper
        columns.withUnsafeBufferPointer { a in
            dy.withUnsafeBufferPointer { b in
                viaWrapper.withUnsafeMutableBufferPointer { c in
                    formTransposedWeightGradient(columns: a.baseAddress!, rows: rows, positions: positions,
                                                 outputGradient: b.baseAddress!, outputChannels: channels,
                                                 accumulates: true, into: c.baseAddress!)
                }
                direct.withUnsafeMutableBufferPointer { c in
                    gemm(.none, .transposed, m: rows, n: channels, k: positions, a.baseAddress!, lda: positions,
                         b.baseAddress!, ldb: positions, beta: 1, c.baseAddress!, ldc: channels)
                }
            }
        }
        #expect(viaWrapper.map(\.bitPattern) == direct.map(\.bitPattern))
    }
}
