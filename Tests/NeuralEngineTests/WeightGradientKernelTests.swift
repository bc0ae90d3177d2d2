import CNeuralKernels
import SeededRandom
import Testing
@testable import NeuralEngine

/// `formTransposedWeightGradient`'s AVX-512 kernels, each checked against its order written in
/// Swift and against OpenBLAS, whose bits it is there to keep (on a CPU without AVX-512 both
/// sides are OpenBLAS, and so where OpenBLAS runs other than its SkylakeX kernels): for 16 output channels (76 or more rows, at most 448 positions) each
/// entry is one chain of fused multiply-adds from 0 in order, then adds the old value when
/// accumulating; for 6 (at most 64 rows, 32 or more positions, M · N · K ≤ 10⁶) sixteen lane
/// sums reduced by OpenBLAS's small-matrix trees.
@Suite("Convolution weight gradient kernel")
struct WeightGradientKernelTests {
    /// OpenBLAS on one thread, as the engine trains: on more it cuts a product's rows among its
    /// threads and adds in other orders (left so: the setting is the process's, see DeterminismTests).
    init() { BLAS.setThreadCount(1) }

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

    static func product(rows: Int, positions: Int, channels: Int = 16, accumulates: Bool, kernels: EngineKernels,
                        columns: [Float], dy: [Float], start: [Float]) -> [Float] {
        var out = start
        columns.withUnsafeBufferPointer { a in
            dy.withUnsafeBufferPointer { b in
                out.withUnsafeMutableBufferPointer { c in
                    formTransposedWeightGradient(columns: a.baseAddress!, rows: rows, positions: positions,
                                                 outputGradient: b.baseAddress!, outputChannels: channels,
                                                 accumulates: accumulates, into: c.baseAddress!, kernels: kernels)
                }
            }
        }
        return out
    }

    /// LeNet's second convolution on micro-batches of 4 and 3, the kernel's bounds (76 rows,
    /// 448 positions), a single position, rows that leave every remainder of the 12-row blocks
    /// and positions that leave a partial 16-wide transpose.
    @Test(arguments: [(150, 400), (150, 300), (76, 448), (77, 1), (88, 17), (95, 300), (161, 33)])
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
            if brsgd_neural_kernels_available() != 0 && BLAS.runsSkylakeXKernels {
                #expect(fastest.map(\.bitPattern) == chain.map(\.bitPattern), "accumulates: \(accumulates)")
            }
            #expect(fastest.map(\.bitPattern) == blas.map(\.bitPattern), "accumulates: \(accumulates)")
        }
    }

    /// The 6-channel kernel's order, written out: lane l sums the products at positions
    /// k ≡ l (mod 16) from 0 in order (a last partial 16 adds 0 · 0 in its empty lanes), and
    /// the lanes are reduced pairwise by neighbours, or by halving for channels 4 and 5 in
    /// rows past the last whole 4.
    static func laneTreeProduct(rows: Int, positions: Int, accumulates: Bool,
                                columns: [Float], dy: [Float], start: [Float]) -> [Float] {
        let paddedPositions = (positions + 15) / 16 * 16
        var out = start
        for i in 0..<rows {
            for j in 0..<6 {
                var lanes = [Float](repeating: 0, count: 16)
                for k in 0..<paddedPositions {
                    let (a, b) = k < positions ? (columns[i * positions + k], dy[j * positions + k]) : (0, 0)
                    lanes[k % 16] = lanes[k % 16].addingProduct(a, b)
                }
                let sum: Float
                if j >= 4 && i >= rows / 4 * 4 {
                    let h8: [Float] = (0..<8).map { lanes[$0] + lanes[$0 + 8] }
                    let h4: [Float] = (0..<4).map { h8[$0] + h8[$0 + 4] }
                    sum = (h4[0] + h4[2]) + (h4[1] + h4[3])
                } else {
                    let s = (0..<4).map { (q: Int) -> Float in
                        let low: Float = lanes[4 * q] + lanes[4 * q + 1]
                        let high: Float = lanes[4 * q + 2] + lanes[4 * q + 3]
                        return low + high
                    }
                    sum = (s[0] + s[1]) + (s[2] + s[3])
                }
                out[i * 6 + j] = accumulates ? start[i * 6 + j] + sum : sum
            }
        }
        return out
    }

    /// LeNet's first convolution on micro-batches of 4, 1 and 8, the kernel's bounds (32
    /// positions, 64 rows, M · N · K = 10⁶), a partial last 16 and 256-position chunk, and rows
    /// that leave every remainder of the 4-row blocks.
    @Test(arguments: [(25, 3136), (25, 784), (25, 6272), (25, 32), (25, 6666), (64, 100), (1, 300), (2, 517),
                      (3, 47), (13, 1000)])
    func sixChannelsAreTheLaneTreeAndOpenBLAS(rows: Int, positions: Int) {
        let columns = Self.values(rows * positions, seed: 51)
        let dy = Self.values(6 * positions, seed: 52)
        let start = Self.values(rows * 6, seed: 53)
        for accumulates in [false, true] {
            let fastest = Self.product(rows: rows, positions: positions, channels: 6, accumulates: accumulates,
                                       kernels: .fastest, columns: columns, dy: dy, start: start)
            let blas = Self.product(rows: rows, positions: positions, channels: 6, accumulates: accumulates,
                                    kernels: .swift, columns: columns, dy: dy, start: start)
            if brsgd_neural_kernels_available() != 0 && BLAS.runsSkylakeXKernels {
                let tree = Self.laneTreeProduct(rows: rows, positions: positions, accumulates: accumulates,
                                                columns: columns, dy: dy, start: start)
                #expect(fastest.map(\.bitPattern) == tree.map(\.bitPattern), "accumulates: \(accumulates)")
            }
            #expect(fastest.map(\.bitPattern) == blas.map(\.bitPattern), "accumulates: \(accumulates)")
        }
    }

    /// Outside the kernel's shapes (other channel counts, few rows, many positions) the
    /// product is OpenBLAS's, whatever the CPU.
    @Test(arguments: [(6, 150, 256), (6, 25, 31), (6, 25, 6667), (6, 65, 100), (16, 75, 256), (16, 150, 449)])
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
