import CNeuralKernels
import Testing
@testable import NeuralEngine

/// `CNeuralKernels`' products in the order of OpenBLAS 0.3.21's Haswell SGEMM kernel (the one
/// Debian's build runs on an AMD Zen 5): on every AVX-512 CPU each kernel gives the order written out here in
/// Swift, and where OpenBLAS runs that kernel (``BLAS/runsHaswellKernels``) it gives OpenBLAS's
/// bits, which is what the engine relies on there.
@Suite("Products in OpenBLAS's Haswell order")
struct HaswellOrderKernelTests {
    static let available = brsgd_neural_kernels_available() != 0

    /// OpenBLAS on one thread, as the engine trains: on more it cuts a product's rows among its
    /// threads and adds in other orders (left so: the setting is the process's, see DeterminismTests).
    init() { BLAS.setThreadCount(1) }

    /// `Σ a[k] · b[k]` over `range` as the kernel sums it: one chain of fused multiply-adds from
    /// 0, or (`split`) the even k below 8·⌊count/8⌋ and every k from there in one chain, the odd
    /// k below it in another, added.
    static func chain(_ count: Int, split: Bool, _ a: (Int) -> Float, _ b: (Int) -> Float) -> Float {
        var even: Float = 0, odd: Float = 0, k = 0
        if split {
            while k < count / 8 * 8 {
                even = even.addingProduct(a(k), b(k))
                odd = odd.addingProduct(a(k + 1), b(k + 1))
                k += 2
            }
        }
        while k < count {
            even = even.addingProduct(a(k), b(k))
            k += 1
        }
        return split ? even + odd : even
    }

    /// Which rows of a 16-channel ∂Wᵀ the kernel splits: the first 6 of each block of 12, then
    /// blocks of 4 while 4 are left; the last 1–3 rows are not.
    static func splitRows(_ rows: Int) -> [Bool] {
        var split: [Bool] = [], i = 0
        while rows - i >= 12 {
            split += [Bool](repeating: true, count: 6) + [Bool](repeating: false, count: 6)
            i += 12
        }
        while rows - i >= 4 {
            split += [true, true, true, true]
            i += 4
        }
        return split + [Bool](repeating: false, count: rows - i)
    }

