import CAggregationKernels

/// Per-column order statistics (median, trimmed mean) over the accepted rows, one column
/// block at a time, without sorting whole columns when it can be avoided.
///
/// The median of m ≤ ``MedianNetworks/largestRowCount`` rows goes through a written-out
/// selection network, the trimmed mean of m ≤ ``SortingNetworks/largestRowCount`` rows
/// through a written-out sorting network, 4 columns at a time in registers. Otherwise, up to
/// ``SelectionNetwork/maximumNetworkSize`` rows, 16 columns at a time are gathered into a
/// tile and go through a pruned comparator network (branch-free, vectorised). Above that,
/// each column of the tile is reduced by quickselect (median: expected O(m)) or sorted
/// (trimmed mean). Between ``SelectionNetwork/earlierMaximumNetworkSize`` and the maximum,
/// where quickselect and sorting were used before, a column that holds both −0 and +0 is
/// still reduced by them: equal values have equal bits except the two zeros, so every other
/// column gets the same bits from the network, and this one the bits it always had.
struct ColumnOrderStatistics {
    enum Statistic {
        /// The median; for an even count the mean of the two middle values, computed as
        /// lower·½ + upper·½ so that huge finite values cannot overflow.
        case median
        /// The mean of the values left after dropping the `trim` smallest and `trim` largest,
        /// summed in ascending order.
        case trimmedMean(trim: Int)
    }

    let statistic: Statistic
    let rowCount: Int
    private let network: SelectionNetwork?
    /// The written-out median network for this row count, when there is one.
    private let medianFunction: MedianNetworks.Function?
    /// The instruction set of the C networks that take 16 columns of that median at once
    /// (``MedianNetworks/vectorInstructionSet``), or none: the same bits as `medianFunction`.
    let vectorInstructionSet: Int32
    /// The written-out sorting network for a trimmed mean of this row count, when there is one.
    private let trimmedSumFunction: SortingNetworks.TrimmedSum?
    private let lowRank: Int, highRank: Int
    /// True where the network replaced quickselect and sorting (see the type's documentation).
    private let guardsSignedZeros: Bool

    /// `usingWrittenOutNetworks: false` keeps to the run-time network, a smaller
    /// `maximumNetworkSize` to quickselect and sorting above it, and `vectorInstructionSet`
    /// picks the C median networks' instruction set (`BRSGD_ISA_NONE` for the Swift
    /// ones; default: the CPU's best) — tests compare them all.
    init(_ statistic: Statistic, rowCount m: Int, usingWrittenOutNetworks: Bool = true,
         maximumNetworkSize: Int = SelectionNetwork.maximumNetworkSize,
         vectorInstructionSet: Int32 = MedianNetworks.vectorInstructionSet) {
        precondition(m >= 1)
        self.statistic = statistic
        self.rowCount = m
        switch statistic {
        case .median:
            lowRank = (m - 1) / 2
            highRank = m / 2
            medianFunction = usingWrittenOutNetworks ? MedianNetworks.function(rowCount: m) : nil
            self.vectorInstructionSet = medianFunction == nil ? Int32(BRSGD_ISA_NONE) : vectorInstructionSet
            trimmedSumFunction = nil
        case .trimmedMean(let trim):
            precondition(trim >= 0 && m > 2 * trim)
            lowRank = trim
            highRank = m - trim - 1
            medianFunction = nil
            self.vectorInstructionSet = Int32(BRSGD_ISA_NONE)
            trimmedSumFunction = usingWrittenOutNetworks ? SortingNetworks.trimmedSumFunction(rowCount: m) : nil
        }
        network = m <= maximumNetworkSize
            ? SelectionNetwork(size: m, ranks: Array(lowRank ... highRank)) : nil
        guardsSignedZeros = m > SelectionNetwork.earlierMaximumNetworkSize
    }

    /// Floats of scratch `compute` and `computeFullTile` need: one tile of m × 16, and one
    /// gathered column for quickselect.
    var scratchCount: Int { rowCount * SelectionNetwork.lanes + rowCount }

