/// Row norms and row scaling, the kernels of the clipping pre-aggregations
/// (``StaticClipping``, ``AdaptiveRobustClipping``) and of ``RobustBrSGD``'s clip pass.
/// Naive counterparts: `Reference.norm` and `Reference.clipped` in the tests.
extension Kernels {
    /// Σ_c x[c]² over `count` floats, in Double (8 lanes, lanes summed in order): no
    /// overflow for any finite row, so a row of 1e20s gets its true norm, not +Inf.
    static func squaredNorm(_ x: UnsafePointer<Float>, count: Int) -> Double {
        var acc0 = SIMD8<Double>(), acc1 = SIMD8<Double>()
        var c = 0
        while c + 16 <= count {
            let v = UnsafeRawPointer(x + c).loadUnaligned(as: SIMD16<Float>.self)
            let lo = SIMD8<Double>(v.lowHalf), hi = SIMD8<Double>(v.highHalf)
            acc0 += lo * lo
            acc1 += hi * hi
            c += 16
        }
        acc0 += acc1
        var total = 0.0
        for l in 0 ..< 8 { total += acc0[l] }
        while c < count { let v = Double(x[c]); total += v * v; c += 1 }
        return total
    }

    /// ‖row_i‖₂² for every row, summed per column block, then over blocks in order (so the
    /// result does not depend on the number of threads).
    /// - Complexity: O(md), one streaming pass, parallel over column blocks.
    static func squaredNorms(_ rows: UnsafeBufferPointer<UnsafePointer<Float>>, columnCount d: Int) -> [Double] {
        let m = rows.count
        let blocks = ColumnBlocks(columnCount: d)
        var parts = [Double](repeating: 0, count: blocks.count * m)
        parts.withUnsafeMutableBufferPointer { parts in
            guard let base = parts.baseAddress else { return }
            Parallel.forEach(blocks.count, work: m * d) { b in
                let range = blocks.range(b)
                for r in 0 ..< m {
                    base[b * m + r] = squaredNorm(rows[r] + range.lowerBound, count: range.count)
                }
            }
        }
        var total = [Double](repeating: 0, count: m)
        for b in 0 ..< blocks.count {
            for r in 0 ..< m { total[r] += parts[b * m + r] }
        }
        return total
    }

    /// A new matrix whose row i is rows[i] · scales[i] (in Float); a scale of exactly 1
    /// copies the row bit for bit.
    /// - Precondition: `scales.count == rows.count`.
    /// - Complexity: O(md), one read and one write pass, parallel over rows.
    static func scaledRows(_ rows: UnsafeBufferPointer<UnsafePointer<Float>>, scales: [Float],
                           columnCount d: Int) -> GradientMatrix {
        precondition(scales.count == rows.count)
        let m = rows.count
        // Written once, never zero-filled first (for d = 1e6 the zero fill cost as much as the copy).
        let storage = [Float](unsafeUninitializedCapacity: m * d) { buffer, initialized in
            if let base = buffer.baseAddress {
                Parallel.forEach(m, work: m * d) { i in
                    let source = rows[i], target = base + i * d, scale = scales[i]
                    if scale == 1 {
                        target.initialize(from: source, count: d)
                    } else {
                        for c in 0 ..< d { (target + c).initialize(to: source[c] * scale) }
                    }
                }
            }
            initialized = m * d
        }
        return GradientMatrix(rowCount: m, columnCount: d, storage: storage)
    }

    /// The Float factor min(1, radius / norm) that clips a row of L2 norm `norm` to `radius`:
    /// exactly 1 when norm ≤ radius (the row is left as it is).
    @inline(__always)
    static func clippingScale(norm: Double, radius: Double) -> Float {
        norm > radius ? Float(radius / norm) : 1
    }
}

extension Kernels {
    /// ‖row_i − point‖₂² for every row, in Double throughout (no overflow for finite rows),
    /// summed per column block, then over blocks in order.
    /// - Complexity: O(md), one streaming pass, parallel over column blocks.
    static func squaredDistancesInDouble(_ rows: UnsafeBufferPointer<UnsafePointer<Float>>,
                                         to point: UnsafePointer<Float>, columnCount d: Int) -> [Double] {
        let m = rows.count
        let blocks = ColumnBlocks(columnCount: d)
        var parts = [Double](repeating: 0, count: blocks.count * m)
        parts.withUnsafeMutableBufferPointer { parts in
            guard let base = parts.baseAddress else { return }
            Parallel.forEach(blocks.count, work: m * d) { b in
                let range = blocks.range(b)
                for r in 0 ..< m {
                    base[b * m + r] = squaredDistanceInDouble(rows[r] + range.lowerBound, point + range.lowerBound,
                                                              count: range.count)
                }
            }
        }
        return sumOverBlocks(parts, rowCount: m, blockCount: blocks.count)
    }

