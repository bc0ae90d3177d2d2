import KernelPaths

/// A fully connected (affine) layer, as PyTorch's `nn.Linear`.
///
/// `Y = X · Wᵀ + bias` for a batch `X` of `B × in` (one sample per row), `W` of `out × in`.
///
/// Parameters, in the model's flat buffer: the weight `[out][in]` (PyTorch's order), then
/// the bias `[out]`. Activations are batch-major, `[B][features]`.
/// Backward: `∂W = ∂Yᵀ · X`, `∂bias = Σ_b ∂Y[b]`, `∂X = ∂Y · W`.
///
/// Orders of operations (Products.swift): each output is the bias plus `X · Wᵀ`'s sum in the
/// lane order; each entry of `∂W` is one chain over the samples, continued across
/// micro-batches; each entry of `∂X` one chain over the outputs.
/// - Complexity: forward and backward O(B · in · out) each.
public struct Dense: Sendable, Hashable {
    /// Features in.
    public var inputSize: Int
    /// Features out.
    public var outputSize: Int

    /// An affine map from `inputSize` to `outputSize` features.
    /// - Precondition: both sizes are positive.
    public init(inputSize: Int, outputSize: Int) {
        precondition(inputSize > 0 && outputSize > 0, "Dense sizes must be positive")
        self.inputSize = inputSize
        self.outputSize = outputSize
    }

    /// `out · in + out`.
    public var parameterCount: Int { weightCount + outputSize }

    var weightCount: Int { outputSize * inputSize }

    /// PyTorch's fan-in: `in`.
    var fanIn: Int { inputSize }

    /// The output shape for `input` (a flat vector of `outputSize`).
    /// - Precondition: `input.count == inputSize`.
    public func outputShape(for input: TensorShape) -> TensorShape {
        precondition(input.count == inputSize, "Dense expects \(inputSize) features, got \(input)")
        return TensorShape(flat: outputSize)
    }

    func forward(
        parameters: UnsafePointer<Float>, input: UnsafePointer<Float>, batchSize: Int,
        output: UnsafeMutablePointer<Float>, kernels: KernelPath
    ) {
        let bias = parameters + weightCount
        for b in 0..<batchSize {
            (output + b * outputSize).update(from: bias, count: outputSize)
        }
        laneProduct(kernels, m: batchSize, n: outputSize, k: inputSize, input, lda: inputSize, parameters,
                    ldb: inputSize, output, ldc: outputSize, accumulates: true)
    }

    /// Writes `∂W`, `∂bias` into `parameterGradient` (overwriting, or adding when
    /// `accumulates`) and, when `inputGradient` is given, `∂X`.
    func backward(
        parameters: UnsafePointer<Float>, input: UnsafePointer<Float>, batchSize: Int, accumulates: Bool,
        outputGradient: UnsafePointer<Float>, parameterGradient: UnsafeMutablePointer<Float>,
        inputGradient: UnsafeMutablePointer<Float>?, kernels: KernelPath
    ) {
        chainProduct(kernels, transposesA: true, m: outputSize, n: inputSize, k: batchSize, outputGradient,
                     lda: outputSize, input, ldb: inputSize, parameterGradient, ldc: inputSize, accumulates: accumulates)
        let biasGradient = parameterGradient + weightCount
        if !accumulates { biasGradient.update(repeating: 0, count: outputSize) }
        for b in 0..<batchSize {
            addInPlace(biasGradient, outputGradient + b * outputSize, count: outputSize)
        }
        if let inputGradient {
            chainProduct(kernels, transposesA: false, m: batchSize, n: inputSize, k: outputSize, outputGradient,
                         lda: outputSize, parameters, ldb: inputSize, inputGradient, ldc: inputSize, accumulates: false)
        }
    }
}
