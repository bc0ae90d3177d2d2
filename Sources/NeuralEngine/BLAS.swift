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
    /// Which SGEMM kernels OpenBLAS runs on this CPU, as far as the product kernels of
    /// `CNeuralKernels` are concerned: each of those forms its entries in the order of one
    /// OpenBLAS 0.3.21 kernel, and runs only where OpenBLAS runs that kernel, so that the bytes
    /// stay OpenBLAS's.
    enum KernelFamily: Sendable {
        /// The SkylakeX kernels (the SkylakeX, Cooperlake and SapphireRapids cores of
        /// `openblas_get_corename`), with their small-matrix kernels.
        case skylakeX
        /// The Haswell kernel (`sgemm_kernel_8x4_haswell_2.c`), which Debian's OpenBLAS 0.3.21
        /// also runs on an AMD EPYC of CPU family 26 (Zen 5, newer than it), naming it Haswell.
        case haswell
        /// Anything else (Zen's kernels, other CPUs, Accelerate): the products stay with it.
        case other
    }

    static let kernelFamily: KernelFamily = {
        #if canImport(Accelerate)
        return .other
        #else
        guard let name = openblas_get_corename() else { return .other }
        switch String(cString: name).lowercased() {
        case "skylakex", "cooperlake", "sapphirerapids": return .skylakeX
        case "haswell": return .haswell
        default: return .other
        }
        #endif
    }()

    /// Whether OpenBLAS runs its SkylakeX kernels (``kernelFamily`` is `.skylakeX`).
    static var runsSkylakeXKernels: Bool { kernelFamily == .skylakeX }

    /// Whether OpenBLAS runs its Haswell kernel (``kernelFamily`` is `.haswell`). The kernels of
    /// that order form what OpenBLAS forms on one thread, as the engine trains: on more,
    /// OpenBLAS cuts a product's rows among its threads, which moves the entries its tiles sum
    /// in two chains (its bytes change with its thread count anyway: ``setThreadCount(_:)``).
    /// Fixed for the process, so that a layer's forward and backward agree on their path.
    static var runsHaswellKernels: Bool { kernelFamily == .haswell }
}