    /// Calls `body` with the scratch space `compute` and `computeFullTile` need (on the stack when small).
    func withScratch<R>(_ body: (UnsafeMutablePointer<Float>) -> R) -> R {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: scratchCount) {
            body($0.baseAddress.unsafelyUnwrapped)  // capacity ≥ 17 > 0, so never nil
        }
    }

    /// out[c] = statistic of column `start + c` over `rows`, for c in 0..<count.
    func compute(_ rows: UnsafeBufferPointer<UnsafePointer<Float>>, start: Int, count: Int,
                 into out: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>) {
        precondition(rows.count == rowCount)
        let w = SelectionNetwork.lanes
        var c = 0
        while c + w <= count {
            computeFullTile(rows, column: start + c, into: out + c, scratch: scratch)
            c += w
        }
        if c < count {
            Self.gatherTile(rows, column: start + c, lanes: count - c, into: scratch)
            reduceTile(scratch, lanes: count - c, into: out + c, scratch: scratch + rowCount * w)
        }
    }

    /// out[c] = statistic of column c over `rows`, for c in `columns` (one column block),
    /// 16 columns at a time through a contiguous tile (``TileCopies``), which the statistic
    /// then reads. Same values as ``compute``; the copy keeps rows whose stride is a multiple
    /// of 4 KiB (a power-of-two d) from evicting each other in the cache. When
    /// `checkingFiniteness`, the check rides on the copy: the copy returns each column's sum,
    /// which a NaN or ±Inf makes non-finite (sum × 0 is then NaN rather than 0).
    /// - Returns: false when `checkingFiniteness` and some column sum is not finite: a row
    ///   holds a NaN or ±Inf, or (a false alarm the caller resolves by scanning) finite values
    ///   overflowed the sum. True otherwise.
    func computeBlock(_ rows: UnsafeBufferPointer<UnsafePointer<Float>>, columns: Range<Int>,
                      into out: UnsafeMutablePointer<Float>, checkingFiniteness: Bool) -> Bool {
        precondition(rows.count == rowCount)
        let m = rowCount, w = SelectionNetwork.lanes
        return withUnsafeTemporaryAllocation(of: SIMD16<Float>.self, capacity: m) { tileBuffer in
            withUnsafeTemporaryAllocation(of: UnsafePointer<Float>.self, capacity: m) { tileRowBuffer in
                withScratch { scratch in
                    // m ≥ 1, so neither buffer is empty.
                    let tile = UnsafeMutableRawPointer(tileBuffer.baseAddress.unsafelyUnwrapped)
                    let tileRows = tileRowBuffer.baseAddress.unsafelyUnwrapped
                    for r in 0 ..< m {
                        (tileRows + r).initialize(to: UnsafePointer((tile + r * 64).assumingMemoryBound(to: Float.self)))
                    }
                    let tiled = UnsafeBufferPointer(start: UnsafePointer(tileRows), count: m)
                    let copy = TileCopies.Copier(rowCount: m)
                    var sums = SIMD16<Float>()   // finite while every value is (or a false alarm, see above)
                    var c = columns.lowerBound
                    while c + w <= columns.upperBound {
                        if checkingFiniteness {
                            sums += copy(rows, c, tile) * 0
                        } else {
                            copy.copyOnly(rows, c, tile)
                        }
                        computeFullTile(tiled, column: 0, into: out + c, scratch: scratch)
                        c += w
                    }
                    if c < columns.upperBound {
                        if checkingFiniteness {
                            for r in 0 ..< m where !Kernels.isFinite(rows[r] + c, count: columns.upperBound - c) {
                                return false
                            }
                        }
                        compute(rows, start: c, count: columns.upperBound - c, into: out + c, scratch: scratch)
                    }
                    return !checkingFiniteness || sums == SIMD16()
                }
            }
        }
    }

    /// out[l] = statistic of column `column + l` over `rows`, for l in 0..<16.
    @inline(__always)
    func computeFullTile(_ rows: UnsafeBufferPointer<UnsafePointer<Float>>, column: Int,
                         into out: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>) {
        let w = SelectionNetwork.lanes
        if let medianFunction, let base = rows.baseAddress {
            // The C networks take `const float *const *`: the same layout, optional pointers.
            if vectorInstructionSet != BRSGD_ISA_NONE,
               brsgd_median16(vectorInstructionSet, Int32(rowCount),
                              UnsafeRawPointer(base).assumingMemoryBound(to: UnsafePointer<Float>?.self),
                              column, out) != 0 {
                return
            }
            let raw = UnsafeMutableRawPointer(out)
            for q in stride(from: 0, to: w, by: 4) {
                raw.storeBytes(of: medianFunction(base, column + q), toByteOffset: q * 4, as: SIMD4<Float>.self)
            }
        } else if let trimmedSumFunction, let base = rows.baseAddress {
            // As `extract`: the ascending sum of ranks lowRank...highRank, divided by their count.
            let raw = UnsafeMutableRawPointer(out)
            let divisor = SIMD4<Float>(repeating: Float(highRank - lowRank + 1))
            for q in stride(from: 0, to: w, by: 4) {
                let sum = trimmedSumFunction(base, column + q, lowRank, highRank)
                raw.storeBytes(of: sum / divisor, toByteOffset: q * 4, as: SIMD4<Float>.self)
            }
        } else {
            Self.gatherTile(rows, column: column, lanes: w, into: scratch)
            reduceTile(scratch, lanes: w, into: out, scratch: scratch + rowCount * w)
        }
    }

    /// Copies columns column ..< column + lanes (lanes ≤ 16) of every row into `tile`, row r
    /// at r × 16, and zero-fills the lanes past `lanes`.
    @inline(__always)
    private static func gatherTile(_ rows: UnsafeBufferPointer<UnsafePointer<Float>>, column: Int, lanes: Int,
                           into tile: UnsafeMutablePointer<Float>) {
        let w = SelectionNetwork.lanes
        let raw = UnsafeMutableRawPointer(tile)
        if lanes == w {
            for r in 0 ..< rows.count {
                let x = UnsafeRawPointer(rows[r] + column).loadUnaligned(as: SIMD16<Float>.self)
                raw.storeBytes(of: x, toByteOffset: r * w * 4, as: SIMD16<Float>.self)
            }
        } else {
            for r in 0 ..< rows.count {
                let src = rows[r] + column, dst = tile + r * w
                for l in 0 ..< lanes { dst[l] = src[l] }
                for l in lanes ..< w { dst[l] = 0 }
            }
        }
    }

    /// out[l] = the statistic of lane l of a gathered tile (m rows × 16 lanes, row r at
    /// r × 16), for l in 0..<lanes. Reorders the tile. `scratch` holds m floats.
    /// - Complexity: O(comparators × 16) with the network; expected O(m) per lane by quickselect.
    @inline(__always)
    private func reduceTile(_ tile: UnsafeMutablePointer<Float>, lanes: Int, into out: UnsafeMutablePointer<Float>,
                    scratch: UnsafeMutablePointer<Float>) {
        let w = SelectionNetwork.lanes
        if let network {
            // Columns holding both zeros (rare), reduced the old way before the network reorders
            // them, and written over the network's values below.
            let mixed = guardsSignedZeros ? Self.lanesHoldingBothZeros(tile, rowCount: rowCount, lanes: lanes) : 0
            let oldWay = mixed == 0 ? [] : reducedOldWay(tile, lanes: lanes, mixed: mixed, scratch: scratch)
            defer {
                if mixed != 0 {
                    for l in 0 ..< lanes where mixed & (1 << l) != 0 { out[l] = oldWay[l] }
                }
            }
            network.apply(to: tile)
            if lanes == w, case .median = statistic {
                let raw = UnsafeRawPointer(tile)
                let lo = raw.loadUnaligned(fromByteOffset: lowRank * w * 4, as: SIMD16<Float>.self)
                let hi = raw.loadUnaligned(fromByteOffset: highRank * w * 4, as: SIMD16<Float>.self)
                let median = lowRank == highRank ? lo : lo * 0.5 + hi * 0.5
                UnsafeMutableRawPointer(out).storeBytes(of: median, as: SIMD16<Float>.self)
            } else {
                for l in 0 ..< lanes { out[l] = extract(tile + l, stride: w) }
            }
        } else {
            for l in 0 ..< lanes {
                for r in 0 ..< rowCount { scratch[r] = tile[r * w + l] }
                out[l] = reduceGathered(scratch, count: rowCount)
            }
        }
    }

    /// Bit l set when lane l (of the first `lanes`) holds both −0 and +0 among the rows.
    /// A float compare finds the zeros (an integer vector compare would be scalarised), their
    /// sign bit tells them apart.
    @inline(__always)
    private static func lanesHoldingBothZeros(_ tile: UnsafeMutablePointer<Float>, rowCount: Int, lanes: Int) -> Int {
        let w = SelectionNetwork.lanes
        let raw = UnsafeRawPointer(tile)
        var negative = SIMD16<UInt32>(), positive = SIMD16<UInt32>()
        for r in 0 ..< rowCount {
            let x = raw.loadUnaligned(fromByteOffset: r * w * 4, as: SIMD16<Float>.self)
            let zero = SIMD16<UInt32>().replacing(with: 1, where: x .== SIMD16<Float>())
            let sign = unsafeBitCast(x, to: SIMD16<UInt32>.self) &>> 31
            negative |= zero & sign
            positive |= zero & (sign ^ 1)
        }
        let both = negative & positive
        if both.wrappedSum() == 0 { return 0 }
        var mask = 0
        for l in 0 ..< lanes where both[l] != 0 { mask |= 1 << l }
        return mask
    }

    /// The statistic of each lane set in `mixed`, by quickselect or sorting (the way taken for
    /// these row counts before the network was), gathered from the tile in row order.
    private func reducedOldWay(_ tile: UnsafeMutablePointer<Float>, lanes: Int, mixed: Int,
                               scratch: UnsafeMutablePointer<Float>) -> [Float] {
        let w = SelectionNetwork.lanes
        var values = [Float](repeating: 0, count: lanes)
        for l in 0 ..< lanes where mixed & (1 << l) != 0 {
            for r in 0 ..< rowCount { scratch[r] = tile[r * w + l] }
            values[l] = reduceGathered(scratch, count: rowCount)
        }
        return values
    }

    /// The statistic from a column whose ranks lowRank…highRank are in sorted position.
    @inline(__always)
    private func extract(_ column: UnsafeMutablePointer<Float>, stride: Int) -> Float {
        switch statistic {
        case .median:
            let lo = column[lowRank * stride], hi = column[highRank * stride]
            return lowRank == highRank ? lo : lo * 0.5 + hi * 0.5
        case .trimmedMean:
            var sum: Float = 0
            for r in lowRank ... highRank { sum += column[r * stride] }
            return sum / Float(highRank - lowRank + 1)
        }
    }

    private func reduceGathered(_ column: UnsafeMutablePointer<Float>, count m: Int) -> Float {
        switch statistic {
        case .median:
            let hi = Quickselect.select(column, count: m, rank: highRank)
            if lowRank == highRank { return hi }
            // After selection every entry left of highRank is ≤ hi: the lower middle is their max.
            var lo = column[0]
            for i in 1 ..< highRank where column[i] > lo { lo = column[i] }
            return lo * 0.5 + hi * 0.5
        case .trimmedMean:
            var buffer = UnsafeMutableBufferPointer(start: column, count: m)
            buffer.sort()
            return extract(column, stride: 1)
        }
    }
}

