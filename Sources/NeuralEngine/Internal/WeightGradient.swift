import CNeuralKernels

/// A convolution's transposed weight gradient, `∂Wᵀ = columns · ∂Yᵀ` (`rows × out`, row-major),
/// overwriting `transposed` or, when `accumulates`, adding to it.
///
/// OpenBLAS (0.3.21, its AVX-512 kernels) forms every entry of this product, for 16 output
/// channels, at least 76 rows (so that M · N > 1200 keeps it off its small-matrix kernels) and
/// at most 448 positions (one block of its k loop), as one chain of fused multiply-adds over
/// the positions in order, from 0, then adds the old value when accumulating. There, on an
/// AVX-512 CPU, `brsgd_weight_gradient_out16` (CNeuralKernels) forms the same chain, 16
/// channels to a vector and 12 rows at a time against ∂Y transposed once, and skips the
/// packing OpenBLAS does on every call: LeNet's second convolution (150 rows, 256 positions
/// for a micro-batch of 4) 1.5–1.9× as fast, with OpenBLAS's bits (every entry equal, both
/// ways, for 50 random trials with zeros of both signs; a whole training run's model too).
/// Elsewhere, and with `kernels: .swift` (for the tests), `cblas_sgemm`.
/// - Complexity: O(rows · out · positions).
func formTransposedWeightGradient(
    columns: UnsafePointer<Float>, rows: Int, positions: Int, outputGradient: UnsafePointer<Float>,
    outputChannels: Int, accumulates: Bool, into transposed: UnsafeMutablePointer<Float>,
    kernels: EngineKernels = .fastest
) {
    if kernels == .fastest && outputChannels == 16 && rows >= 76 && positions <= 448
        && brsgd_weight_gradient_out16(columns, Int32(rows), Int32(positions), outputGradient, transposed,
                                       accumulates ? 1 : 0) != 0 {
        return
    }
    gemm(.none, .transposed, m: rows, n: outputChannels, k: positions,
         columns, lda: positions, outputGradient, ldb: positions, beta: accumulates ? 1 : 0,
         transposed, ldc: outputChannels)
}
