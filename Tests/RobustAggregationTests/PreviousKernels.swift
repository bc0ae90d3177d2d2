@testable import RobustAggregation

// The kernels as they were before they were fused and tiled, kept verbatim as references:
// the fast kernels must give the same bits (see KernelEqualityTests). They are slower, not
// naive; the naive references are in ReferenceRules.swift.

/// Steps 1–3 of BrSGD for one block, the earlier way: a first pass sums the whole block's
/// rows, then the tiles read the rows in place.
///
/// A first pass sums the rows (the column means); everything else happens 16 columns at a
/// time while those 64-byte lines of the m rows sit in the L1 cache: count the entries ≥ the
/// mean (count_c depends on column c alone, so it is complete at once), add each row's
/// signed marks to its score, select the median (``MedianNetworks`` for m ≤ 32), and add
/// each row's |G[i,c] − med_c| to its L1 distance. Scores and distances accumulate per row
/// in 16 lanes and are reduced once per block.
enum PreviousBrSGDBlockKernel {
    /// Writes the block's median to `median + columns.lowerBound` and the block's part of each
    /// row's score and L1 distance to `scores[r]`, `distances[r]`.
    /// - Returns: false (having done nothing else) when `requiringFiniteMeans` and some column
    ///   mean of the block is not finite; true otherwise.
    static func run(_ rows: UnsafeBufferPointer<UnsafePointer<Float>>, columns: Range<Int>,
                    median: UnsafeMutablePointer<Float>, statistics: ColumnOrderStatistics,
                    scores: UnsafeMutablePointer<Int>, distances: UnsafeMutablePointer<Double>,
                    requiringFiniteMeans: Bool) -> Bool {
        let m = rows.count, width = columns.count
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: width) { meanBuffer in
            let mean = meanBuffer.baseAddress.unsafelyUnwrapped   // width ≥ 1
            // 1. Column means, summing rows in order (as Mean does).
            PreviousKernels.sumRows(rows, start: columns.lowerBound, count: width, into: mean)
            let divisor = Float(m)
            for c in 0 ..< width { mean[c] /= divisor }
            if requiringFiniteMeans && !Kernels.isFinite(mean, count: width) { return false }
            withUnsafeTemporaryAllocation(of: SIMD16<Int32>.self, capacity: m) { scoreLanes in
                withUnsafeTemporaryAllocation(of: SIMD16<Float>.self, capacity: m) { distanceLanes in
                    statistics.withScratch { scratch in
                        let tiles = Accumulators(
                            scores: scoreLanes.baseAddress.unsafelyUnwrapped,       // m ≥ 1
                            distances: distanceLanes.baseAddress.unsafelyUnwrapped)
                        tiles.scores.initialize(repeating: SIMD16(), count: m)
                        tiles.distances.initialize(repeating: SIMD16(), count: m)
                        let w = SelectionNetwork.lanes
                        let full = width / w * w
                        var c = 0
                        while c < full {
                            fullTile(rows, column: columns.lowerBound + c, mean: mean + c, median: median,
                                     statistics: statistics, tile: scratch, accumulators: tiles)
                            c += w
                        }
                        for r in 0 ..< m {
                            scores[r] = Int(tiles.scores[r].wrappedSum())
                            var total = 0.0
                            for l in 0 ..< w { total += Double(tiles.distances[r][l]) }
                            distances[r] = total
                        }
                        if full < width {
                            partialTile(rows, columns: columns.lowerBound + full ..< columns.upperBound,
                                        mean: mean + full, median: median, statistics: statistics,
                                        tile: scratch, scores: scores, distances: distances)
                        }
                    }
                }
            }
            return true
        }
    }

    /// Per-row running sums over a block, 16 lanes each.
    struct Accumulators {
        let scores: UnsafeMutablePointer<SIMD16<Int32>>
        let distances: UnsafeMutablePointer<SIMD16<Float>>
    }

    /// Steps 2–3 for the 16 columns column ..< column + 16.
    @inline(__always)
    static func fullTile(_ rows: UnsafeBufferPointer<UnsafePointer<Float>>, column: Int,
                         mean: UnsafePointer<Float>, median: UnsafeMutablePointer<Float>,
                         statistics: ColumnOrderStatistics, tile: UnsafeMutablePointer<Float>,
                         accumulators: Accumulators) {
        let m = rows.count
        let a = UnsafeRawPointer(mean).loadUnaligned(as: SIMD16<Float>.self)
        // count_c = #{i : G[i,c] ≥ a_c}.
        var count = SIMD16<Int32>()
        for r in 0 ..< m {
            let x = UnsafeRawPointer(rows[r] + column).loadUnaligned(as: SIMD16<Float>.self)
            count &+= SIMD16<Int32>().replacing(with: 1, where: x .>= a)
        }
        // The column's sign: −1 where the ≥-mean side is the minority (2·count < m), else +1,
        // as (2·count − m) >> 31 | 1 (an integer vector compare would be scalarised).
        let sign = ((count &* 2 &- SIMD16(repeating: Int32(m))) &>> 31) | SIMD16(repeating: 1)
        for r in 0 ..< m {
            let x = UnsafeRawPointer(rows[r] + column).loadUnaligned(as: SIMD16<Float>.self)
            accumulators.scores[r] &+= SIMD16<Int32>().replacing(with: sign, where: x .>= a)
        }
        // The median of the 16 columns, then |G[i,c] − med_c|.
        statistics.computeFullTile(rows, column: column, into: median + column, scratch: tile)
        let med = UnsafeRawPointer(median + column).loadUnaligned(as: SIMD16<Float>.self)
        for r in 0 ..< m {
            let x = UnsafeRawPointer(rows[r] + column).loadUnaligned(as: SIMD16<Float>.self)
            let diff = x - med
            accumulators.distances[r] += diff.replacing(with: -diff, where: diff .< 0)
        }
    }

    /// Steps 2–3 for the last, narrower tile of a block, column by column; its distance terms
    /// add in Double, one by one, after the full tiles' lane sums.
    static func partialTile(_ rows: UnsafeBufferPointer<UnsafePointer<Float>>, columns: Range<Int>,
                            mean: UnsafePointer<Float>, median: UnsafeMutablePointer<Float>,
                            statistics: ColumnOrderStatistics, tile: UnsafeMutablePointer<Float>,
                            scores: UnsafeMutablePointer<Int>, distances: UnsafeMutablePointer<Double>) {
        let m = rows.count
        for (l, c) in columns.enumerated() {
            var count = 0
            for r in 0 ..< m where rows[r][c] >= mean[l] { count += 1 }
            let sign = 2 * count < m ? -1 : 1
            for r in 0 ..< m where rows[r][c] >= mean[l] { scores[r] += sign }
        }
        statistics.compute(rows, start: columns.lowerBound, count: columns.count,
                           into: median + columns.lowerBound, scratch: tile)
        for r in 0 ..< m {
            for c in columns { distances[r] += Double(abs(rows[r][c] - median[c])) }
        }
    }
}