    /// point = the mean of `selected` (as ``meanOfRows(_:columnCount:into:)``), and ‖row_i − point‖₂²
    /// for every row of `rows` (as ``squaredDistancesInDouble(_:to:columnCount:)``), block by
    /// block: each block's mean is written and then measured while the block's rows are in the
    /// cache, so the matrix is read once, where the mean and then the distances read the
    /// selected rows twice. The same bits as the two calls.
    /// - Precondition: `selected` is not empty.
    /// - Complexity: O((|rows| + |selected|) · d), one pass over memory, parallel over column blocks.
    static func meanAndSquaredDistancesInDouble(_ rows: UnsafeBufferPointer<UnsafePointer<Float>>,
                                                selected: UnsafeBufferPointer<UnsafePointer<Float>>,
                                                columnCount d: Int, into point: UnsafeMutablePointer<Float>) -> [Double] {
        precondition(!selected.isEmpty)
        let m = rows.count
        let blocks = ColumnBlocks(columnCount: d)
        var parts = [Double](repeating: 0, count: blocks.count * m)
        parts.withUnsafeMutableBufferPointer { parts in
            guard let base = parts.baseAddress else { return }
            Parallel.forEach(blocks.count, work: (m + selected.count) * d) { b in
                let range = blocks.range(b)
                meanOfRows(selected, columns: range, into: point)
                for r in 0 ..< m {
                    base[b * m + r] = squaredDistanceInDouble(rows[r] + range.lowerBound, point + range.lowerBound,
                                                              count: range.count)
                }
            }
        }
        return sumOverBlocks(parts, rowCount: m, blockCount: blocks.count)
    }

    /// Σ_c (x[c] − p[c])² over `count` floats in Double: 8 lanes, summed in order, then the
    /// columns past the last 8 one by one.
    static func squaredDistanceInDouble(_ x: UnsafePointer<Float>, _ p: UnsafePointer<Float>, count: Int) -> Double {
        var acc = SIMD8<Double>()
        var c = 0
        while c + 8 <= count {
            let u = SIMD8<Double>(UnsafeRawPointer(x + c).loadUnaligned(as: SIMD8<Float>.self))
            let v = SIMD8<Double>(UnsafeRawPointer(p + c).loadUnaligned(as: SIMD8<Float>.self))
            let diff = u - v
            acc += diff * diff
            c += 8
        }
        var total = 0.0
        for l in 0 ..< 8 { total += acc[l] }
        while c < count { let diff = Double(x[c]) - Double(p[c]); total += diff * diff; c += 1 }
        return total
    }

    /// total[r] = Σ_b parts[b · m + r], blocks in order.
    static func sumOverBlocks(_ parts: [Double], rowCount m: Int, blockCount: Int) -> [Double] {
        var total = [Double](repeating: 0, count: m)
        for b in 0 ..< blockCount {
            for r in 0 ..< m { total[r] += parts[b * m + r] }
        }
        return total
    }

    /// point[c] ← (1 − Σ_i w_i)·point[c] + Σ_i w_i·rows[i][c], rows in order (those of weight 0
    /// left out), in Float: one centered-clipping step v + Σ w_i (g_i − v) written so that a huge
    /// row with a tiny weight never forms the overflowing difference g_i − v. 16 columns at a
    /// time in registers, written once (the same operations, column by column, as scaling the
    /// point and then adding the rows into it one by one).
    /// - Complexity: O(md), one read of the rows, parallel over column blocks.
    static func blendTowardRows(_ point: UnsafeMutablePointer<Float>, rows: UnsafeBufferPointer<UnsafePointer<Float>>,
                                weights: [Float], columnCount d: Int) {
        precondition(weights.count == rows.count)
        var keep: Float = 1
        for w in weights { keep -= w }
        let kept = (0 ..< rows.count).filter { weights[$0] != 0 }
        let blocks = ColumnBlocks(columnCount: d)
        let keepLanes = SIMD16<Float>(repeating: keep)
        @inline(__always) func load(_ row: UnsafePointer<Float>, _ c: Int) -> SIMD16<Float> {
            UnsafeRawPointer(row + c).loadUnaligned(as: SIMD16<Float>.self)
        }
        kept.withUnsafeBufferPointer { kept in
            weights.withUnsafeBufferPointer { weights in
                Parallel.forEach(blocks.count, work: rows.count * d) { b in
                    let range = blocks.range(b)
                    var c = range.lowerBound
                    while c + 16 <= range.upperBound {
                        let p = UnsafeMutableRawPointer(point + c)
                        var s = p.loadUnaligned(as: SIMD16<Float>.self) * keepLanes
                        for i in kept { s += SIMD16<Float>(repeating: weights[i]) * load(rows[i], c) }
                        p.storeBytes(of: s, as: SIMD16<Float>.self)
                        c += 16
                    }
                    while c < range.upperBound {
                        var s = point[c] * keep
                        for i in kept { s += weights[i] * rows[i][c] }
                        point[c] = s
                        c += 1
                    }
                }
            }
        }
    }
}
