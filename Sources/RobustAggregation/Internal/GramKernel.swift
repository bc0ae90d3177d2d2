import CAggregationKernels

/// The Gram matrix of the rows over one column block (the dot products ``PairwiseDistances``
/// needs), register-blocked, read once from memory.
///
/// Each dot product x·y over the block is summed in Float in 32 lanes (lane l of a 32-column
/// chunk gathers the products of columns l, l + 32, l + 64, … in order, `acc += x * y`: a
/// product, then a sum, never fused), the two 16-lane halves are added lane by lane, the 16
/// lanes summed in Double in order, and the columns past the last full chunk added one by one
/// in Double: the sums of the earlier pair-by-pair dot product (kept in the tests, which
/// compare the bits). Pair by pair, it read the block's rows from the L2 cache once per pair
/// (for m = 20, 210 pairs of 32 KB rows): bound by L2 bandwidth, and slower again when d is a
/// power of two, since the rows' lines then fall into the same cache sets and evict each other.
///
/// With AVX-512 and m ≤ 64, ``block(_:columns:into:)`` runs `brsgd_gram_block`
/// (CAggregationKernels): each block is copied sub-tile by sub-tile (24 KB of all rows, in the
/// L1 cache) into a contiguous scratch, and 4 × 4 pairs are updated at once over one 16-lane
/// half of the chunks, their 16 zmm accumulators in registers (8 loads per 16 products), the
/// other half in a second pass. The lanes are the 32 lanes above, each gathering its columns
/// in the same order with a separate multiply and add (`#pragma clang fp contract(off)`), and
/// the halves, lanes and tail are summed as above, so the bits are the same.
///
/// Elsewhere (other CPUs, m > 64), ``swiftBlock(_:columns:into:)``: each block is cut into
/// sub-tiles of a few thousand columns, copied once into a contiguous scratch laid out by lane
/// group (the 8 groups of 4 lanes of a chunk: for group g, every row's floats 4g ..< 4g + 4 of
/// each chunk, chunk after chunk), so that one group of all rows (≤ 16 KB) stays in the L1
/// cache. A micro-kernel then updates 2 × 4 pairs at once, their 8 accumulators in registers:
/// 6 loads per 8 multiply-adds instead of 2 per 1. Each lane still gathers its columns in the
/// same order, so the sums are the same to the bit. Both copies go through contiguous memory
/// whatever the row stride, so a power-of-two d costs no more than any other.
///
/// - Complexity: O(m² · width) multiply-adds, one read of the block from memory;
///   O(m · width) scratch for the copy (24 KB in C) and O(m²) accumulators.
enum GramKernel {
    /// Lane groups of 4 in a 32-column chunk.
    static let groups = 8
    /// Columns of one chunk.
    static let chunkWidth = 32

    /// Rows the C kernel takes (its accumulators, 2 KB per 4 × 4 pairs, grow with m²).
    static let maximumRowsInC = 64

    /// gram[i · m + j] = rows[i] · rows[j] over `columns`, summed as described above, for every
    /// j ≥ i; the entries below the diagonal are not written. In C when the CPU has AVX-512 and
    /// m ≤ ``maximumRowsInC``, else ``swiftBlock(_:columns:into:)``; the same bits either way.
    static func block(_ rows: UnsafeBufferPointer<UnsafePointer<Float>>, columns: Range<Int>,
                      into gram: UnsafeMutablePointer<Double>) {
        let m = rows.count
        guard m > 0 else { return }
        if m <= maximumRowsInC {
            let cRows = UnsafeRawPointer(rows.baseAddress.unsafelyUnwrapped)
                .assumingMemoryBound(to: UnsafePointer<Float>?.self)
            if brsgd_gram_block(Int32(m), cRows, columns.lowerBound, columns.count, gram) == 1 { return }
        }
        swiftBlock(rows, columns: columns, into: gram)
    }

