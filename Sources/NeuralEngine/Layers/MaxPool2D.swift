import CNeuralKernels
import KernelPaths

/// 2-D max pooling over each feature map, as PyTorch's `nn.MaxPool2d` (no padding).
///
/// `y[c][b][i][j] = max_{0 ≤ u,v < k} x[c][b][i·s + u][j·s + v]`, `Ho = ⌊(H − k)/s⌋ + 1`.
/// Forward records each window's first maximal input (row-major order, as PyTorch);
/// backward routes each `∂y` there.
/// - Complexity: forward and backward O(B · C · Ho · Wo · k²).
public struct MaxPool2D: Sendable, Hashable {
    /// The side of the square window.
    public var kernelSize: Int
    /// The step between windows (PyTorch's default: the window size).
    public var stride: Int

    /// Max pooling over `kernelSize × kernelSize` windows every `stride` pixels.
    /// - Precondition: both are positive.
    public init(kernelSize: Int, stride: Int? = nil) {
        precondition(kernelSize > 0 && (stride ?? 1) > 0, "pooling window and stride must be positive")
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
    }

    /// The output shape for `input`.
    /// - Precondition: the window fits the input.
    public func outputShape(for input: TensorShape) -> TensorShape {
        precondition(input.height >= kernelSize && input.width >= kernelSize, "MaxPool2D window larger than \(input)")
        return TensorShape(
            channels: input.channels,
            height: (input.height - kernelSize) / stride + 1,
            width: (input.width - kernelSize) / stride + 1)
    }

    /// Pools a channel-major batch (`[C][H][W][B]`), recording in `argmax` each output's
    /// first maximal input (row-major window order) as an offset within its channel.
    func forward(
        input: UnsafePointer<Float>, inputShape: TensorShape, batchSize: Int,
        output: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int32>, kernels: KernelPath = .selected
    ) {
        let out = outputShape(for: inputShape)
        if isTwoByTwo {
            forward2x2(input: input, inputShape: inputShape, batchSize: batchSize, output: output, argmax: argmax,
                       rectifies: false, kernels: kernels)
            return
        }
        let w = inputShape.width, batch = batchSize
        let inChannel = inputShape.planeSize * batch, outChannel = out.planeSize * batch
        for c in 0..<inputShape.channels {
            let x = input + c * inChannel
            let y = output + c * outChannel
            let index = argmax + c * outChannel
            for i in 0..<out.height {
                for j in 0..<out.width {
                    for b in 0..<batch {
                        var best = (i * stride * w + j * stride) * batch + b
                        for u in 0..<kernelSize {
                            for v in 0..<kernelSize {
                                let offset = ((i * stride + u) * w + j * stride + v) * batch + b
                                if x[offset] > x[best] { best = offset }
                            }
                        }
                        let o = (i * out.width + j) * batch + b
                        y[o] = x[best]
                        index[o] = Int32(best)
                    }
                }
            }
        }
    }

    /// Overwrites `inputGradient`: each output's `∂y` goes to its recorded maximum
    /// (summed where windows overlap), 0 elsewhere.
    func backward(
        inputShape: TensorShape, batchSize: Int, argmax: UnsafePointer<Int32>,
        outputGradient: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>,
        kernels: KernelPath = .selected
    ) {
        route(inputShape: inputShape, batchSize: batchSize, argmax: argmax, pooled: nil,
              outputGradient: outputGradient, inputGradient: inputGradient, kernels: kernels)
    }

    /// Whether the pooling takes non-overlapping 2 × 2 windows (LeNet's), the case
    /// ``forwardAfterReLU(input:inputShape:batchSize:output:argmax:)`` computes.
    var isTwoByTwo: Bool { kernelSize == 2 && stride == 2 }