/// The two-pass versions of the iterative rules' kernels (the distances in one pass, the
/// move in another) and the column sum and mean they started from.
enum PreviousKernels {
    /// out[c] = Σ_r rows[r][start + c] for c in 0..<count, summing rows in order.
    static func sumRows(_ rows: UnsafeBufferPointer<UnsafePointer<Float>>, start: Int, count: Int,
                        into out: UnsafeMutablePointer<Float>) {
        guard let first = rows.first else {
            out.update(repeating: 0, count: count)
            return
        }
        out.update(from: first + start, count: count)
        for r in 1 ..< rows.count {
            let row = rows[r] + start
            for c in 0 ..< count { out[c] += row[c] }
        }
    }

    /// brsgd-robust's clip step as `Kernels.blendTowardRows` computed it before it kept 16
    /// columns in registers: the point scaled, then each row of non-zero weight added into it.
    static func blendTowardRows(_ point: UnsafeMutablePointer<Float>, rows: UnsafeBufferPointer<UnsafePointer<Float>>,
                                weights: [Float], columnCount d: Int) {
        var keep: Float = 1
        for w in weights { keep -= w }
        let blocks = ColumnBlocks(columnCount: d)
        for b in 0 ..< blocks.count {
            let range = blocks.range(b)
            let p = point + range.lowerBound
            for c in 0 ..< range.count { p[c] *= keep }
            for i in 0 ..< rows.count where weights[i] != 0 {
                let w = weights[i], row = rows[i] + range.lowerBound
                for c in 0 ..< range.count { p[c] += w * row[c] }
            }
        }
    }

