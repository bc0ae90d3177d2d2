import CAggregationKernels

/// The fused passes of the iterative rules (geometric median, centered clipping): each
/// reads the rows from memory once, where computing a point and then its distances to the
/// rows used to take two passes.
///
/// Per column block of ``ColumnBlocks/width`` columns (parallel over blocks), 16 columns at
/// a time: the m rows' 16 values are copied into a contiguous tile (``TileCopies``), the
/// point's 16 entries are written (the mean of the rows, their median, or a weighted move
/// toward them), and each row's squared distance to them is added to its 16-lane sum, which
/// is reduced once per block. The arithmetic and its order are those of computing the whole
/// point first and the distances after (`Kernels.meanOfRows`, ``ColumnOrderStatistics``, a
/// move row by row, `Kernels.squaredDistance` per row and block; the tests keep that
/// two-pass version and compare the bits), so fusing changes the time and not the result.
///
/// With AVX-512 and m ≤ 32 each full tile goes through the same operations in C
/// (`brsgd_move_and_measure_tile16`, CAggregationKernels): one instruction per 16 lanes
/// where Swift's SIMD16 takes four SSE ones, the same bits (a median update only when its
/// ``ColumnOrderStatistics/vectorInstructionSet`` allows it, so tests can compare).
///
/// - Complexity: O(md) per call, one pass over memory, parallel over column blocks.
enum MoveAndMeasure {
    /// How a block's part of the point is written before its distances are measured.
    enum Update {
        /// point = the column mean of the rows (as `Kernels.meanOfRows`).
        case mean
        /// point = the coordinate-wise median of the rows (as ``CoordinateWiseMedian``).
        case median(ColumnOrderStatistics)
        /// point[c] += Σ_i weights[i] · (rows[i][c] − point[c]), rows in order (as
        /// `Kernels.moveTowardRows`).
        case move(weights: UnsafeBufferPointer<Float>)
        /// The point is left as it is.
        case none
    }

    /// Applies `update` to `point`, then, when `measuring`, returns ‖row_i − point‖² for
    /// every row (summed per block in 16 Float lanes, lanes and blocks in Double, in order);
    /// an empty array when not measuring.
    static func run(_ update: Update, point: UnsafeMutablePointer<Float>,
                    rows: UnsafeBufferPointer<UnsafePointer<Float>>, columnCount d: Int,
                    measuring: Bool) -> [Double] {
        let m = rows.count
        let blocks = ColumnBlocks(columnCount: d)
        var parts = [Double](repeating: 0, count: measuring ? blocks.count * m : 0)
        parts.withUnsafeMutableBufferPointer { parts in
            // An empty array's buffer may still have an address (the shared empty storage):
            // `measuring`, not the address, says whether there is anywhere to write.
            let partBase = measuring ? parts.baseAddress : nil
            Parallel.forEach(blocks.count, work: m * d) { b in
                block(update, point: point, rows: rows, columns: blocks.range(b), parts: partBase.map { $0 + b * m })
            }
        }
        var total = [Double](repeating: 0, count: measuring ? m : 0)
        if measuring {
            for b in 0 ..< blocks.count {
                for r in 0 ..< m { total[r] += parts[b * m + r] }
            }
        }
        return total
    }

    /// The C tile's update code for `update`, or nil where the tile stays in Swift: no
    /// AVX-512, m > 32, or a median whose statistics keep to the Swift networks.
    static func cUpdateKind(_ update: Update, rowCount m: Int) -> Int32? {
        guard m <= 32, MedianNetworks.vectorInstructionSet >= BRSGD_ISA_AVX512 else { return nil }
        switch update {
        case .none: return Int32(BRSGD_UPDATE_NONE)
        case .mean: return Int32(BRSGD_UPDATE_MEAN)
        case .move: return Int32(BRSGD_UPDATE_MOVE)
        case .median(let statistics):
            return statistics.vectorInstructionSet >= BRSGD_ISA_AVX512 ? Int32(BRSGD_UPDATE_MEDIAN) : nil
        }
    }

