import CNeuralKernels

/// A 2-D convolution (cross-correlation, as in PyTorch's `nn.Conv2d`) with bias, computed
/// by im2col and one GEMM over the whole batch (Chellapilla, Puri & Simard 2006).
///
/// `y[o][i][j][b] = bias[o] + Σ_{c,u,v} W[o][c][u][v] · x[c][i·s − p + u][j·s − p + v][b]`,
/// with x zero outside the image.
///
/// Parameters, in the model's flat buffer: the weight `[out][in][k][k]` (PyTorch's order),
/// then the bias `[out]`. Activations are channel-major, `[C][H][W][B]`.
/// Backward: `∂W = ∂Y · columnsᵀ`, `∂bias[o] = Σ ∂Y[o][·]`, `∂X = col2im(Wᵀ · ∂Y)`.
/// One input channel into 6 filters (LeNet's first convolution) skips im2col where its
/// kernels keep OpenBLAS's bits (``runsWithoutColumns(_:batchSize:)``).
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

    /// Whether, with the fast paths, this convolution runs without im2col on this batch: one
    /// input channel into 6 filters at stride 1 (LeNet's first), on an AVX-512 CPU where OpenBLAS
    /// runs its SkylakeX kernels (``BLAS/runsSkylakeXKernels``) or its Haswell kernel
    /// (``BLAS/runsHaswellKernels``), each of whose orders a pair of kernels keeps, for a
    /// geometry that pair takes (`brsgd_single_channel_convolution_fits` or `…_fits_haswell`:
    /// micro-batches of 4 or 8 for LeNet). Forward then keeps the zero-padded image in
    /// `columns` instead of the columns, and backward forms ∂Wᵀ from it; both keep OpenBLAS's
    /// bits (see CNeuralKernels).
    func runsWithoutColumns(_ inputShape: TensorShape, batchSize: Int) -> Bool {
        guard inputChannels == 1 && outputChannels == 6 && stride == 1 else { return false }
        let (h, w, b, k, p) = singleChannelGeometry(inputShape, batchSize: batchSize)
        switch BLAS.kernelFamily {
        case .skylakeX: return brsgd_single_channel_convolution_fits(h, w, b, k, p) != 0
        case .haswell: return brsgd_single_channel_convolution_fits_haswell(h, w, b, k, p) != 0
        case .other: return false
        }
    }

    /// Height, width, batch, kernel and padding as the single-channel kernels take them.
    private func singleChannelGeometry(_ inputShape: TensorShape, batchSize: Int)
        -> (Int32, Int32, Int32, Int32, Int32) {
        (Int32(inputShape.height), Int32(inputShape.width), Int32(batchSize), Int32(kernelSize), Int32(padding))
    }

    /// `output[out][Ho·Wo·B] = W · im2col(input) + bias`; keeps the columns for backward (with
    /// `fastPaths`, where ``runsWithoutColumns(_:batchSize:)``, the padded image instead).
    func forward(
        parameters: UnsafePointer<Float>, input: UnsafePointer<Float>, inputShape: TensorShape,
        batchSize: Int, columns: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>,
        fastPaths: Bool = false
    ) {
        let g = geometry(inputShape, batchSize: batchSize)
        let n = g.columnWidth
        let bias = parameters + weightCount
        for o in 0..<outputChannels {
            (output + o * n).update(repeating: bias[o], count: n)
        }
        if fastPaths && runsWithoutColumns(inputShape, batchSize: batchSize) {
            let (h, w, b, k, p) = singleChannelGeometry(inputShape, batchSize: batchSize)
            let ran = BLAS.runsHaswellKernels
                ? brsgd_single_channel_convolution_forward_haswell(input, parameters, columns, output, h, w, b, k, p)
                : brsgd_single_channel_convolution_forward(input, parameters, columns, output, h, w, b, k, p)
            precondition(ran != 0, "the single-channel kernel refused a geometry it fits")
            return
        }
        im2col(input, columns, g)
        gemm(.none, .none, m: outputChannels, n: n, k: g.columnRows,
             parameters, lda: g.columnRows, columns, ldb: n, beta: 1, output, ldc: n)
    }

    /// Writes `∂W`, `∂bias` into `parameterGradient` (overwriting, or adding when
    /// `accumulates`) and, when `inputGradient` is given, `∂X` using `columnGradient`
    /// as scratch.
    ///
    /// With `transposedWeightGradient` (`in·k² × out` floats), `∂Wᵀ = columns · ∂Yᵀ` goes
    /// there instead of `∂W` into `parameterGradient` (overwriting, or adding when
    /// `accumulates`), and the caller copies its transpose into place after the last
    /// micro-batch (``writeTransposedWeightGradient(_:into:)``). The same bytes where OpenBLAS
    /// runs its SkylakeX kernels: they form each entry from the same products in the same order
    /// either way round, with 1 · C added the same way (0.3.21: every entry equal, for LeNet's
    /// shapes and for both betas). Its Haswell kernel does not (its tiles sum other entries in
    /// two chains each way round: 844 of LeNet's 2,400 second-convolution entries differ, by
    /// rounding, `Scripts/bench_weight_gradient.c`), so there the transposed product's bytes
    /// are the engine's. The product with the long side first is faster: LeNet's second
    /// convolution 24 µs per micro-batch of 4 against 31 µs (and faster again in our own kernel
    /// where it has OpenBLAS's bits: ``formTransposedWeightGradient(columns:rows:positions:outputGradient:outputChannels:accumulates:into:kernels:)``).
    func backward(
        parameters: UnsafePointer<Float>, inputShape: TensorShape, batchSize: Int, accumulates: Bool,
        columns: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
        parameterGradient: UnsafeMutablePointer<Float>, transposedWeightGradient: UnsafeMutablePointer<Float>? = nil,
        inputGradient: UnsafeMutablePointer<Float>?, columnGradient: UnsafeMutablePointer<Float>?
    ) {
        let g = geometry(inputShape, batchSize: batchSize)
        let n = g.columnWidth
        if let transposed = transposedWeightGradient, runsWithoutColumns(inputShape, batchSize: batchSize) {
            // The forward pass (with the fast paths, as here) left the padded image in `columns`.
            let (h, w, b, k, p) = singleChannelGeometry(inputShape, batchSize: batchSize)
            let ran = BLAS.runsHaswellKernels
                ? brsgd_single_channel_convolution_weight_gradient_haswell(
                    columns, outputGradient, transposed, accumulates ? 1 : 0, h, w, b, k, p)
                : brsgd_single_channel_convolution_weight_gradient(
                    columns, outputGradient, transposed, accumulates ? 1 : 0, h, w, b, k, p)
            precondition(ran != 0, "the single-channel kernel refused a geometry it fits")
        } else if let transposed = transposedWeightGradient {
            formTransposedWeightGradient(columns: columns, rows: g.columnRows, positions: n, outputGradient: outputGradient,
                                         outputChannels: outputChannels, accumulates: accumulates, into: transposed)
        } else {
            gemm(.none, .transposed, m: outputChannels, n: g.columnRows, k: n,
                 outputGradient, lda: n, columns, ldb: n, beta: accumulates ? 1 : 0, parameterGradient, ldc: g.columnRows)
        }
        storeRowSums(outputGradient, rows: outputChannels, stride: n, count: n,
                     into: parameterGradient + weightCount, accumulates: accumulates)
        if let inputGradient, let columnGradient {
            gemm(.transposed, .none, m: g.columnRows, n: n, k: outputChannels,
                 parameters, lda: g.columnRows, outputGradient, ldb: n, beta: 0, columnGradient, ldc: n)
            col2im(columnGradient, inputGradient, g)
        }
    }

    /// Copies `∂Wᵀ` (`in·k² × out`, from ``backward(parameters:inputShape:batchSize:accumulates:columns:outputGradient:parameterGradient:transposedWeightGradient:inputGradient:columnGradient:)``)
    /// into `parameterGradient` as `∂W` (`out × in·k²`), leaving the bias gradient after it.
    /// - Complexity: O(out · in · k²).
    func writeTransposedWeightGradient(_ transposed: UnsafePointer<Float>, into parameterGradient: UnsafeMutablePointer<Float>) {
        swapLeadingAxes(transposed, parameterGradient, a: fanIn, b: outputChannels, inner: 1)
    }
}