    /// LeNet's second convolution on micro-batches of 4, 3 and 1 (400, 300, 100 positions;
    /// 400 are two k blocks of 200), every remainder of the blocks of 12 and 4, one k block up
    /// to 320 and two beyond (321: 168 + 153; 512), positions below 8 (nothing paired) and off a
    /// multiple of 8 or 16.
    @Test(arguments: [(150, 400), (150, 300), (150, 100), (140, 320), (149, 321), (147, 17), (12, 512), (11, 64),
                      (5, 8), (4, 7), (3, 33), (1, 1), (161, 450)])
    func sixteenChannels(rows: Int, positions: Int) {
        guard Self.available else { return }
        let columns = WeightGradientKernelTests.values(rows * positions, seed: 71)
        let dy = WeightGradientKernelTests.values(16 * positions, seed: 72)
        let start = WeightGradientKernelTests.values(rows * 16, seed: 73)
        let split = Self.splitRows(rows)
        for accumulates in [false, true] {
            var expected = [Float](repeating: 0, count: rows * 16)
            for i in 0..<rows {
                for j in 0..<16 {
                    var entry: Float? = accumulates ? start[i * 16 + j] : nil
                    for block in Self.blocks(positions) {
                        let sum = Self.chain(block.count, split: split[i],
                                             { columns[i * positions + block.lowerBound + $0] },
                                             { dy[j * positions + block.lowerBound + $0] })
                        entry = entry.map { sum + $0 } ?? sum
                    }
                    expected[i * 16 + j] = entry!
                }
            }
            var kernel = start
            #expect(brsgd_weight_gradient_out16_haswell(columns, Int32(rows), Int32(positions), dy, &kernel,
                                                        accumulates ? 1 : 0) == 1)
            #expect(kernel.map(\.bitPattern) == expected.map(\.bitPattern), "accumulates: \(accumulates)")
            if BLAS.runsHaswellKernels {
                let blas = WeightGradientKernelTests.product(
                    rows: rows, positions: positions, accumulates: accumulates, kernels: .swift, columns: columns,
                    dy: dy, start: start)
                #expect(kernel.map(\.bitPattern) == blas.map(\.bitPattern), "OpenBLAS, accumulates: \(accumulates)")
            }
        }
    }

    @Test func sixteenChannelsRefusesMoreThan512Positions() {
        var out = [Float](repeating: 1, count: 16)
        #expect(brsgd_weight_gradient_out16_haswell([Float](repeating: 2, count: 513), 1, 513,
                                                    [Float](repeating: 3, count: 16 * 513), &out, 0) == 0)
        #expect(out.allSatisfy { $0 == 1 }, "nothing touched")
    }

    /// The k blocks of OpenBLAS's level-3 driver over `positions`: 320 while 640 or more are
    /// left, a rest of 321–639 in two halves rounded up to 8, else the rest.
    static func blocks(_ positions: Int) -> [Range<Int>] {
        var blocks: [Range<Int>] = [], start = 0
        while start < positions {
            var length = positions - start
            if length >= 640 { length = 320 } else if length > 320 { length = (length / 2 + 7) / 8 * 8 }
            blocks.append(start..<(start + length))
            start += length
        }
        return blocks
    }

    /// LeNet's first convolution on micro-batches of 4 and 8, a rest that the driver halves
    /// (21 × 20 × 4: blocks 320, 320, 320, 320, 200, 200), other kernels and paddings, and a
    /// single tap.
    @Test(arguments: [(28, 28, 4, 5, 2), (28, 28, 8, 5, 2), (21, 20, 4, 5, 2), (12, 12, 4, 3, 1), (10, 8, 2, 1, 0),
                      (6, 10, 4, 3, 0), (9, 9, 16, 4, 1)])
    func firstConvolution(height: Int, width: Int, batch: Int, kernel: Int, padding: Int) {
        let fits = brsgd_single_channel_convolution_fits_haswell(
            Int32(height), Int32(width), Int32(batch), Int32(kernel), Int32(padding)) != 0
        #expect(fits == Self.available)
        guard fits else { return }
        let g = ConvolutionGeometry(channels: 1, batchSize: batch, height: height, width: width, kernelSize: kernel,
                                    padding: padding, stride: 1)
        let taps = kernel * kernel, positions = g.columnWidth
        let input = WeightGradientKernelTests.values(height * width * batch, seed: 81)
        let weights = WeightGradientKernelTests.values(6 * taps, seed: 82)
        let bias = WeightGradientKernelTests.values(6 * positions, seed: 83)
        let dy = WeightGradientKernelTests.values(6 * positions, seed: 84)
        let old = WeightGradientKernelTests.values(6 * taps, seed: 85)
        var columns = [Float](repeating: .nan, count: taps * positions)
        input.withUnsafeBufferPointer { x in
            columns.withUnsafeMutableBufferPointer { im2col(x.baseAddress!, $0.baseAddress!, g, kernels: .swift) }
        }
        var padded = [Float](repeating: .nan, count: Int(brsgd_single_channel_padded_count(
            Int32(height), Int32(width), Int32(batch), Int32(padding))))

        // Forward: filters 0-3 split over the taps, 4-5 one chain, then added to the bias.
        var expected = bias, output = bias
        for o in 0..<6 {
            for p in 0..<positions {
                let sum = Self.chain(taps, split: o < 4, { weights[o * taps + $0] }, { columns[$0 * positions + p] })
                expected[o * positions + p] = sum + bias[o * positions + p]
            }
        }
        #expect(brsgd_single_channel_convolution_forward_haswell(
            input, weights, &padded, &output, Int32(height), Int32(width), Int32(batch), Int32(kernel),
            Int32(padding)) == 1)
        #expect(output.map(\.bitPattern) == expected.map(\.bitPattern), "forward")
        if BLAS.runsHaswellKernels {
            var blas = bias
            gemm(.none, .none, m: 6, n: positions, k: taps, weights, lda: taps, columns, ldb: positions, beta: 1,
                 &blas, ldc: positions)
            #expect(output.map(\.bitPattern) == blas.map(\.bitPattern), "forward, OpenBLAS")
        }

        // ∂Wᵀ: one chain per k block, each added to the entry.
        for accumulates in [false, true] {
            var expected = [Float](repeating: 0, count: taps * 6)
            for t in 0..<taps {
                for o in 0..<6 {
                    var entry: Float = accumulates ? old[t * 6 + o] : 0
                    for block in Self.blocks(positions) {
                        let sum = Self.chain(block.count, split: false, { columns[t * positions + block.lowerBound + $0] },
                                             { dy[o * positions + block.lowerBound + $0] })
                        entry = sum + entry
                    }
                    expected[t * 6 + o] = entry
                }
            }
            var kernelResult = accumulates ? old : [Float](repeating: .nan, count: taps * 6)
            #expect(brsgd_single_channel_convolution_weight_gradient_haswell(
                padded, dy, &kernelResult, accumulates ? 1 : 0, Int32(height), Int32(width), Int32(batch),
                Int32(kernel), Int32(padding)) == 1)
            #expect(kernelResult.map(\.bitPattern) == expected.map(\.bitPattern), "∂Wᵀ, accumulates: \(accumulates)")
            if BLAS.runsHaswellKernels {
                var blas = accumulates ? old : [Float](repeating: 0, count: taps * 6)
                gemm(.none, .transposed, m: taps, n: 6, k: positions, columns, lda: positions, dy, ldb: positions,
                     beta: accumulates ? 1 : 0, &blas, ldc: 6)
                #expect(kernelResult.map(\.bitPattern) == blas.map(\.bitPattern), "∂Wᵀ, OpenBLAS, accumulates: \(accumulates)")
            }
        }
    }

    /// Output rows that are not whole vectors (micro-batches of 1, 3 and 5 of LeNet) and more
    /// than 25 taps.
    @Test(arguments: [(28, 28, 1, 5, 2), (28, 28, 3, 5, 2), (28, 28, 5, 5, 2), (12, 12, 4, 6, 1)])
    func firstConvolutionRefusesOtherGeometries(height: Int, width: Int, batch: Int, kernel: Int, padding: Int) {
        #expect(brsgd_single_channel_convolution_fits_haswell(
            Int32(height), Int32(width), Int32(batch), Int32(kernel), Int32(padding)) == 0)
        var output = [Float](repeating: 1, count: 6 * (height + 2 * padding) * (width + 2 * padding) * batch)
        var padded = [Float](repeating: 1, count: (height + 2 * padding) * (width + 2 * padding) * batch)
        #expect(brsgd_single_channel_convolution_forward_haswell(
            [Float](repeating: 2, count: height * width * batch), [Float](repeating: 3, count: 6 * kernel * kernel),
            &padded, &output, Int32(height), Int32(width), Int32(batch), Int32(kernel), Int32(padding)) == 0)
        #expect(output.allSatisfy { $0 == 1 } && padded.allSatisfy { $0 == 1 }, "nothing touched")
    }
}
