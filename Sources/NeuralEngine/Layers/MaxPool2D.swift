/// 2-D max pooling over each feature map, as PyTorch's `nn.MaxPool2d` (no padding).
///
/// `y[c][b][i][j] = max_{0 ≤ u,v < k} x[c][b][i·s + u][j·s + v]`, `Ho = ⌊(H − k)/s⌋ + 1`.
/// Backward routes each `∂y` to the first maximal input of its window (row-major order),
/// found again from the stored input, so no index buffer is kept.
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

    /// Pools each of the `C · B` planes of a channel-major batch.
    func forward(input: UnsafePointer<Float>, inputShape: TensorShape, batchSize: Int, output: UnsafeMutablePointer<Float>) {
        let out = outputShape(for: inputShape)
        let planes = inputShape.channels * batchSize
        for p in 0..<planes {
            let x = input + p * inputShape.planeSize
            let y = output + p * out.planeSize
            for i in 0..<out.height {
                for j in 0..<out.width {
                    let corner = i * stride * inputShape.width + j * stride
                    var best = x[corner]
                    for u in 0..<kernelSize {
                        let row = x + corner + u * inputShape.width
                        for v in 0..<kernelSize where row[v] > best { best = row[v] }
                    }
                    y[i * out.width + j] = best
                }
            }
        }
    }

    /// Overwrites `inputGradient` with each window's `∂y` at its first maximum.
    func backward(
        input: UnsafePointer<Float>, inputShape: TensorShape, batchSize: Int,
        output: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
        inputGradient: UnsafeMutablePointer<Float>
    ) {
        let out = outputShape(for: inputShape)
        let planes = inputShape.channels * batchSize
        inputGradient.update(repeating: 0, count: planes * inputShape.planeSize)
        for p in 0..<planes {
            let x = input + p * inputShape.planeSize
            let dx = inputGradient + p * inputShape.planeSize
            let y = output + p * out.planeSize
            let dy = outputGradient + p * out.planeSize
            for i in 0..<out.height {
                for j in 0..<out.width {
                    let corner = i * stride * inputShape.width + j * stride
                    let best = y[i * out.width + j]
                    var argmax = corner
                    search: for u in 0..<kernelSize {
                        for v in 0..<kernelSize where x[corner + u * inputShape.width + v] == best {
                            argmax = corner + u * inputShape.width + v
                            break search
                        }
                    }
                    dx[argmax] += dy[i * out.width + j]
                }
            }
        }
    }
}
