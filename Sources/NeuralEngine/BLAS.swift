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
