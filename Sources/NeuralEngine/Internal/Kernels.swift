// Small memory-bound kernels: contiguous inner loops that the compiler vectorises.
// Each has a naive reference in the tests.

/// `dst[j][i][r] = src[i][j][r]` for `i < a`, `j < b`, `r < inner`: swaps the two leading
/// axes of an `a × b × inner` array (batch-major ↔ channel-major).
///
/// With `inner == 1` (a plain transpose, such as a micro-batch of 4 images into
/// `[784][4]`) it moves 4 × 4 blocks through vector registers, the ragged edges one value
/// at a time.
/// - Complexity: O(a · b · inner).
func swapLeadingAxes(
    _ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>,
    a: Int, b: Int, inner: Int
) {
    if inner == 1 {
        transposeInBlocks(src, dst, a: a, b: b)
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

/// `dst[j][i] = src[i][j]` for `i < a`, `j < b`, in 4 × 4 blocks.
/// - Complexity: O(a · b).
private func transposeInBlocks(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, a: Int, b: Int) {
    @inline(__always) func load(_ p: UnsafePointer<Float>) -> SIMD4<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD4<Float>.self)
    }
    @inline(__always) func store(_ v: SIMD4<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD4<Float>.self)
    }
    let blockedRows = a & ~3, blockedColumns = b & ~3
    var i = 0
    while i < blockedRows {
        var j = 0
        while j < blockedColumns {
            let r0 = load(src + (i &* b &+ j)), r1 = load(src + ((i &+ 1) &* b &+ j))
            let r2 = load(src + ((i &+ 2) &* b &+ j)), r3 = load(src + ((i &+ 3) &* b &+ j))
            store(SIMD4(r0[0], r1[0], r2[0], r3[0]), dst + (j &* a &+ i))
            store(SIMD4(r0[1], r1[1], r2[1], r3[1]), dst + ((j &+ 1) &* a &+ i))
            store(SIMD4(r0[2], r1[2], r2[2], r3[2]), dst + ((j &+ 2) &* a &+ i))
            store(SIMD4(r0[3], r1[3], r2[3], r3[3]), dst + ((j &+ 3) &* a &+ i))
            j &+= 4
        }
        while j < b {
            for r in i..<(i &+ 4) { dst[j &* a &+ r] = src[r &* b &+ j] }
            j &+= 1
        }
        i &+= 4
    }
    while i < a {
        for j in 0..<b { dst[j &* a &+ i] = src[i &* b &+ j] }
        i &+= 1
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
    return sumEnd(acc, x, from: i, count: count)
}

/// The end of ``sum(_:count:)``: the eight partial sums' total, then `x[from ..< count]`
/// added one by one (shared with ``storeRowSums(_:rows:stride:count:into:accumulates:)``,
/// whose rows must keep these bits).
@inline(__always)
func sumEnd(_ acc: SIMD8<Float>, _ x: UnsafePointer<Float>, from start: Int, count: Int) -> Float {
    var total = acc.sum()
    var i = start
    while i < count {
        total += x[i]
        i &+= 1
    }
    return total
}

/// For each of `rows` rows `x + r · stride`, its ``sum(_:count:)`` written to `out[r]` — or
/// added to it (`out[r] + sum`) when `accumulates`: the same sums to the bit (each row's eight
/// partial sums, their total and its tail in the same order), four rows at a time, so that
/// their additions overlap instead of each waiting on the one before (a convolution's bias
/// gradient: a row per output channel).
/// - Complexity: O(rows · count).
func storeRowSums(
    _ x: UnsafePointer<Float>, rows: Int, stride: Int, count: Int,
    into out: UnsafeMutablePointer<Float>, accumulates: Bool
) {
    @inline(__always) func store(_ total: Float, _ r: Int) {
        out[r] = accumulates ? out[r] + total : total
    }
    @inline(__always) func load(_ r: Int, _ i: Int) -> SIMD8<Float> {
        UnsafeRawPointer(x + (r &* stride &+ i)).loadUnaligned(as: SIMD8<Float>.self)
    }
    @inline(__always) func finish(_ acc: SIMD8<Float>, _ r: Int, from i: Int) {
        store(sumEnd(acc, x + r &* stride, from: i, count: count), r)
    }
    var r = 0
    while r &+ 4 <= rows {
        var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
        var i = 0
        while i &+ 8 <= count {
            a0 += load(r, i)
            a1 += load(r &+ 1, i)
            a2 += load(r &+ 2, i)
            a3 += load(r &+ 3, i)
            i &+= 8
        }
        finish(a0, r, from: i)
        finish(a1, r &+ 1, from: i)
        finish(a2, r &+ 2, from: i)
        finish(a3, r &+ 3, from: i)
        r &+= 4
    }
    while r < rows {
        store(sum(x + r &* stride, count: count), r)
        r &+= 1
    }
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