    /// ReLU then this 2 × 2 pooling in one pass over `input` (the ReLU's input): each
    /// window's four values go through `x < 0 ? 0 : x` (as ``ReLU`` computes them in its
    /// vector steps) before the same comparisons as
    /// ``forward(input:inputShape:batchSize:output:argmax:)``, so the output and argmax are
    /// those of the two layers one after the other, to the bit, when every value of the
    /// ReLU's would go through its steps (``ReLU/computesInLanesOnly(count:)``), without
    /// writing or reading the ReLU's output.
    /// - Precondition: ``isTwoByTwo``.
    /// - Complexity: O(B · C · H · W).
    func forwardAfterReLU(
        input: UnsafePointer<Float>, inputShape: TensorShape, batchSize: Int,
        output: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int32>, kernels: KernelPath = .selected
    ) {
        precondition(isTwoByTwo, "the fused ReLU-pooling pass takes 2 × 2 windows")
        forward2x2(input: input, inputShape: inputShape, batchSize: batchSize, output: output, argmax: argmax,
                   rectifies: true, kernels: kernels)
    }

    /// The backward pass of ReLU then pooling: `∂x` of the ReLU's input, overwritten. Each
    /// output's `0 + ∂y` goes to its recorded maximum when that maximum (the pooled value
    /// `pooled`, the ReLU's output there) is not ≤ 0, and 0 goes everywhere else: the bytes
    /// of ``backward(inputShape:batchSize:argmax:outputGradient:inputGradient:)`` followed
    /// by ReLU's backward pass (its vector steps' rule, as in
    /// ``forwardAfterReLU(input:inputShape:batchSize:output:argmax:)``), in one pass and
    /// without the ReLU's output.
    /// - Precondition: ``isTwoByTwo`` (each input in one window).
    /// - Complexity: O(B · C · H · W).
    func backwardThroughReLU(
        inputShape: TensorShape, batchSize: Int, argmax: UnsafePointer<Int32>, pooled: UnsafePointer<Float>,
        outputGradient: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>,
        kernels: KernelPath = .selected
    ) {
        precondition(isTwoByTwo, "the fused ReLU-pooling pass takes 2 × 2 windows")
        route(inputShape: inputShape, batchSize: batchSize, argmax: argmax, pooled: pooled,
              outputGradient: outputGradient, inputGradient: inputGradient, kernels: kernels)
    }

    /// Zeroes `inputGradient`, then adds each output's `∂y` at its recorded maximum, only
    /// where `pooled` (when given) is not ≤ 0 — `!(y ≤ 0)`, not `y > 0`: ReLU's backward
    /// pass keeps the gradient at a NaN.
    /// - Complexity: O(B · C · H · W).
    private func route(
        inputShape: TensorShape, batchSize: Int, argmax: UnsafePointer<Int32>, pooled: UnsafePointer<Float>?,
        outputGradient: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>, kernels: KernelPath
    ) {
        if isTwoByTwo {
            if kernels == .avx512 && batchSize == 4
                && brsgd_max_pool_2x2_route_batch4(argmax, pooled, outputGradient, inputGradient,
                                                   Int32(inputShape.channels), Int32(inputShape.height),
                                                   Int32(inputShape.width)) != 0 {
                return
            }
            route2x2(inputShape: inputShape, batchSize: batchSize, argmax: argmax, pooled: pooled,
                     outputGradient: outputGradient, inputGradient: inputGradient)
            return
        }
        let inChannel = inputShape.planeSize * batchSize
        let outChannel = outputShape(for: inputShape).planeSize * batchSize
        inputGradient.update(repeating: 0, count: inputShape.channels * inChannel)
        for c in 0..<inputShape.channels {
            let dx = inputGradient + c &* inChannel
            let dy = outputGradient + c &* outChannel
            let index = argmax + c &* outChannel
            if let pooled {
                let y = pooled + c &* outChannel
                for o in 0..<outChannel where !(y[o] <= 0) { dx[Int(index[o])] += dy[o] }
            } else {
                for o in 0..<outChannel { dx[Int(index[o])] += dy[o] }
            }
        }
    }

