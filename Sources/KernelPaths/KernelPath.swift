import CKernelSelection

/// The instruction-set path the engine's and the aggregation rules' kernels take.
///
/// Every path gives the same bits. The reference path is plain Swift and defines the order of
/// every floating-point operation (fused multiply-adds included, where the order uses them);
/// each vector path reproduces it lane by lane, only faster. Unset, the widest path this CPU
/// runs is taken; the environment variable `BRSGD_KERNELS` forces one for the whole process:
///
/// ```
/// BRSGD_KERNELS=reference brsgd train …   # the plain Swift order, on any CPU
/// BRSGD_KERNELS=avx2 brsgd train …        # AVX2 with FMA, on a CPU with AVX-512 too
/// ```
///
/// A worker of a networked run may take another path than the master or the other workers: the
/// model bytes are the same.
public enum KernelPath: String, CaseIterable, Comparable, Sendable, CustomStringConvertible {
    /// Plain Swift, on any CPU: the definition of the order.
    case reference
    /// AVX2 with fused multiply-add (x86-64).
    case avx2
    /// AVX-512 F (x86-64).
    case avx512

    /// The paths this CPU runs, narrowest first (always starting with ``reference``).
    public static var available: [KernelPath] {
        allCases.filter { $0.instructionSet <= brsgd_cpu_isa() }
    }

    /// The path the kernels take: `BRSGD_KERNELS`'s, or the widest this CPU runs.
    /// - Precondition: `BRSGD_KERNELS` is unset or names an available path; check
    ///   ``selectionError`` first where a user set it (the command line refuses it with that
    ///   message).
    public static let selected: KernelPath = {
        if let error = selectionError { preconditionFailure(error) }
        return KernelPath(instructionSet: brsgd_selected_isa())
    }()

    /// Why `BRSGD_KERNELS` cannot be honoured, in one line naming the paths this CPU runs, or
    /// `nil` when it is unset or valid.
    public static var selectionError: String? {
        brsgd_kernel_selection_error().map { String(cString: $0) }
    }

    /// Whether this CPU runs the path.
    public var isAvailable: Bool { instructionSet <= brsgd_cpu_isa() }

    /// The `BRSGD_ISA_…` value the C kernels take.
    public var instructionSet: Int32 {
        switch self {
        case .reference: Int32(BRSGD_ISA_NONE)
        case .avx2: Int32(BRSGD_ISA_AVX2)
        case .avx512: Int32(BRSGD_ISA_AVX512)
        }
    }

    init(instructionSet: Int32) {
        switch instructionSet {
        case Int32(BRSGD_ISA_AVX512): self = .avx512
        case Int32(BRSGD_ISA_AVX2): self = .avx2
        default: self = .reference
        }
    }

    public static func < (lhs: KernelPath, rhs: KernelPath) -> Bool { lhs.instructionSet < rhs.instructionSet }

    public var description: String { rawValue }
}