    /// One column block: the update, then (when `parts` is given) parts[r] = the block's part
    /// of ‖row_r − point‖², 16 columns at a time through a contiguous tile (``TileCopies``),
    /// so the rows are read from memory once; the block's last, narrower tile column by column.
    static func block(_ update: Update, point: UnsafeMutablePointer<Float>,
                      rows: UnsafeBufferPointer<UnsafePointer<Float>>, columns: Range<Int>,
                      parts: UnsafeMutablePointer<Double>?) {
        let m = rows.count, w = SelectionNetwork.lanes
        let statistics: ColumnOrderStatistics? = if case .median(let s) = update { s } else { nil }
        withUnsafeTemporaryAllocation(of: SIMD16<Float>.self, capacity: 2 * m) { buffer in
            withUnsafeTemporaryAllocation(of: UnsafePointer<Float>.self, capacity: m) { tileRowBuffer in
                withUnsafeTemporaryAllocation(of: Float.self, capacity: statistics?.scratchCount ?? 1) { scratchBuffer in
                    // m ≥ 1, so no buffer is empty. The first m vectors are the tile, the next
                    // m the rows' 16-lane distance sums.
                    let base = buffer.baseAddress.unsafelyUnwrapped
                    let tile = UnsafeMutableRawPointer(base), sums = base + m
                    let scratch = scratchBuffer.baseAddress.unsafelyUnwrapped
                    let tileRows = tileRowBuffer.baseAddress.unsafelyUnwrapped
                    for r in 0 ..< m {
                        (tileRows + r).initialize(to: UnsafePointer((tile + 64 * r).assumingMemoryBound(to: Float.self)))
                    }
                    let tiled = UnsafeBufferPointer(start: UnsafePointer(tileRows), count: m)
                    sums.initialize(repeating: SIMD16(), count: m)
                    let copy = TileCopies.Copier(rowCount: m)
                    let cUpdate = cUpdateKind(update, rowCount: m)
                    let cRows = UnsafeRawPointer(rows.baseAddress.unsafelyUnwrapped)
                        .assumingMemoryBound(to: UnsafePointer<Float>?.self)
                    let cWeights: UnsafePointer<Float>? = if case .move(let weights) = update { weights.baseAddress } else { nil }
                    let cSums = parts == nil ? nil : UnsafeMutableRawPointer(sums).assumingMemoryBound(to: Float.self)
                    var c = columns.lowerBound
                    while c + w <= columns.upperBound {
                        if let cUpdate,
                           brsgd_move_and_measure_tile16(Int32(m), cRows, c, tile.assumingMemoryBound(to: Float.self),
                                                         cUpdate, cWeights, point + c, cSums) == 1 {
                            c += w
                            continue
                        }
                        let p = UnsafeMutableRawPointer(point + c)
                        // Only the mean needs the rows' sum; the others copy alone.
                        if case .mean = update {} else { copy.copyOnly(rows, c, tile) }
                        switch update {
                        case .mean:
                            let sum = copy(rows, c, tile)
                            p.storeBytes(of: sum / SIMD16(repeating: Float(m)), as: SIMD16<Float>.self)
                        case .median(let statistics):
                            statistics.computeFullTile(tiled, column: 0, into: point + c, scratch: scratch)
                        case .move(let weights):
                            // As moveBlock: the step summed over the rows in order from 0, then added.
                            let old = p.loadUnaligned(as: SIMD16<Float>.self)
                            var step = SIMD16<Float>()
                            for i in 0 ..< m {
                                let x = tile.load(fromByteOffset: 64 * i, as: SIMD16<Float>.self)
                                step += SIMD16(repeating: weights[i]) * (x - old)
                            }
                            p.storeBytes(of: old + step, as: SIMD16<Float>.self)
                        case .none:
                            break
                        }
                        if parts != nil {
                            let q = p.loadUnaligned(as: SIMD16<Float>.self)
                            for r in 0 ..< m {
                                let diff = tile.load(fromByteOffset: 64 * r, as: SIMD16<Float>.self) - q
                                sums[r] += diff * diff
                            }
                        }
                        c += w
                    }
                    // The last, narrower tile: the update column by column, then, as
                    // Kernels.squaredDistance, the lane sums in Double and these terms after them.
                    let tail = c ..< columns.upperBound
                    if !tail.isEmpty {
                        switch update {
                        case .mean:
                            for c in tail {
                                var sum = rows[0][c]
                                for r in 1 ..< m { sum += rows[r][c] }
                                point[c] = sum / Float(m)
                            }
                        case .median(let statistics):
                            statistics.compute(rows, start: tail.lowerBound, count: tail.count,
                                               into: point + tail.lowerBound, scratch: scratch)
                        case .move(let weights):
                            for c in tail {
                                var step: Float = 0
                                for i in 0 ..< m { step += weights[i] * (rows[i][c] - point[c]) }
                                point[c] += step
                            }
                        case .none:
                            break
                        }
                    }
                    if let parts {
                        for r in 0 ..< m {
                            var total = 0.0
                            for l in 0 ..< w { total += Double(sums[r][l]) }
                            for c in tail { let diff = rows[r][c] - point[c]; total += Double(diff * diff) }
                            parts[r] = total
                        }
                    }
                }
            }
        }
    }
}
