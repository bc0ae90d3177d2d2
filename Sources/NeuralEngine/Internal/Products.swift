import CNeuralKernels
import KernelPaths

// The engine's matrix products, in two orders of operations that are ours: this file is their
// definition, in plain Swift (the reference path), and `CNeuralKernels`' AVX-512 and AVX2
// kernels (products.h) form every entry the same way, only faster. Fused multiply-add is part
// of both orders (`addingProduct`, one rounding), so no compiler choice changes a bit.

/// `C = [C +] op(A) · B` in the chain order: each entry one chain of fused multiply-adds in
/// order of the inner index, starting from the entry itself (`accumulates`) or from +0:
///
///     acc = accumulates ? C[i][j] : +0
///     for p in 0 ..< k:  acc = fma(op(A)[i][p], B[p][j], acc)
///
/// `op(A)[i][p]` is `a[i · lda + p]`, or `a[p · lda + i]` when `transposesA`; B and C are
/// row-major with row strides `ldb` and `ldc`. A chain continues where it stopped, so adding a
/// second product into C equals one product over both inner ranges. The engine takes this
/// order where the sum runs across rows of B: a convolution's forward pass (from the bias) and
/// its column gradient, a dense layer's weight and input gradients.
/// - Complexity: O(m · n · k) fused multiply-adds.
func chainProduct(
    _ path: KernelPath, transposesA: Bool, m: Int, n: Int, k: Int,
    _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
    _ c: UnsafeMutablePointer<Float>, ldc: Int, accumulates: Bool
) {
    if path != .reference
        && brsgd_chain_product(path.instructionSet, transposesA ? 1 : 0, Int32(m), Int32(n), Int32(k), a, lda, b, ldb,
                               c, ldc, accumulates ? 1 : 0) != 0 {
        return
    }
    referenceChainProduct(transposesA: transposesA, m: m, n: n, k: k, a, lda: lda, b, ldb: ldb, c, ldc: ldc,
                          accumulates: accumulates)
}

/// The lanes of the lane order: a sum along a row is kept in this many chains.
let productLaneCount = 16

/// `C = [C +] A · Bᵀ` in the lane order, for sums along rows (A is m × k, B is n × k, both
/// row-major): sixteen chains of fused multiply-adds, one per lane `p mod 16`, each from +0 in
/// order of p, reduced by halving, then added to the entry when `accumulates`:
///
///     s[l] = +0;  for p in 0 ..< k:  s[p mod 16] = fma(A[i][p], B[j][p], s[p mod 16])
///     s[l] += s[l + 8] (l < 8);  s[l] += s[l + 4] (l < 4);  s[l] += s[l + 2] (l < 2);  t = s[0] + s[1]
///     C[i][j] = accumulates ? C[i][j] + t : t
///
/// Sixteen chains are what a vector unit of 16 lanes (or two of 8) keeps busy when both
/// operands run along the sum. The engine takes this order for a convolution's weight gradient
/// (∂Y · columnsᵀ, the sum over positions) and a dense layer's forward pass (X · Wᵀ, added to
/// the bias).
/// - Complexity: O(m · n · k) fused multiply-adds.
func laneProduct(
    _ path: KernelPath, m: Int, n: Int, k: Int,
    _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
    _ c: UnsafeMutablePointer<Float>, ldc: Int, accumulates: Bool
) {
    if path != .reference
        && brsgd_lane_product(path.instructionSet, Int32(m), Int32(n), Int32(k), a, lda, b, ldb, c, ldc,
                              accumulates ? 1 : 0) != 0 {
        return
    }
    referenceLaneProduct(m: m, n: n, k: k, a, lda: lda, b, ldb: ldb, c, ldc: ldc, accumulates: accumulates)
}

/// ``chainProduct(_:transposesA:m:n:k:_:lda:_:ldb:_:ldc:accumulates:)`` as its definition
/// reads, on any CPU. Row by row, each row of C carried along p, so B is read in order.
/// - Complexity: O(m · n · k).
func referenceChainProduct(
    transposesA: Bool, m: Int, n: Int, k: Int,
    _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
    _ c: UnsafeMutablePointer<Float>, ldc: Int, accumulates: Bool
) {
    for i in 0..<m {
        let row = c + i * ldc
        if !accumulates { row.update(repeating: 0, count: n) }
        for p in 0..<k {
            let x = transposesA ? a[p * lda + i] : a[i * lda + p]
            let bRow = b + p * ldb
            for j in 0..<n { row[j] = row[j].addingProduct(x, bRow[j]) }
        }
    }
}

/// ``laneProduct(_:m:n:k:_:lda:_:ldb:_:ldc:accumulates:)`` as its definition reads, on any CPU.
/// - Complexity: O(m · n · k).
func referenceLaneProduct(
    m: Int, n: Int, k: Int,
    _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
    _ c: UnsafeMutablePointer<Float>, ldc: Int, accumulates: Bool
) {
    for i in 0..<m {
        for j in 0..<n {
            var lanes = SIMD16<Float>()
            for p in 0..<k {
                let l = p % productLaneCount
                lanes[l] = lanes[l].addingProduct(a[i * lda + p], b[j * ldb + p])
            }
            let total = halvingSum(lanes)
            c[i * ldc + j] = accumulates ? c[i * ldc + j] + total : total
        }
    }
}

/// The lane order's reduction: lane l += lane l + 8, then + 4, + 2, + 1; lane 0 is the sum.
@inline(__always)
func halvingSum(_ lanes: SIMD16<Float>) -> Float {
    let eight = lanes.lowHalf + lanes.highHalf
    let four = eight.lowHalf + eight.highHalf
    let two = four.lowHalf + four.highHalf
    return two[0] + two[1]
}