    /// `route` for 2 × 2 windows with stride 2: every input lies in at most one window, so
    /// each is written once, front to back, with `0 + ∂y` at its window's recorded maximum
    /// (where `pooled`, when given, is not ≤ 0) and 0 at the other three — the bytes of
    /// zeroing and adding, without the scattered adds or a branch per output (inputs in no
    /// window, the last row or column of an odd extent, are zeroed first).
    /// - Complexity: O(B · C · H · W).
    private func route2x2(
        inputShape: TensorShape, batchSize: Int, argmax: UnsafePointer<Int32>, pooled: UnsafePointer<Float>?,
        outputGradient: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>
    ) {
        let batch = batchSize
        let w = inputShape.width, ho = inputShape.height / 2, wo = w / 2
        let inChannel = inputShape.planeSize &* batch, outChannel = ho &* wo &* batch
        if inputShape.height % 2 != 0 || w % 2 != 0 {
            inputGradient.update(repeating: 0, count: inputShape.channels * inChannel)
        }
        for c in 0..<inputShape.channels {
            let dx = inputGradient + c &* inChannel
            let dy = outputGradient + c &* outChannel
            let index = argmax + c &* outChannel
            let y = pooled.map { $0 + c &* outChannel }
            for i in 0..<ho {
                for j in 0..<wo {
                    let (topLeft, topRight, bottomLeft, bottomRight, o) = window2x2(i, j, width: w, batch: batch)
                    var b = 0
                    while b &+ 4 <= batch {
                        let at = UnsafeRawPointer(index + (o &+ b)).loadUnaligned(as: SIMD4<Int32>.self)
                            &- (SIMD4<Int32>(0, 1, 2, 3) &+ Int32(truncatingIfNeeded: b))
                        var g = SIMD4<Float>(repeating: 0) + load4(dy + (o &+ b))
                        if let y { g = g.replacing(with: 0, where: load4(y + (o &+ b)) .<= 0) }
                        store4(g, at: at, corner: topLeft, into: dx + (topLeft &+ b))
                        store4(g, at: at, corner: topRight, into: dx + (topRight &+ b))
                        store4(g, at: at, corner: bottomLeft, into: dx + (bottomLeft &+ b))
                        store4(g, at: at, corner: bottomRight, into: dx + (bottomRight &+ b))
                        b &+= 4
                    }
                    while b < batch {
                        let at = Int(index[o &+ b]) &- b
                        var g = 0 + dy[o &+ b]
                        if let y, y[o &+ b] <= 0 { g = 0 }
                        dx[topLeft &+ b] = at == topLeft ? g : 0
                        dx[topRight &+ b] = at == topRight ? g : 0
                        dx[bottomLeft &+ b] = at == bottomLeft ? g : 0
                        dx[bottomRight &+ b] = at == bottomRight ? g : 0
                        b &+= 1
                    }
                }
            }
        }
    }

