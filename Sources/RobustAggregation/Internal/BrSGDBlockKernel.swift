import CAggregationKernels

/// Steps 1–3 of BrSGD's Algorithm 2 for one block of columns, reading the block from memory
/// once, 16 columns (one 64-byte line per row) at a time.
///
/// Per tile of 16 columns: copy the m rows' 16 values into a small contiguous tile while
/// summing them (``TileCopies``) (the column means, rows added in order as ``Mean`` adds them); count the
/// entries ≥ the mean (count_c depends on column c alone, so it is complete at once); add
/// each row's signed marks to its score; select the median (``MedianNetworks`` for m ≤ 32);
/// add each row's |G[i,c] − med_c| to its L1 distance. Scores and distances accumulate per
/// row in 16 lanes and are reduced once per block, so the sums, and the bits, are those of
/// the earlier kernel that summed the whole block first (the tests keep it and compare).
///
/// Why tile by tile rather than a first pass over the block: the matrix then streams from
/// memory while the tiles before it are computed, where a block-wide sum left the core
/// waiting on memory and then on arithmetic. Why a copy: rows whose stride is a multiple of
/// 4 KiB (d a power of two) map the same column of every row to one cache set, so twenty
/// rows evict each other between the steps; the tile holds them at a stride of 64 bytes.
///
/// With AVX-512 (``ColumnOrderStatistics/vectorInstructionSet``) and m ≤ 32, each tile goes
/// through the same steps in C (`brsgd_brsgd_tile16`, CAggregationKernels), one instruction
/// per 16 lanes where Swift's SIMD16 takes four SSE ones: the same operations in the same
/// order, so the same bits.
///
/// - Complexity: O(m) loads, O(comparators) minimum/maximum per column; one read of the
///   block from memory; no allocation besides the per-block scratch (O(m) floats, on the
///   stack when small).
enum BrSGDBlockKernel {
    /// Writes the block's median to `median + columns.lowerBound` and the block's part of each
    /// row's score and L1 distance to `scores[r]`, `distances[r]`.
    /// - Returns: false (the outputs then are not meaningful) when `requiringFiniteMeans` and
    ///   some column mean of the block is not finite; true otherwise.
    static func run(_ rows: UnsafeBufferPointer<UnsafePointer<Float>>, columns: Range<Int>,
                    median: UnsafeMutablePointer<Float>, statistics: ColumnOrderStatistics,
                    scores: UnsafeMutablePointer<Int>, distances: UnsafeMutablePointer<Double>,
                    requiringFiniteMeans: Bool) -> Bool {
        let m = rows.count, width = columns.count
        let w = SelectionNetwork.lanes
        return withUnsafeTemporaryAllocation(of: SIMD16<Float>.self, capacity: m) { tileBuffer in
            withUnsafeTemporaryAllocation(of: UnsafePointer<Float>.self, capacity: m) { tileRowBuffer in
                withUnsafeTemporaryAllocation(of: SIMD16<Int32>.self, capacity: m) { scoreLanes in
                    withUnsafeTemporaryAllocation(of: SIMD16<Float>.self, capacity: m) { distanceLanes in
                        statistics.withScratch { scratch in
                            // m ≥ 1, so none of the buffers is empty.
                            let tile = UnsafeMutableRawPointer(tileBuffer.baseAddress.unsafelyUnwrapped)
                                .assumingMemoryBound(to: Float.self)
                            let tileRows = tileRowBuffer.baseAddress.unsafelyUnwrapped
                            for r in 0 ..< m { (tileRows + r).initialize(to: UnsafePointer(tile + r * w)) }
                            let lanes = Accumulators(scores: scoreLanes.baseAddress.unsafelyUnwrapped,
                                                     distances: distanceLanes.baseAddress.unsafelyUnwrapped)
                            lanes.scores.initialize(repeating: SIMD16(), count: m)
                            lanes.distances.initialize(repeating: SIMD16(), count: m)
                            let tiled = UnsafeBufferPointer(start: UnsafePointer(tileRows), count: m)
                            let full = width / w * w
                            let copy = TileCopies.Copier(rowCount: m)
                            let inC = statistics.vectorInstructionSet >= BRSGD_ISA_AVX512 && m <= 32
                            let cRows = UnsafeRawPointer(rows.baseAddress.unsafelyUnwrapped)
                                .assumingMemoryBound(to: UnsafePointer<Float>?.self)
                            var c = 0
                            while c < full {
                                let isFinite = inC
                                    ? brsgd_brsgd_tile16(
                                        Int32(m), cRows, columns.lowerBound + c, tile, median + columns.lowerBound + c,
                                        UnsafeMutableRawPointer(lanes.scores).assumingMemoryBound(to: Int32.self),
                                        UnsafeMutableRawPointer(lanes.distances).assumingMemoryBound(to: Float.self)) == 1
                                    : fullTile(
                                        rows, column: columns.lowerBound + c, tile: tile, tileRows: tiled,
                                        median: median + columns.lowerBound + c, statistics: statistics,
                                        scratch: scratch, accumulators: lanes, copy: copy)
                                if requiringFiniteMeans && !isFinite { return false }
                                c += w
                            }
                            for r in 0 ..< m {
                                scores[r] = Int(lanes.scores[r].wrappedSum())
                                var total = 0.0
                                for l in 0 ..< w { total += Double(lanes.distances[r][l]) }
                                distances[r] = total
                            }
                            if full < width {
                                let isFinite = partialTile(
                                    rows, columns: columns.lowerBound + full ..< columns.upperBound,
                                    mean: tile, median: median, statistics: statistics,
                                    scratch: scratch, scores: scores, distances: distances)
                                if requiringFiniteMeans && !isFinite { return false }
                            }
                            return true
                        }
                    }
                }
            }
        }
    }