/// Quickselect (Hoare, 1961) with a median-of-three pivot; after 2·⌈lg n⌉ rounds without
/// finishing, the remaining range is sorted, so the worst case is O(n log n), not O(n²),
/// even for values a Byzantine worker chose.
enum Quickselect {
    /// Rearranges `values[0..<count]` so that position `rank` holds the value a full sort
    /// would put there, everything before it is ≤ and everything after it is ≥; returns it.
    /// - Complexity: expected O(n), worst case O(n log n).
    static func select(_ values: UnsafeMutablePointer<Float>, count: Int, rank: Int) -> Float {
        precondition(rank >= 0 && rank < count)
        var lo = 0, hi = count - 1
        var budget = 2 * (Int.bitWidth - count.leadingZeroBitCount)
        while lo < hi {
            if budget == 0 {
                var range = UnsafeMutableBufferPointer(start: values + lo, count: hi - lo + 1)
                range.sort()
                return values[rank]
            }
            budget -= 1
            let mid = lo + (hi - lo) / 2
            // Median of three as the pivot.
            if values[mid] < values[lo] { values.swapAt(mid, lo) }
            if values[hi] < values[lo] { values.swapAt(hi, lo) }
            if values[hi] < values[mid] { values.swapAt(hi, mid) }
            let pivot = values[mid]
            var i = lo, j = hi
            while i <= j {
                while values[i] < pivot { i += 1 }
                while values[j] > pivot { j -= 1 }
                if i <= j {
                    values.swapAt(i, j)
                    i += 1; j -= 1
                }
            }
            if rank <= j { hi = j } else if rank >= i { lo = i } else { return values[rank] }
        }
        return values[rank]
    }
}

extension UnsafeMutablePointer where Pointee == Float {
    @inline(__always) fileprivate func swapAt(_ i: Int, _ j: Int) {
        let t = self[i]; self[i] = self[j]; self[j] = t
    }
}
