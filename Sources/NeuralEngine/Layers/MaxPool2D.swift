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

    /// Pools each of the `C · B` planes of a channel-major batch, recording in `argmax`
    /// each output's first maximal input (row-major order) as an offset in its plane.
    func forward(
        input: UnsafePointer<Float>, inputShape: TensorShape, batchSize: Int,
        output: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int32>
    ) {
        let out = outputShape(for: inputShape)
        let planes = inputShape.channels * batchSize
        if kernelSize == 2 && stride == 2 {
            forward2x2(input: input, inputShape: inputShape, planes: planes, output: output, argmax: argmax)
            return
        }
        let w = inputShape.width
        for p in 0..<planes {
            let x = input + p * inputShape.planeSize
            let y = output + p * out.planeSize
            let index = argmax + p * out.planeSize
            for i in 0..<out.height {
                for j in 0..<out.width {
                    var best = i * stride * w + j * stride
                    for u in 0..<kernelSize {
                        for v in 0..<kernelSize {
                            let offset = (i * stride + u) * w + j * stride + v
                            if x[offset] > x[best] { best = offset }
                        }
                    }
                    y[i * out.width + j] = x[best]
                    index[i * out.width + j] = Int32(best)
                }
            }
        }
    }

    /// Overwrites `inputGradient`: each output's `∂y` goes to its recorded maximum
    /// (summed where windows overlap), 0 elsewhere.
    func backward(
        inputShape: TensorShape, batchSize: Int, argmax: UnsafePointer<Int32>,
        outputGradient: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>
    ) {
        let outCount = outputShape(for: inputShape).planeSize
        let planes = inputShape.channels * batchSize
        inputGradient.update(repeating: 0, count: planes * inputShape.planeSize)
        for p in 0..<planes {
            let dx = inputGradient + p &* inputShape.planeSize
            let dy = outputGradient + p &* outCount
            let index = argmax + p &* outCount
            for o in 0..<outCount { dx[Int(index[o])] += dy[o] }
        }
    }

    /// The 2 × 2, stride 2 case (LeNet's): non-overlapping windows, unrolled and branch-free.
    private func forward2x2(
        input: UnsafePointer<Float>, inputShape: TensorShape, planes: Int,
        output: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int32>
    ) {
        let w = inputShape.width, ho = inputShape.height / 2, wo = w / 2
        for p in 0..<planes {
            let x = input + p &* inputShape.planeSize
            let y = output + p &* (ho &* wo)
            let index = argmax + p &* (ho &* wo)
            for i in 0..<ho {
                let top = 2 &* i &* w, bottom = top &+ w
                for j in 0..<wo {
                    let c = 2 &* j
                    let v0 = x[top &+ c], v1 = x[top &+ c &+ 1], v2 = x[bottom &+ c], v3 = x[bottom &+ c &+ 1]
                    // Ties keep the earlier position (row-major), as PyTorch does.
                    let upper = v1 > v0 ? v1 : v0, upperAt = v1 > v0 ? top &+ c &+ 1 : top &+ c
                    let lower = v3 > v2 ? v3 : v2, lowerAt = v3 > v2 ? bottom &+ c &+ 1 : bottom &+ c
                    let best = lower > upper ? lower : upper, bestAt = lower > upper ? lowerAt : upperAt
                    y[i &* wo &+ j] = best
                    index[i &* wo &+ j] = Int32(truncatingIfNeeded: bestAt)
                }
            }
        }
    }
}