    /// The 2 × 2, stride 2 case (LeNet's): non-overlapping windows, branch-free selects.
    /// With `rectifies`, each value first goes through ReLU (`x < 0 ? 0 : x`). For a
    /// micro-batch of 4 on the AVX-512 path, `brsgd_max_pool_2x2_batch4` makes the same
    /// comparisons and selects for four windows at a time.
    @inline(__always)
    private func forward2x2(
        input: UnsafePointer<Float>, inputShape: TensorShape, batchSize: Int,
        output: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int32>, rectifies: Bool,
        kernels: KernelPath
    ) {
        if kernels == .avx512 && batchSize == 4
            && brsgd_max_pool_2x2_batch4(input, output, argmax, Int32(inputShape.channels), Int32(inputShape.height),
                                         Int32(inputShape.width), rectifies ? 1 : 0) != 0 {
            return
        }
        let batch = batchSize
        let w = inputShape.width, ho = inputShape.height / 2, wo = w / 2
        let inChannel = inputShape.planeSize &* batch, outChannel = ho &* wo &* batch
        for c in 0..<inputShape.channels {
            let x = input + c &* inChannel
            let y = output + c &* outChannel
            let index = argmax + c &* outChannel
            for i in 0..<ho {
                for j in 0..<wo {
                    let (topLeft, topRight, bottomLeft, bottomRight, o) = window2x2(i, j, width: w, batch: batch)
                    var b = 0
                    // Four samples at a time: the batch is innermost, so each corner's values are contiguous.
                    while b &+ 4 <= batch {
                        let lanes = SIMD4<Int32>(0, 1, 2, 3) &+ Int32(truncatingIfNeeded: b)
                        var v0 = load4(x + (topLeft &+ b)), v1 = load4(x + (topRight &+ b))
                        var v2 = load4(x + (bottomLeft &+ b)), v3 = load4(x + (bottomRight &+ b))
                        if rectifies {
                            v0 = v0.replacing(with: 0, where: v0 .< 0)
                            v1 = v1.replacing(with: 0, where: v1 .< 0)
                            v2 = v2.replacing(with: 0, where: v2 .< 0)
                            v3 = v3.replacing(with: 0, where: v3 .< 0)
                        }
                        let rightWins = v1 .> v0, lowerRightWins = v3 .> v2
                        let upper = v0.replacing(with: v1, where: rightWins)
                        let lower = v2.replacing(with: v3, where: lowerRightWins)
                        let upperAt = SIMD4(repeating: Int32(truncatingIfNeeded: topLeft))
                            .replacing(with: Int32(truncatingIfNeeded: topRight), where: rightWins)
                        let lowerAt = SIMD4(repeating: Int32(truncatingIfNeeded: bottomLeft))
                            .replacing(with: Int32(truncatingIfNeeded: bottomRight), where: lowerRightWins)
                        let lowerWins = lower .> upper
                        UnsafeMutableRawPointer(y + (o &+ b)).storeBytes(
                            of: upper.replacing(with: lower, where: lowerWins), as: SIMD4<Float>.self)
                        UnsafeMutableRawPointer(index + (o &+ b)).storeBytes(
                            of: upperAt.replacing(with: lowerAt, where: lowerWins) &+ lanes, as: SIMD4<Int32>.self)
                        b &+= 4
                    }
                    while b < batch {
                        var v0 = x[topLeft &+ b], v1 = x[topRight &+ b]
                        var v2 = x[bottomLeft &+ b], v3 = x[bottomRight &+ b]
                        if rectifies {
                            v0 = v0 < 0 ? 0 : v0
                            v1 = v1 < 0 ? 0 : v1
                            v2 = v2 < 0 ? 0 : v2
                            v3 = v3 < 0 ? 0 : v3
                        }
                        // Ties keep the earlier position (row-major), as PyTorch does.
                        let upper = v1 > v0 ? v1 : v0, upperAt = v1 > v0 ? topRight : topLeft
                        let lower = v3 > v2 ? v3 : v2, lowerAt = v3 > v2 ? bottomRight : bottomLeft
                        let best = lower > upper ? lower : upper, bestAt = lower > upper ? lowerAt : upperAt
                        y[o &+ b] = best
                        index[o &+ b] = Int32(truncatingIfNeeded: bestAt &+ b)
                        b &+= 1
                    }
                }
            }
        }
    }
}

/// Four floats from `p`, which need not be aligned.
@inline(__always)
private func load4(_ p: UnsafePointer<Float>) -> SIMD4<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD4<Float>.self)
}

/// Writes `g` where the window's maximum `at` (per lane, its corner's offset) is `corner`,
/// 0 elsewhere, to four unaligned floats at `p`.
@inline(__always)
private func store4(_ g: SIMD4<Float>, at: SIMD4<Int32>, corner: Int, into p: UnsafeMutablePointer<Float>) {
    let value = SIMD4<Float>(repeating: 0).replacing(with: g, where: at .== Int32(truncatingIfNeeded: corner))
    UnsafeMutableRawPointer(p).storeBytes(of: value, as: SIMD4<Float>.self)
}

/// Window (i, j) of a 2 × 2, stride-2 pooling over a `[H][W][B]` channel of width `width`:
/// the offsets of its four inputs for sample 0 (row-major), and of its output.
@inline(__always)
private func window2x2(_ i: Int, _ j: Int, width w: Int, batch: Int)
    -> (topLeft: Int, topRight: Int, bottomLeft: Int, bottomRight: Int, output: Int) {
    let topLeft = (2 &* i &* w &+ 2 &* j) &* batch
    let bottomLeft = topLeft &+ w &* batch
    return (topLeft, topLeft &+ batch, bottomLeft, bottomLeft &+ batch, (i &* (w / 2) &+ j) &* batch)
}
