import Foundation
import CNeuralKernels
import SeededRandom
import Testing
@testable import NeuralEngine

/// The AVX-512 data-movement kernels of `CNeuralKernels` (the `.avx512` path) give the bytes of
/// the engine's Swift kernels (`.reference`): im2col, col2im, and 2 × 2 max pooling forward
/// (with and without the ReLU before it) and backward, on inputs with NaN, ±Inf, ±0 and ties.
/// Skipped on a CPU without AVX-512, where only the Swift kernels run.
@Suite("Engine vector kernels")
struct EngineVectorKernelTests {
    /// Values that exercise every comparison and sum: ties (small integers), signed zeros,
    /// NaN and infinities, and ordinary normals.
    static func awkwardValues(_ count: Int, seed: UInt64) -> [Float] {
        var generator = SeededGenerator(seed: seed)
        let specials: [Float] = [0, -0.0, .nan, .infinity, -.infinity, 1, -1]
        return (0..<count).map { _ in
            switch generator.nextIndex(below: 4) {
            case 0: specials[generator.nextIndex(below: specials.count)]
            case 1: Float(generator.nextIndex(below: 5)) - 2
            default: Float(generator.nextNormal())
            }
        }
    }

    static func bits(_ v: [Float]) -> [UInt32] { v.map(\.bitPattern) }

    /// The stride-1 geometries of the definition test (the C kernels' case: LeNet's two
    /// convolutions on micro-batches of 4, a kernel wider than the padded image, …) and more:
    /// LeNet's second convolution on a micro-batch of 3, padding wider than the kernel reaches,
    /// a kernel wider than the unpadded image, a row longer than 4 · 16 floats.
    static let geometries = KernelTests.geometries.filter { $0.stride == 1 } + [
        ConvolutionGeometry(channels: 6, batchSize: 3, height: 14, width: 14, kernelSize: 5, padding: 0, stride: 1),
        ConvolutionGeometry(channels: 3, batchSize: 3, height: 9, width: 7, kernelSize: 3, padding: 1, stride: 1),
        ConvolutionGeometry(channels: 2, batchSize: 1, height: 8, width: 8, kernelSize: 5, padding: 4, stride: 1),
        ConvolutionGeometry(channels: 1, batchSize: 2, height: 3, width: 3, kernelSize: 5, padding: 0, stride: 1),
        ConvolutionGeometry(channels: 2, batchSize: 5, height: 20, width: 17, kernelSize: 3, padding: 1, stride: 1),
    ]

    @Test(.enabled(if: KernelPath.avx512.isAvailable, "this CPU lacks AVX-512: the data-movement kernels run in Swift"),
          arguments: geometries)
    func im2colAndCol2imGiveTheSwiftBits(_ g: ConvolutionGeometry) {
        let x = Self.awkwardValues(g.channels * g.batchSize * g.height * g.width, seed: 11)
        let columnCount = g.columnRows * g.columnWidth
        var fast = [Float](repeating: 7, count: columnCount), swift = [Float](repeating: -7, count: columnCount)
        x.withUnsafeBufferPointer { x in
            fast.withUnsafeMutableBufferPointer { im2col(x.baseAddress!, $0.baseAddress!, g, kernels: .avx512) }
            swift.withUnsafeMutableBufferPointer { im2col(x.baseAddress!, $0.baseAddress!, g, kernels: .reference) }
        }
        #expect(Self.bits(fast) == Self.bits(swift))

        let c = Self.awkwardValues(columnCount, seed: 12)
        var fastFolded = [Float](repeating: 7, count: x.count), swiftFolded = [Float](repeating: -7, count: x.count)
        c.withUnsafeBufferPointer { c in
            fastFolded.withUnsafeMutableBufferPointer { col2im(c.baseAddress!, $0.baseAddress!, g, kernels: .avx512) }
            swiftFolded.withUnsafeMutableBufferPointer { col2im(c.baseAddress!, $0.baseAddress!, g, kernels: .reference) }
        }
        #expect(Self.bits(fastFolded) == Self.bits(swiftFolded))
    }