    /// The column mean as `Kernels.meanOfRows` computed it before it kept 16 columns in
    /// registers: the rows summed into the output block row by row, then divided.
    static func meanOfRows(_ rows: UnsafeBufferPointer<UnsafePointer<Float>>, columnCount d: Int) -> [Float] {
        var out = [Float](repeating: 0, count: d)
        let divisor = Float(rows.count)
        let blocks = ColumnBlocks(columnCount: d)
        out.withUnsafeMutableBufferPointer { out in
            for b in 0 ..< blocks.count {
                let range = blocks.range(b)
                let o = out.baseAddress! + range.lowerBound
                sumRows(rows, start: range.lowerBound, count: range.count, into: o)
                for c in 0 ..< range.count { o[c] /= divisor }
            }
        }
        return out
    }

    /// ‖row_i − point‖² for every row, summed per column block then over blocks in order.
    /// - Complexity: O(md), parallel over column blocks.
    static func squaredDistances(_ rows: UnsafeBufferPointer<UnsafePointer<Float>>,
                                 to point: UnsafePointer<Float>, columnCount d: Int) -> [Double] {
        let m = rows.count
        let blocks = ColumnBlocks(columnCount: d)
        var parts = [Double](repeating: 0, count: blocks.count * m)
        parts.withUnsafeMutableBufferPointer { parts in
            guard let base = parts.baseAddress else { return }
            Parallel.forEach(blocks.count, work: m * d) { b in
                let range = blocks.range(b)
                for r in 0 ..< m {
                    base[b * m + r] = Kernels.squaredDistance(rows[r] + range.lowerBound, point + range.lowerBound,
                                                      count: range.count)
                }
            }
        }
        var total = [Double](repeating: 0, count: m)
        for b in 0 ..< blocks.count {
            for r in 0 ..< m { total[r] += parts[b * m + r] }
        }
        return total
    }

    /// point[c] += Σ_i weights[i] · (rows[i][c] − point[c]), rows in order.
    /// - Complexity: O(md), parallel over column blocks.
    static func moveTowardRows(_ point: UnsafeMutablePointer<Float>, rows: UnsafeBufferPointer<UnsafePointer<Float>>,
                               weights: [Float], columnCount d: Int) {
        let blocks = ColumnBlocks(columnCount: d)
        weights.withUnsafeBufferPointer { weights in
            Parallel.forEach(blocks.count, work: rows.count * d) { b in
                let range = blocks.range(b)
                let width = range.count
                withUnsafeTemporaryAllocation(of: Float.self, capacity: width) { step in
                    let p = point + range.lowerBound
                    for c in 0 ..< width { step[c] = 0 }
                    for i in 0 ..< rows.count {
                        let w = weights[i], row = rows[i] + range.lowerBound
                        for c in 0 ..< width { step[c] += w * (row[c] - p[c]) }
                    }
                    for c in 0 ..< width { p[c] += step[c] }
                }
            }
        }
    }
}

/// The Gram matrix as it was computed before ``GramKernel``: pair by pair, each dot product
/// over the block's rows in place.
enum PreviousGram {
    /// The upper triangle (j ≥ i) of one block's Gram matrix, m × m row-major.
    static func block(_ rows: UnsafeBufferPointer<UnsafePointer<Float>>, columns range: Range<Int>,
                      into gram: UnsafeMutablePointer<Double>) {
        let m = rows.count
        for i in 0 ..< m {
            let x = rows[i] + range.lowerBound
            for j in i ..< m {
                gram[i * m + j] = dot(x, rows[j] + range.lowerBound, count: range.count)
            }
        }
    }

    /// Σ_c a[c]·b[c] over `count` floats, in Float within 16 lanes, lanes summed in Double.
    /// Meant for one column block (≤ 8192 floats).
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Double {
        var acc0 = SIMD16<Float>(), acc1 = SIMD16<Float>()
        var c = 0
        while c + 32 <= count {
            let x0 = UnsafeRawPointer(a + c).loadUnaligned(as: SIMD16<Float>.self)
            let y0 = UnsafeRawPointer(b + c).loadUnaligned(as: SIMD16<Float>.self)
            let x1 = UnsafeRawPointer(a + c + 16).loadUnaligned(as: SIMD16<Float>.self)
            let y1 = UnsafeRawPointer(b + c + 16).loadUnaligned(as: SIMD16<Float>.self)
            acc0 += x0 * y0
            acc1 += x1 * y1
            c += 32
        }
        acc0 += acc1
        var total = 0.0
        for l in 0 ..< 16 { total += Double(acc0[l]) }
        while c < count { total += Double(a[c] * b[c]); c += 1 }
        return total
    }
}
