import CNeuralKernels
import Testing
@testable import NeuralEngine

/// LeNet's first convolution without im2col (`CNeuralKernels`' single-channel kernels): the
/// forward pass and ∂Wᵀ from the padded image have the bits of im2col and OpenBLAS, the
/// products they replace, for every geometry the kernels take; the others are refused.
@Suite("Single-channel convolution without im2col")
struct SingleChannelConvolutionTests {
    /// OpenBLAS on one thread, as the engine trains: on more it cuts a product's rows among its
    /// threads and adds in other orders (left so: the setting is the process's, see DeterminismTests).
    init() { BLAS.setThreadCount(1) }

    /// (height, width, batch, kernel, padding): LeNet's first convolution on micro-batches of 4
    /// and 8, and smaller images with other kernels and paddings whose output rows are whole
    /// vectors (12 · 4 = 48 floats; 8 · 2 = 16), up to 64 taps.
    static let geometries = [(28, 28, 4, 5, 2), (28, 28, 8, 5, 2), (12, 12, 4, 3, 1), (10, 8, 2, 1, 0),
                             (6, 10, 4, 3, 0), (15, 15, 2, 8, 4)]

    @Test(arguments: geometries)
    func forwardAndWeightGradientAreIm2colAndOpenBLAS(height: Int, width: Int, batch: Int, kernel: Int, padding: Int) {
        let available = brsgd_neural_kernels_available() != 0
        let fits = brsgd_single_channel_convolution_fits(Int32(height), Int32(width), Int32(batch), Int32(kernel),
                                                         Int32(padding)) != 0
        #expect(fits == available)
        // The kernels keep the orders of OpenBLAS's SkylakeX kernels; elsewhere the engine does not call them.
        guard fits && BLAS.runsSkylakeXKernels else { return }
        let g = ConvolutionGeometry(channels: 1, batchSize: batch, height: height, width: width, kernelSize: kernel,
                                    padding: padding, stride: 1)
        let taps = kernel * kernel, positions = g.columnWidth
        let input = WeightGradientKernelTests.values(height * width * batch, seed: 61)
        let weights = WeightGradientKernelTests.values(6 * taps, seed: 62)
        let start = WeightGradientKernelTests.values(6 * positions, seed: 63)
        let dy = WeightGradientKernelTests.values(6 * positions, seed: 64)
        let old = WeightGradientKernelTests.values(6 * taps, seed: 65)
        var columns = [Float](repeating: .nan, count: taps * positions)
        var padded = [Float](repeating: .nan, count: Int(brsgd_single_channel_padded_count(
            Int32(height), Int32(width), Int32(batch), Int32(padding))))
        var viaColumns = start, direct = start
        input.withUnsafeBufferPointer { x in
            columns.withUnsafeMutableBufferPointer { im2col(x.baseAddress!, $0.baseAddress!, g, kernels: .swift) }
            weights.withUnsafeBufferPointer { w in
                columns.withUnsafeBufferPointer { c in
                    viaColumns.withUnsafeMutableBufferPointer { y in
                        gemm(.none, .none, m: 6, n: positions, k: taps, w.baseAddress!, lda: taps, c.baseAddress!,
                             ldb: positions, beta: 1, y.baseAddress!, ldc: positions)
                    }
                }
                padded.withUnsafeMutableBufferPointer { p in
                    direct.withUnsafeMutableBufferPointer { y in
                        #expect(brsgd_single_channel_convolution_forward(
                            x.baseAddress!, w.baseAddress!, p.baseAddress!, y.baseAddress!, Int32(height),
                            Int32(width), Int32(batch), Int32(kernel), Int32(padding)) == 1)
                    }
                }
            }
        }
        #expect(direct.map(\.bitPattern) == viaColumns.map(\.bitPattern), "forward")
        for accumulates in [false, true] {
            var fromColumns = accumulates ? old : [Float](repeating: 0, count: 6 * taps), fromImage = fromColumns
            columns.withUnsafeBufferPointer { c in
                dy.withUnsafeBufferPointer { d in
                    fromColumns.withUnsafeMutableBufferPointer { t in
                        gemm(.none, .transposed, m: taps, n: 6, k: positions, c.baseAddress!, lda: positions,
                             d.baseAddress!, ldb: positions, beta: accumulates ? 1 : 0, t.baseAddress!, ldc: 6)
                    }
                    padded.withUnsafeBufferPointer { p in
                        fromImage.withUnsafeMutableBufferPointer { t in
                            #expect(brsgd_single_channel_convolution_weight_gradient(
                                p.baseAddress!, d.baseAddress!, t.baseAddress!, accumulates ? 1 : 0, Int32(height),
                                Int32(width), Int32(batch), Int32(kernel), Int32(padding)) == 1)
                        }
                    }
                }
            }
            #expect(fromImage.map(\.bitPattern) == fromColumns.map(\.bitPattern), "∂Wᵀ, accumulates: \(accumulates)")
        }
    }

    /// Output rows that are not whole vectors (micro-batches of 1 to 3 and 5 of LeNet), more
    /// than 16 vectors a row (16), too few positions (one 16-float row), 6 · k² · positions over
    /// 10⁶ (OpenBLAS's other kernels), and more than 64 taps.
    @Test(arguments: [(28, 28, 1, 5, 2), (28, 28, 3, 5, 2), (28, 28, 5, 5, 2), (28, 28, 16, 5, 2), (1, 4, 4, 1, 0),
                      (40, 40, 8, 5, 2), (20, 20, 4, 9, 4)])
    func refusesOtherGeometries(height: Int, width: Int, batch: Int, kernel: Int, padding: Int) {
        #expect(brsgd_single_channel_convolution_fits(Int32(height), Int32(width), Int32(batch), Int32(kernel),
                                                      Int32(padding)) == 0)
        var output = [Float](repeating: 1, count: 6 * height * width * batch)
        var padded = [Float](repeating: 1, count: (height + 2 * padding) * (width + 2 * padding) * batch)
        let input = [Float](repeating: 2, count: height * width * batch)
        let weights = [Float](repeating: 3, count: 6 * kernel * kernel)
        #expect(brsgd_single_channel_convolution_forward(input, weights, &padded, &output, Int32(height), Int32(width),
                                                         Int32(batch), Int32(kernel), Int32(padding)) == 0)
        #expect(output.allSatisfy { $0 == 1 } && padded.allSatisfy { $0 == 1 }, "nothing touched")
    }

    /// Which of LeNet's convolutions, micro-batches of 4 and 1, run without columns.
    @Test func onlyLeNetsFirstConvolutionOnWholeVectorRows() {
        let layers = Model.lenet5().layers.compactMap { layer -> Conv2D? in
            if case .conv2D(let conv) = layer { conv } else { nil }
        }
        let available = brsgd_neural_kernels_available() != 0 && (BLAS.runsSkylakeXKernels || BLAS.runsHaswellKernels)
        let image = TensorShape(channels: 1, height: 28, width: 28)
        #expect(layers[0].runsWithoutColumns(image, batchSize: 4) == available)
        #expect(!layers[0].runsWithoutColumns(image, batchSize: 1))
        #expect(!layers[1].runsWithoutColumns(TensorShape(channels: 6, height: 14, width: 14), batchSize: 4))
    }
}