    /// Per-row running sums over a block, 16 lanes each.
    struct Accumulators {
        let scores: UnsafeMutablePointer<SIMD16<Int32>>
        let distances: UnsafeMutablePointer<SIMD16<Float>>
    }

    /// Steps 1–3 for the 16 columns column ..< column + 16, through `tile` (m × 16 floats,
    /// row r at r × 16, which `tileRows` points into). Returns whether the 16 means are finite.
    @inline(__always)
    static func fullTile(_ rows: UnsafeBufferPointer<UnsafePointer<Float>>, column: Int,
                         tile: UnsafeMutablePointer<Float>, tileRows: UnsafeBufferPointer<UnsafePointer<Float>>,
                         median: UnsafeMutablePointer<Float>, statistics: ColumnOrderStatistics,
                         scratch: UnsafeMutablePointer<Float>, accumulators: Accumulators,
                         copy: TileCopies.Copier) -> Bool {
        let m = rows.count
        let t = UnsafeMutableRawPointer(tile)
        // 1. The column means: rows added in order, x₀ + x₁ + … (as Kernels.meanOfRows).
        let sum = copy(rows, column, t)
        let a = sum / SIMD16(repeating: Float(m))
        // 2. count_c = #{i : G[i,c] ≥ a_c}.
        var count = SIMD16<Int32>()
        for r in 0 ..< m {
            let x = t.load(fromByteOffset: r * 64, as: SIMD16<Float>.self)
            count &+= SIMD16<Int32>().replacing(with: 1, where: x .>= a)
        }
        // The column's sign: −1 where the ≥-mean side is the minority (2·count < m), else +1,
        // as (2·count − m) >> 31 | 1 (an integer vector compare would be scalarised).
        let sign = ((count &* 2 &- SIMD16(repeating: Int32(m))) &>> 31) | SIMD16(repeating: 1)
        for r in 0 ..< m {
            let x = t.load(fromByteOffset: r * 64, as: SIMD16<Float>.self)
            accumulators.scores[r] &+= SIMD16<Int32>().replacing(with: sign, where: x .>= a)
        }
        // 3. The median of the 16 columns, then |G[i,c] − med_c|.
        statistics.computeFullTile(tileRows, column: 0, into: median, scratch: scratch)
        let med = UnsafeRawPointer(median).loadUnaligned(as: SIMD16<Float>.self)
        for r in 0 ..< m {
            let x = t.load(fromByteOffset: r * 64, as: SIMD16<Float>.self)
            accumulators.distances[r] += magnitude(x - med)
        }
        return isFinite(a)
    }

    /// |x| lane by lane, by clearing the sign bit (one instruction, where a compare and a
    /// select take five). It differs from `x < 0 ? −x : x` only for −0, which it makes +0;
    /// the distance sums start at +0 and add values ≥ 0, so they never are −0 and adding
    /// either zero leaves them unchanged: the same bits as the earlier kernel.
    @inline(__always)
    static func magnitude(_ x: SIMD16<Float>) -> SIMD16<Float> {
        let bits = unsafeBitCast(x, to: SIMD16<UInt32>.self) & SIMD16(repeating: 0x7FFF_FFFF)
        return unsafeBitCast(bits, to: SIMD16<Float>.self)
    }

    /// True when no lane is NaN or ±Inf (the exponent field is not all ones).
    @inline(__always)
    static func isFinite(_ x: SIMD16<Float>) -> Bool {
        let exponent = SIMD16<UInt32>(repeating: 0x7F80_0000)
        let bits = unsafeBitCast(x, to: SIMD16<UInt32>.self) & exponent
        return !any(bits .== exponent)
    }

    /// Steps 1–3 for the last, narrower tile of a block, column by column; its distance terms
    /// add in Double, one by one, after the full tiles' lane sums. `mean` holds ≥ 16 floats
    /// of scratch. Returns whether the means are finite.
    static func partialTile(_ rows: UnsafeBufferPointer<UnsafePointer<Float>>, columns: Range<Int>,
                            mean: UnsafeMutablePointer<Float>, median: UnsafeMutablePointer<Float>,
                            statistics: ColumnOrderStatistics, scratch: UnsafeMutablePointer<Float>,
                            scores: UnsafeMutablePointer<Int>, distances: UnsafeMutablePointer<Double>) -> Bool {
        let m = rows.count
        let divisor = Float(m)
        for (l, c) in columns.enumerated() {
            var sum = rows[0][c]
            for r in 1 ..< m { sum += rows[r][c] }
            mean[l] = sum / divisor
        }
        for (l, c) in columns.enumerated() {
            var count = 0
            for r in 0 ..< m where rows[r][c] >= mean[l] { count += 1 }
            let sign = 2 * count < m ? -1 : 1
            for r in 0 ..< m where rows[r][c] >= mean[l] { scores[r] += sign }
        }
        statistics.compute(rows, start: columns.lowerBound, count: columns.count,
                           into: median + columns.lowerBound, scratch: scratch)
        for r in 0 ..< m {
            for c in columns { distances[r] += Double(abs(rows[r][c] - median[c])) }
        }
        return Kernels.isFinite(mean, count: columns.count)
    }
}
