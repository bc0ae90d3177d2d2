import KernelPaths

/// A 2-D convolution (cross-correlation, as in PyTorch's `nn.Conv2d`) with bias, computed
/// by im2col and one matrix product over the whole batch (Chellapilla, Puri & Simard 2006).
///
/// `y[o][i][j][b] = bias[o] + Σ_{c,u,v} W[o][c][u][v] · x[c][i·s − p + u][j·s − p + v][b]`,
/// with x zero outside the image.
///
/// Parameters, in the model's flat buffer: the weight `[out][in][k][k]` (PyTorch's order),
/// then the bias `[out]`. Activations are channel-major, `[C][H][W][B]`.
/// Backward: `∂W = ∂Y · columnsᵀ`, `∂bias[o] = Σ ∂Y[o][·]`, `∂X = col2im(Wᵀ · ∂Y)`. The
/// products' orders of operations are the engine's own (Products.swift), the same bits on
/// every kernel path.
/// - Complexity: forward and backward O(B · Ho · Wo · out · in · k²) each.
public struct Conv2D: Sendable, Hashable {
    /// Input feature maps.
    public var inputChannels: Int
    /// Output feature maps (filters).
    public var outputChannels: Int
    /// The side of the square kernel.
    public var kernelSize: Int
    /// Zero padding on each side.
    public var padding: Int
    /// The step between kernel positions.
    public var stride: Int

    /// A convolution of `inputChannels` maps into `outputChannels` with a square kernel.
    /// - Precondition: positive channels, kernel and stride; `padding >= 0`.
    public init(inputChannels: Int, outputChannels: Int, kernelSize: Int, padding: Int = 0, stride: Int = 1) {
        precondition(inputChannels > 0 && outputChannels > 0, "channels must be positive")
        precondition(kernelSize > 0 && stride > 0 && padding >= 0, "invalid kernel, stride or padding")
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.kernelSize = kernelSize
        self.padding = padding
        self.stride = stride
    }

    /// `out · in · k² + out`.
    public var parameterCount: Int { weightCount + outputChannels }

    var weightCount: Int { outputChannels * inputChannels * kernelSize * kernelSize }

    /// Inputs per output value, `in · k²` (PyTorch's fan-in).
    var fanIn: Int { inputChannels * kernelSize * kernelSize }

    /// The output shape for `input`.
    /// - Precondition: `input.channels == inputChannels` and the kernel fits the padded input.
    public func outputShape(for input: TensorShape) -> TensorShape {
        precondition(input.channels == inputChannels, "Conv2D expects \(inputChannels) channels, got \(input)")
        let g = geometry(input, batchSize: 1)
        precondition(g.outputHeight > 0 && g.outputWidth > 0, "Conv2D kernel larger than padded input \(input)")
        return TensorShape(channels: outputChannels, height: g.outputHeight, width: g.outputWidth)
    }

    func geometry(_ input: TensorShape, batchSize: Int) -> ConvolutionGeometry {
        ConvolutionGeometry(
            channels: input.channels, batchSize: batchSize, height: input.height, width: input.width,
            kernelSize: kernelSize, padding: padding, stride: stride)
    }

    /// Floats of im2col scratch for a batch: `(in · k²) · (Ho · Wo · B)`.
    func columnCount(_ input: TensorShape, batchSize: Int) -> Int {
        let g = geometry(input, batchSize: batchSize)
        return g.columnRows * g.columnWidth
    }

    /// `output[out][Ho·Wo·B] = bias + W · im2col(input)`, each output the bias followed by one
    /// chain of fused multiply-adds over the taps (``chainProduct(_:transposesA:m:n:k:_:lda:_:ldb:_:ldc:accumulates:)``);
    /// keeps the columns for backward.
    func forward(
        parameters: UnsafePointer<Float>, input: UnsafePointer<Float>, inputShape: TensorShape,
        batchSize: Int, columns: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>,
        kernels: KernelPath
    ) {
        let g = geometry(inputShape, batchSize: batchSize)
        let n = g.columnWidth
        let bias = parameters + weightCount
        for o in 0..<outputChannels {
            (output + o * n).update(repeating: bias[o], count: n)
        }
        im2col(input, columns, g, kernels: kernels)
        chainProduct(kernels, transposesA: false, m: outputChannels, n: n, k: g.columnRows,
                     parameters, lda: g.columnRows, columns, ldb: n, output, ldc: n, accumulates: true)
    }

    /// Writes `∂W`, `∂bias` into `parameterGradient` (overwriting, or adding when
    /// `accumulates`) and, when `inputGradient` is given, `∂X` using `columnGradient`
    /// as scratch.
    ///
    /// `∂W = ∂Y · columnsᵀ` sums over the positions in the lane order
    /// (``laneProduct(_:m:n:k:_:lda:_:ldb:_:ldc:accumulates:)``), each micro-batch's sum added
    /// to the entry; `∂bias` is each channel's ``storeRowSums(_:rows:stride:count:into:accumulates:)``;
    /// the column gradient `Wᵀ · ∂Y` is one chain per entry over the output channels, folded
    /// back by col2im.
    func backward(
        parameters: UnsafePointer<Float>, inputShape: TensorShape, batchSize: Int, accumulates: Bool,
        columns: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
        parameterGradient: UnsafeMutablePointer<Float>,
        inputGradient: UnsafeMutablePointer<Float>?, columnGradient: UnsafeMutablePointer<Float>?,
        kernels: KernelPath
    ) {
        let g = geometry(inputShape, batchSize: batchSize)
        let n = g.columnWidth
        laneProduct(kernels, m: outputChannels, n: g.columnRows, k: n, outputGradient, lda: n, columns, ldb: n,
                    parameterGradient, ldc: g.columnRows, accumulates: accumulates)
        storeRowSums(outputGradient, rows: outputChannels, stride: n, count: n,
                     into: parameterGradient + weightCount, accumulates: accumulates)
        if let inputGradient, let columnGradient {
            chainProduct(kernels, transposesA: true, m: g.columnRows, n: n, k: outputChannels,
                         parameters, lda: g.columnRows, outputGradient, ldb: n, columnGradient, ldc: n,
                         accumulates: false)
            col2im(columnGradient, inputGradient, g, kernels: kernels)
        }
    }
}
