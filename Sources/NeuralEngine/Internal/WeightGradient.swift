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
/// packing OpenBLAS does on every call: LeNet's second convolution (150 rows, 400 positions
/// for a micro-batch of 4) 1.5–1.9× as fast (measured at 256 positions), with OpenBLAS's bits (every entry equal, both
/// ways, for 50 random trials with zeros of both signs; a whole training run's model too).
///
/// For 6 output channels and at most 64 rows, OpenBLAS takes its small-matrix kernel while
/// M · N · K ≤ 10⁶ and the positions number at least 32 (its `TN` permit, which
/// `brsgd_small_tn_permits` states once for both kernels of that order): each entry then
/// is sixteen lane sums (positions k ≡ l mod 16, in order) reduced by a fixed tree. There
/// `brsgd_weight_gradient_out6` forms the same lane sums and the same trees, with ∂Y and the
/// columns read 256 positions at a time from L1 where OpenBLAS streams them from L2: LeNet's
/// first convolution (25 rows, 3136 positions for a micro-batch of 4) 1.4× as fast, with
/// every entry equal. Outside those bounds OpenBLAS takes other kernels, whose entries differ.
/// Both only where OpenBLAS runs those kernels (``BLAS/runsSkylakeXKernels``).
///
/// Where OpenBLAS runs its Haswell kernel instead (``BLAS/runsHaswellKernels``: an AMD Zen 5),
/// 16 channels at up to 512 positions go to `brsgd_weight_gradient_out16_haswell`, which forms
/// that kernel's order: a chain as above per block of its k loop (320 positions; 400 are two
/// of 200), each block added in turn, except for the rows its 8 × 6 and 8 × 4 tiles sum in two
/// chains (even and odd positions), added: every entry equal. Elsewhere, and
/// with `kernels: .swift` (for the tests), `cblas_sgemm`.
/// - Complexity: O(rows · out · positions).
func formTransposedWeightGradient(
    columns: UnsafePointer<Float>, rows: Int, positions: Int, outputGradient: UnsafePointer<Float>,
    outputChannels: Int, accumulates: Bool, into transposed: UnsafeMutablePointer<Float>,
    kernels: EngineKernels = .fastest
) {
    if kernels == .fastest && BLAS.runsSkylakeXKernels && outputChannels == 16 && rows >= 76 && positions <= 448
        && brsgd_weight_gradient_out16(columns, Int32(rows), Int32(positions), outputGradient, transposed,
                                       accumulates ? 1 : 0) != 0 {
        return
    }
    if kernels == .fastest && BLAS.runsHaswellKernels && outputChannels == 16 && positions <= 512
        && brsgd_weight_gradient_out16_haswell(columns, Int32(rows), Int32(positions), outputGradient, transposed,
                                               accumulates ? 1 : 0) != 0 {
        return
    }
    if kernels == .fastest && BLAS.runsSkylakeXKernels && outputChannels == 6 && rows <= 64
        && brsgd_small_tn_permits(6, rows, positions) != 0
        && brsgd_weight_gradient_out6(columns, Int32(rows), Int32(positions), outputGradient, transposed,
                                      accumulates ? 1 : 0) != 0 {
        return
    }
    gemm(.none, .transposed, m: rows, n: outputChannels, k: positions,
         columns, lda: positions, outputGradient, ldb: positions, beta: accumulates ? 1 : 0,
         transposed, ldc: outputChannels)
}
