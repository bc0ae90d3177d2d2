// Small memory-bound kernels: contiguous inner loops that the compiler vectorises.
// Each has a naive reference in the tests.

/// `dst[j][i][r] = src[i][j][r]` for `i < a`, `j < b`, `r < inner`: swaps the two leading
/// axes of an `a × b × inner` array (batch-major ↔ channel-major).
/// - Complexity: O(a · b · inner).
func swapLeadingAxes(
    _ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>,
    a: Int, b: Int, inner: Int
) {
    if inner == 1 {
        for i in 0..<a {
            for j in 0..<b { dst[j &* a &+ i] = src[i &* b &+ j] }
        }
        return
    }
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

/// `dst[i] = src[i]` for `i < count`, eight lanes at a time: short rows (10–28 floats in
/// im2col) are too short for `memcpy`'s call to pay off and the scalar loop does not
/// vectorise. The last vector overlaps the previous one instead of a scalar tail.
/// - Precondition: the ranges do not overlap.
/// - Complexity: O(count).
@inline(__always)
func copyRow(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, count: Int) {
    if count >= 8 {
        var i = 0
        while i &+ 8 < count {
            let v = UnsafeRawPointer(src + i).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(dst + i).storeBytes(of: v, as: SIMD8<Float>.self)
            i &+= 8
        }
        let last = count &- 8
        let v = UnsafeRawPointer(src + last).loadUnaligned(as: SIMD8<Float>.self)
        UnsafeMutableRawPointer(dst + last).storeBytes(of: v, as: SIMD8<Float>.self)
    } else if count >= 4 {
        let first = UnsafeRawPointer(src).loadUnaligned(as: SIMD4<Float>.self)
        let last = UnsafeRawPointer(src + (count &- 4)).loadUnaligned(as: SIMD4<Float>.self)
        UnsafeMutableRawPointer(dst).storeBytes(of: first, as: SIMD4<Float>.self)
        UnsafeMutableRawPointer(dst + (count &- 4)).storeBytes(of: last, as: SIMD4<Float>.self)
    } else {
        for i in 0..<count { dst[i] = src[i] }
    }
}

/// `dst[i] += src[i]` for `i < count`, in vectors of eight, four and two lanes.
/// - Complexity: O(count).
@inline(__always)
func addRow(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, count: Int) {
    var i = 0
    while i &+ 8 <= count {
        let v = UnsafeRawPointer(src + i).loadUnaligned(as: SIMD8<Float>.self)
            + UnsafeRawPointer(dst + i).loadUnaligned(as: SIMD8<Float>.self)
        UnsafeMutableRawPointer(dst + i).storeBytes(of: v, as: SIMD8<Float>.self)
        i &+= 8
    }
    if i &+ 4 <= count {
        let v = UnsafeRawPointer(src + i).loadUnaligned(as: SIMD4<Float>.self)
            + UnsafeRawPointer(dst + i).loadUnaligned(as: SIMD4<Float>.self)
        UnsafeMutableRawPointer(dst + i).storeBytes(of: v, as: SIMD4<Float>.self)
        i &+= 4
    }
    if i &+ 2 <= count {
        let v = UnsafeRawPointer(src + i).loadUnaligned(as: SIMD2<Float>.self)
            + UnsafeRawPointer(dst + i).loadUnaligned(as: SIMD2<Float>.self)
        UnsafeMutableRawPointer(dst + i).storeBytes(of: v, as: SIMD2<Float>.self)
        i &+= 2
    }
    if i < count { dst[i] += src[i] }
}

/// `dst[i] = 0` for `i < count`.
/// - Complexity: O(count).
@inline(__always)
func zeroRow(_ dst: UnsafeMutablePointer<Float>, count: Int) {
    var i = 0
    while i &+ 8 <= count {
        UnsafeMutableRawPointer(dst + i).storeBytes(of: SIMD8<Float>(), as: SIMD8<Float>.self)
        i &+= 8
    }
    while i < count {
        dst[i] = 0
        i &+= 1
    }
}
