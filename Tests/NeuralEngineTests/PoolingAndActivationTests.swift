import Foundation
import SeededRandom
import Testing
@testable import NeuralEngine

/// Max pooling and the activations against naive references, ties included.
@Suite("Pooling and activations")
struct PoolingAndActivationTests {
    /// Naive pooling of a `[C][H][W][B]` batch: the first maximum of each window
    /// (row-major) wins.
    func referencePool(_ x: [Float], _ pool: MaxPool2D, _ shape: TensorShape, batch: Int)
        -> (y: [Float], dx: (_ dy: [Float]) -> [Float]) {
        let out = pool.outputShape(for: shape)
        func at(_ c: Int, _ h: Int, _ w: Int, _ b: Int) -> Int { ((c * shape.height + h) * shape.width + w) * batch + b }
        var y = [Float](repeating: .nan, count: shape.channels * out.planeSize * batch)
        var winners = [Int](repeating: -1, count: y.count)
        for c in 0..<shape.channels {
            for i in 0..<out.height {
                for j in 0..<out.width {
                    for b in 0..<batch {
                        var best = at(c, i * pool.stride, j * pool.stride, b)
                        for u in 0..<pool.kernelSize {
                            for v in 0..<pool.kernelSize {
                                let candidate = at(c, i * pool.stride + u, j * pool.stride + v, b)
                                if x[candidate] > x[best] { best = candidate }
                            }
                        }
                        let o = ((c * out.height + i) * out.width + j) * batch + b
                        y[o] = x[best]
                        winners[o] = best
                    }
                }
            }
        }
        return (y, { dy in
            var dx = [Float](repeating: 0, count: x.count)
            for (o, at) in winners.enumerated() { dx[at] += dy[o] }
            return dx
        })
    }

    @Test(arguments: [(2, 2, 6, 6), (2, 2, 5, 7), (3, 2, 7, 6), (2, 1, 4, 5)])
    func maxPoolMatchesReferenceWithTies(kernel: Int, stride: Int, height: Int, width: Int) {
        var generator = SeededGenerator(seed: 4)
        let pool = MaxPool2D(kernelSize: kernel, stride: stride)
        let shape = TensorShape(channels: 2, height: height, width: width)
        let batch = 5  // one four-sample vector and a scalar tail in the 2 × 2 path
        // Small integers, so windows often hold equal maxima.
        let x = (0..<(shape.count * batch)).map { _ in Float(generator.nextIndex(below: 4)) }
        let out = pool.outputShape(for: shape)
        let dy = normals(out.count * batch, using: &generator)
        let reference = referencePool(x, pool, shape, batch: batch)

        var y = [Float](repeating: .nan, count: out.count * batch)
        var argmax = [Int32](repeating: -1, count: y.count)
        var dx = [Float](repeating: .nan, count: x.count)
        x.withUnsafeBufferPointer { x in
            y.withUnsafeMutableBufferPointer { y in
                argmax.withUnsafeMutableBufferPointer { a in
                    pool.forward(input: x.baseAddress!, inputShape: shape, batchSize: batch,
                                 output: y.baseAddress!, argmax: a.baseAddress!)
                }
            }
        }
        argmax.withUnsafeBufferPointer { a in
            dy.withUnsafeBufferPointer { dy in
                dx.withUnsafeMutableBufferPointer { dx in
                    pool.backward(inputShape: shape, batchSize: batch, argmax: a.baseAddress!,
                                  outputGradient: dy.baseAddress!, inputGradient: dx.baseAddress!)
                }
            }
        }
        #expect(y == reference.y)
        #expect(dx == reference.dx(dy))
    }

    @Test func reluAndTanhMatchTheirDefinitions() {
        var generator = SeededGenerator(seed: 5)
        let count = 21  // not a multiple of the vector width
        var x = normals(count, using: &generator)
        x[3] = 0
        let dy = normals(count, using: &generator)
        var y = [Float](repeating: .nan, count: count), dx = y, t = y, dt = y
        x.withUnsafeBufferPointer { x in
            dy.withUnsafeBufferPointer { dy in
                y.withUnsafeMutableBufferPointer { y in
                    dx.withUnsafeMutableBufferPointer { dx in
                        ReLU().forward(input: x.baseAddress!, output: y.baseAddress!, count: count)
                        ReLU().backward(output: UnsafePointer(y.baseAddress!), outputGradient: dy.baseAddress!,
                                        inputGradient: dx.baseAddress!, count: count)
                    }
                }
                t.withUnsafeMutableBufferPointer { t in
                    dt.withUnsafeMutableBufferPointer { dt in
                        Tanh().forward(input: x.baseAddress!, output: t.baseAddress!, count: count)
                        Tanh().backward(output: UnsafePointer(t.baseAddress!), outputGradient: dy.baseAddress!,
                                        inputGradient: dt.baseAddress!, count: count)
                    }
                }
            }
        }
        #expect(y == x.map { max($0, 0) })
        #expect(dx == zip(x, dy).map { $0 > 0 ? $1 : 0 })
        for i in 0..<count {
            let expected = Float(tanh(Double(x[i])))
            #expect(abs(t[i] - expected) <= 1e-6)
            #expect(abs(dt[i] - dy[i] * (1 - expected * expected)) <= 1e-5)
        }
    }

