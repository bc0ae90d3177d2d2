// Small memory-bound kernels: contiguous inner loops that the compiler vectorises.
// Each has a naive reference in the tests.

/// `dst[j][i][r] = src[i][j][r]` for `i < a`, `j < b`, `r < inner`: swaps the two leading
/// axes of an `a × b × inner` array (batch-major ↔ channel-major).
/// - Complexity: O(a · b · inner).
func swapLeadingAxes(
    _ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>,
    a: Int, b: Int, inner: Int
) {
    for i in 0..<a {
        for j in 0..<b {
            let s = src + (i * b + j) * inner
            let d = dst + (j * a + i) * inner
            d.update(from: s, count: inner)
        }
    }
}

/// `dst[i] += src[i]` for `i < count`.
/// - Complexity: O(count).
@inline(__always)
func addInPlace(_ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, count: Int) {
    for i in 0..<count { dst[i] += src[i] }
}

/// The sum of `count` contiguous values, accumulated in Float with eight partial sums
/// (a fixed order, so the same bytes every run).
/// - Complexity: O(count).
@inline(__always)
func sum(_ x: UnsafePointer<Float>, count: Int) -> Float {
    var acc = SIMD8<Float>()
    var i = 0
    while i + 8 <= count {
        acc += UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
        i += 8
    }
    var total = acc.sum()
    while i < count {
        total += x[i]
        i += 1
    }
    return total
}
