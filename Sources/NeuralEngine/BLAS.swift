#if canImport(Accelerate)
import Accelerate
#else
import CBLAS
#endif

/// Control of the BLAS library behind the engine's matrix products: OpenBLAS on Linux,
/// Accelerate on macOS.
///
/// When several workers already run one per core, give BLAS one thread each, or the
/// threads fight over the cores:
///
/// ```swift
/// BLAS.setThreadCount(1)   // m simulated workers, one per core
/// ```
public enum BLAS {
    /// Sets the number of threads OpenBLAS uses inside one matrix product.
    ///
    /// The setting is process-wide, and it changes the bytes: OpenBLAS splits a large enough
    /// product over its threads and then adds in another order than one thread does (with
    /// OpenBLAS 0.3.21 on x86-64, a logistic regression's weight gradient over a shard of
    /// 1,000 examples differs in most of its entries). Its default is the number of
    /// cores. Results meant to be reproduced bit for bit need one thread; the cluster's
    /// `GradientComputer` and `Evaluator` set it before they compute.
    ///
    /// Has no effect with Accelerate, which manages its own threads.
    /// - Precondition: `count >= 1`.
    public static func setThreadCount(_ count: Int) {
        precondition(count >= 1, "BLAS needs at least one thread")
        #if !canImport(Accelerate)
        openblas_set_num_threads(Int32(count))
        #endif
    }

    /// The number of threads OpenBLAS uses inside one matrix product (1 with Accelerate).
    public static var threadCount: Int {
        #if canImport(Accelerate)
        return 1
        #else
        return Int(openblas_get_num_threads())
        #endif
    }
}

extension BLAS {
    /// Whether OpenBLAS runs its SkylakeX kernels (the SkylakeX, Cooperlake and SapphireRapids
    /// cores of `openblas_get_corename`), whose orders of multiply-adds the product kernels of
    /// `CNeuralKernels` keep: elsewhere (Haswell or Zen kernels, Accelerate) those products
    /// stay with the BLAS, and so do their bytes.
    static let runsSkylakeXKernels: Bool = {
        #if canImport(Accelerate)
        return false
        #else
        guard let name = openblas_get_corename() else { return false }
        return ["skylakex", "cooperlake", "sapphirerapids"].contains(String(cString: name).lowercased())
        #endif
    }()
}