    /// ``block(_:columns:into:)`` in Swift, register-blocked 2 × 4 over a lane-group copy (see
    /// above): the kernel on CPUs without AVX-512 and for m > ``maximumRowsInC``, and what the
    /// tests compare the C kernel with.
    static func swiftBlock(_ rows: UnsafeBufferPointer<UnsafePointer<Float>>, columns: Range<Int>,
                      into gram: UnsafeMutablePointer<Double>) {
        let m = rows.count
        guard m > 0 else { return }
        let padded = (m + 3) / 4 * 4          // the micro-kernel takes rows 4 at a time; the rest are zero
        let chunks = columns.count / chunkWidth
        // Chunks per sub-tile: one lane group of all (padded) rows in 16 KB.
        let span = max(1, min(256, 1024 / padded))
        let tiles = microTiles(padded: padded)
        let sliceCount = padded * span        // SIMD4s in one lane group's slice
        withUnsafeTemporaryAllocation(of: SIMD4<Float>.self, capacity: groups * sliceCount) { scratchBuffer in
            withUnsafeTemporaryAllocation(of: SIMD4<Float>.self, capacity: tiles.count * groups * 8) { accBuffer in
                let scratch = scratchBuffer.baseAddress.unsafelyUnwrapped   // capacity ≥ 8 · 4
                let acc = accBuffer.baseAddress.unsafelyUnwrapped           // ≥ 1 tile
                scratch.initialize(repeating: SIMD4(), count: groups * sliceCount)  // padding rows stay 0
                acc.initialize(repeating: SIMD4(), count: tiles.count * groups * 8)
                var first = 0
                while first < chunks {
                    let n = min(span, chunks - first)
                    copy(rows, from: columns.lowerBound + first * chunkWidth, chunks: n, span: span,
                         padded: padded, into: scratch)
                    for g in 0 ..< groups {
                        let slice = UnsafePointer(scratch + g * sliceCount)
                        for (t, tile) in tiles.enumerated() {
                            microKernel(slice, span: span, rows: tile.i, tile.j, chunks: n,
                                        accumulators: acc + (t * groups + g) * 8)
                        }
                    }
                    first += n
                }
                let tail = columns.lowerBound + chunks * chunkWidth ..< columns.upperBound
                for (t, tile) in tiles.enumerated() {
                    for p in 0 ..< 8 {
                        let i = tile.i + p / 4, j = tile.j + p % 4
                        guard j >= i && j < m else { continue }
                        // The two 16-lane halves added lane by lane, the lanes
                        // summed in Double in order, then the tail in Double.
                        var low = SIMD16<Float>(), high = SIMD16<Float>()
                        for g in 0 ..< 4 {
                            let a = acc[(t * groups + g) * 8 + p], b = acc[(t * groups + g + 4) * 8 + p]
                            for l in 0 ..< 4 { low[4 * g + l] = a[l]; high[4 * g + l] = b[l] }
                        }
                        low += high
                        var total = 0.0
                        for l in 0 ..< 16 { total += Double(low[l]) }
                        let x = rows[i], y = rows[j]
                        for c in tail { total += Double(x[c] * y[c]) }
                        gram[i * m + j] = total
                    }
                }
            }
        }
    }

    /// The micro-tiles, each rows i, i + 1 against rows j ..< j + 4, that cover every pair
    /// j ≥ i of `padded` rows (a few pairs below the diagonal come along and are not used).
    static func microTiles(padded: Int) -> [(i: Int, j: Int)] {
        var tiles: [(i: Int, j: Int)] = []
        for i in stride(from: 0, to: padded, by: 2) {
            for j in stride(from: i / 4 * 4, to: padded, by: 4) { tiles.append((i, j)) }
        }
        return tiles
    }

    /// Copies `chunks` chunks of every row, from column `start`, into the scratch: lane group g
    /// of chunk k of row r at g · padded · span + r · span + k.
    @inline(__always)
    static func copy(_ rows: UnsafeBufferPointer<UnsafePointer<Float>>, from start: Int, chunks: Int, span: Int,
                     padded: Int, into scratch: UnsafeMutablePointer<SIMD4<Float>>) {
        let slice = padded * span
        for r in 0 ..< rows.count {
            var source = UnsafeRawPointer(rows[r] + start)
            // The row's place in each of the 8 slices, advanced chunk by chunk.
            let t0 = scratch + r * span, t1 = t0 + slice, t2 = t1 + slice, t3 = t2 + slice
            let t4 = t3 + slice, t5 = t4 + slice, t6 = t5 + slice, t7 = t6 + slice
            for k in 0 ..< chunks {
                t0[k] = source.loadUnaligned(as: SIMD4<Float>.self)
                t1[k] = source.loadUnaligned(fromByteOffset: 16, as: SIMD4<Float>.self)
                t2[k] = source.loadUnaligned(fromByteOffset: 32, as: SIMD4<Float>.self)
                t3[k] = source.loadUnaligned(fromByteOffset: 48, as: SIMD4<Float>.self)
                t4[k] = source.loadUnaligned(fromByteOffset: 64, as: SIMD4<Float>.self)
                t5[k] = source.loadUnaligned(fromByteOffset: 80, as: SIMD4<Float>.self)
                t6[k] = source.loadUnaligned(fromByteOffset: 96, as: SIMD4<Float>.self)
                t7[k] = source.loadUnaligned(fromByteOffset: 112, as: SIMD4<Float>.self)
                source += chunkWidth * 4
            }
        }
    }

    /// Adds x_a[k] · y_b[k] over `chunks` chunks of one lane group to the accumulators of the
    /// 8 pairs (i + a, j + b), a < 2, b < 4 (accumulator 4a + b), rows read from `slice`.
    @inline(__always)
    static func microKernel(_ slice: UnsafePointer<SIMD4<Float>>, span: Int, rows i: Int, _ j: Int, chunks: Int,
                            accumulators acc: UnsafeMutablePointer<SIMD4<Float>>) {
        let x0 = slice + i * span, x1 = x0 + span
        let y0 = slice + j * span, y1 = y0 + span, y2 = y1 + span, y3 = y2 + span
        var a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3]
        var b0 = acc[4], b1 = acc[5], b2 = acc[6], b3 = acc[7]
        for k in 0 ..< chunks {
            let u = x0[k], v = x1[k]
            let p = y0[k], q = y1[k], r = y2[k], s = y3[k]
            a0 += u * p; a1 += u * q; a2 += u * r; a3 += u * s
            b0 += v * p; b1 += v * q; b2 += v * r; b3 += v * s
        }
        acc[0] = a0; acc[1] = a1; acc[2] = a2; acc[3] = a3
        acc[4] = b0; acc[5] = b1; acc[6] = b2; acc[7] = b3
    }
}