    /// The fused ReLU–pooling kernels give the bytes of ReLU then pooling, and pooling's
    /// backward pass then ReLU's, with −0, +0, NaN and ties among the inputs and −0 among
    /// the gradients. `batch` 4 fills the vector path, 3 the scalar tail, 5 both; the
    /// count stays a multiple of ReLU's lanes (2 · 6 · 4 · batch), as fusion requires.
    @Test(arguments: [3, 4, 5])
    func fusedReLUPoolingGivesTheBytesOfTheTwoLayers(batch: Int) {
        var generator = SeededGenerator(seed: 6)
        let pool = MaxPool2D(kernelSize: 2)
        let shape = TensorShape(channels: 2, height: 6, width: 4)
        let n = shape.count * batch, out = pool.outputShape(for: shape).count * batch
        #expect(ReLU.computesInLanesOnly(count: n))
        let specials: [Float] = [0, -0.0, .nan, 1, -1]
        let x = (0..<n).map { _ in generator.nextIndex(below: 3) == 0 ? specials[generator.nextIndex(below: 5)]
                                                                      : Float(generator.nextIndex(below: 5)) - 2 }
        let dy = (0..<out).map { i in i % 7 == 0 ? -0.0 : Float(generator.nextNormal()) }
        func bits(_ v: [Float]) -> [UInt32] { v.map(\.bitPattern) }

        var rectified = [Float](repeating: .nan, count: n), dRectified = rectified, dx = rectified, fusedDx = rectified
        var y = [Float](repeating: .nan, count: out), fusedY = y
        var argmax = [Int32](repeating: -1, count: out), fusedArgmax = argmax
        x.withUnsafeBufferPointer { x in
            dy.withUnsafeBufferPointer { dy in
                rectified.withUnsafeMutableBufferPointer { r in
                    ReLU().forward(input: x.baseAddress!, output: r.baseAddress!, count: n)
                    y.withUnsafeMutableBufferPointer { y in
                        argmax.withUnsafeMutableBufferPointer { a in
                            pool.forward(input: UnsafePointer(r.baseAddress!), inputShape: shape, batchSize: batch,
                                         output: y.baseAddress!, argmax: a.baseAddress!)
                            dRectified.withUnsafeMutableBufferPointer { dr in
                                pool.backward(inputShape: shape, batchSize: batch, argmax: UnsafePointer(a.baseAddress!),
                                              outputGradient: dy.baseAddress!, inputGradient: dr.baseAddress!)
                                dx.withUnsafeMutableBufferPointer { dx in
                                    ReLU().backward(output: UnsafePointer(r.baseAddress!),
                                                    outputGradient: UnsafePointer(dr.baseAddress!),
                                                    inputGradient: dx.baseAddress!, count: n)
                                }
                            }
                        }
                    }
                }
                fusedY.withUnsafeMutableBufferPointer { y in
                    fusedArgmax.withUnsafeMutableBufferPointer { a in
                        pool.forwardAfterReLU(input: x.baseAddress!, inputShape: shape, batchSize: batch,
                                              output: y.baseAddress!, argmax: a.baseAddress!)
                        fusedDx.withUnsafeMutableBufferPointer { dx in
                            pool.backwardThroughReLU(inputShape: shape, batchSize: batch,
                                                     argmax: UnsafePointer(a.baseAddress!), pooled: UnsafePointer(y.baseAddress!),
                                                     outputGradient: dy.baseAddress!, inputGradient: dx.baseAddress!)
                        }
                    }
                }
            }
        }
        #expect(bits(fusedY) == bits(y))
        #expect(fusedArgmax == argmax)
        #expect(bits(fusedDx) == bits(dx))
    }
}