    /// LeNet's two poolings (28 × 28 and 10 × 10 maps), odd extents (an unpooled last row and
    /// column), and widths of 1–5 windows (partial groups of four).
    @Test(.enabled(if: KernelPath.avx512.isAvailable, "this CPU lacks AVX-512: the data-movement kernels run in Swift"),
          arguments: [(6, 28, 28), (16, 10, 10), (2, 7, 9), (3, 2, 2), (1, 6, 10), (2, 5, 4)])
    func maxPoolingGivesTheSwiftBits(channels: Int, height: Int, width: Int) {
        let pool = MaxPool2D(kernelSize: 2)
        let shape = TensorShape(channels: channels, height: height, width: width)
        let batch = 4
        let n = shape.count * batch, out = pool.outputShape(for: shape).count * batch
        let x = Self.awkwardValues(n, seed: 21)
        let dy = Self.awkwardValues(out, seed: 22)
        for rectifies in [false, true] {
            var y = [[Float]](repeating: [Float](repeating: 9, count: out), count: 2)
            var argmax = [[Int32]](repeating: [Int32](repeating: -1, count: out), count: 2)
            var dx = [[Float]](repeating: [Float](repeating: 9, count: n), count: 2)
            for (slot, kernels) in [KernelPath.avx512, .reference].enumerated() {
                x.withUnsafeBufferPointer { x in
                    y[slot].withUnsafeMutableBufferPointer { y in
                        argmax[slot].withUnsafeMutableBufferPointer { a in
                            if rectifies {
                                pool.forwardAfterReLU(input: x.baseAddress!, inputShape: shape, batchSize: batch,
                                                      output: y.baseAddress!, argmax: a.baseAddress!, kernels: kernels)
                            } else {
                                pool.forward(input: x.baseAddress!, inputShape: shape, batchSize: batch,
                                             output: y.baseAddress!, argmax: a.baseAddress!, kernels: kernels)
                            }
                        }
                    }
                }
            }
            #expect(Self.bits(y[0]) == Self.bits(y[1]), "rectifies: \(rectifies)")
            #expect(argmax[0] == argmax[1], "rectifies: \(rectifies)")
            // Both backward passes route the Swift kernel's argmax and pooled values, so that a
            // difference in the backward kernels cannot hide behind one in the forward ones.
            for (slot, kernels) in [KernelPath.avx512, .reference].enumerated() {
                argmax[1].withUnsafeBufferPointer { a in
                    dy.withUnsafeBufferPointer { dy in
                        dx[slot].withUnsafeMutableBufferPointer { dx in
                            if rectifies {
                                y[1].withUnsafeBufferPointer { pooled in
                                    pool.backwardThroughReLU(inputShape: shape, batchSize: batch, argmax: a.baseAddress!,
                                                             pooled: pooled.baseAddress!, outputGradient: dy.baseAddress!,
                                                             inputGradient: dx.baseAddress!, kernels: kernels)
                                }
                            } else {
                                pool.backward(inputShape: shape, batchSize: batch, argmax: a.baseAddress!,
                                              outputGradient: dy.baseAddress!, inputGradient: dx.baseAddress!,
                                              kernels: kernels)
                            }
                        }
                    }
                }
            }
            #expect(Self.bits(dx[0]) == Self.bits(dx[1]), "rectifies: \(rectifies)")
        }
    }

    /// The paths this CPU runs are those /proc/cpuinfo lists (Linux only: elsewhere there is
    /// nothing to compare with).
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/cpuinfo"), "needs /proc/cpuinfo (Linux)"))
    func theKernelPathsAreThoseTheCPUHas() throws {
        let cpuinfo = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        let flags = Set(cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") }.map {
            $0.split(separator: " ").map(String.init)
        } ?? [])
        #if arch(x86_64)
        let avx2 = flags.contains("avx2") && flags.contains("fma")
        #expect((brsgd_neural_kernels_available() == 1) == flags.contains("avx512f"))
        #expect(KernelPath.available == [.reference] + (avx2 ? [.avx2] : []) + (avx2 && flags.contains("avx512f") ? [.avx512] : []))
        #else
        #expect(brsgd_neural_kernels_available() == 0)
        #expect(KernelPath.available == [.reference])
        #endif
    }
}
