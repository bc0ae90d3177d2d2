import CAggregationKernels

/// Median selection networks written out as straight-line code, one function per row count
/// m ≤ ``largestRowCount`` (in MedianNetworks.generated.swift, made by
/// Scripts/generate-median-networks.py), each taking 4 columns at once.
///
/// They are the comparators ``SelectionNetwork`` builds for the median ranks (pruned
/// Batcher merge-exchange), so they return the same values; written out, the m values stay
/// in registers, where the run-time comparator loop must load and store both values of
/// every comparator. For m = 20 that is 81 comparators, about 3 vector instructions each.
enum MedianNetworks {
    /// (rows, column) → the median of columns column ..< column + 4 over the m rows.
    typealias Function = @Sendable (UnsafePointer<UnsafePointer<Float>>, Int) -> SIMD4<Float>

    /// The instruction set of the same networks in C (`CAggregationKernels`, 16 columns at
    /// once: AVX-512 or AVX2) the kernels take: the widest this CPU runs, or the path
    /// `BRSGD_KERNELS` forces (`KernelPath`); `BRSGD_ISA_NONE` on the reference path and off
    /// x86-64.
    /// Swift has no per-function CPU target, and a package-wide one would make the package
    /// impossible to depend on by URL; C's `__attribute__((target))` gives both.
    static let vectorInstructionSet: Int32 = brsgd_selected_isa()

    @inline(__always)
    static func load(_ row: UnsafePointer<Float>, _ column: Int) -> SIMD4<Float> {
        UnsafeRawPointer(row + column).loadUnaligned(as: SIMD4<Float>.self)
    }

    /// A comparator: a ← min, b ← max, lane by lane, as ``SelectionNetwork/apply(to:)`` does.
    @inline(__always)
    static func exchange(_ a: inout SIMD4<Float>, _ b: inout SIMD4<Float>) {
        let x = a, y = b
        let swap = y .< x
        a = x.replacing(with: y, where: swap)
        b = y.replacing(with: x, where: swap)
    }

    /// The min output of a comparator whose max output is never read.
    @inline(__always)
    static func minimum(_ x: SIMD4<Float>, _ y: SIMD4<Float>) -> SIMD4<Float> {
        x.replacing(with: y, where: y .< x)
    }

    /// The max output of a comparator whose min output is never read.
    @inline(__always)
    static func maximum(_ x: SIMD4<Float>, _ y: SIMD4<Float>) -> SIMD4<Float> {
        y.replacing(with: x, where: y .< x)
    }
}
