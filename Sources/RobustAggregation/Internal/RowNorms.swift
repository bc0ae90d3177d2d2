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
                blockSquaredDistancesInDouble(rows, to: point, columns: blocks.range(b), into: base + b * m)
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
                blockSquaredDistancesInDouble(rows, to: point, columns: range, into: base + b * m)
            }
        }
        return sumOverBlocks(parts, rowCount: m, blockCount: blocks.count)
    }

    /// out[r] = Σ_{c ∈ columns} (rows[r][c] − point[c])² for every row, as
    /// ``squaredDistanceInDouble(_:_:count:)`` computes it (the same bits), four rows at a time:
    /// the point's columns are loaded and widened once for four rows, and the four rows' sums are
    /// independent chains of additions, where one row at a time waits on its own sum.
    @inline(__always)
    static func blockSquaredDistancesInDouble(_ rows: UnsafeBufferPointer<UnsafePointer<Float>>, to point: UnsafePointer<Float>,
                                              columns: Range<Int>, into out: UnsafeMutablePointer<Double>) {
        let m = rows.count, lo = columns.lowerBound, p = point + lo
        var r = 0
        while r + 4 <= m {
            let sums = squaredDistancesInDouble(rows[r] + lo, rows[r + 1] + lo, rows[r + 2] + lo, rows[r + 3] + lo, p,
                                                count: columns.count)
            for k in 0 ..< 4 { out[r + k] = sums[k] }
            r += 4
        }
        while r < m {
            out[r] = squaredDistanceInDouble(rows[r] + lo, p, count: columns.count)
            r += 1
        }
    }

    /// ``squaredDistanceInDouble(_:_:count:)`` of four rows to one point, each summed exactly
    /// as that function sums it.
    static func squaredDistancesInDouble(_ x0: UnsafePointer<Float>, _ x1: UnsafePointer<Float>, _ x2: UnsafePointer<Float>,
                                         _ x3: UnsafePointer<Float>, _ p: UnsafePointer<Float>, count: Int) -> SIMD4<Double> {
        @inline(__always) func load(_ x: UnsafePointer<Float>, _ c: Int) -> SIMD8<Double> {
            SIMD8<Double>(UnsafeRawPointer(x + c).loadUnaligned(as: SIMD8<Float>.self))
        }
        var a0 = SIMD8<Double>(), a1 = SIMD8<Double>(), a2 = SIMD8<Double>(), a3 = SIMD8<Double>()
        var c = 0
        while c + 8 <= count {
            let v = load(p, c)
            let d0 = load(x0, c) - v, d1 = load(x1, c) - v, d2 = load(x2, c) - v, d3 = load(x3, c) - v
            a0 += d0 * d0
            a1 += d1 * d1
            a2 += d2 * d2
            a3 += d3 * d3
            c += 8
        }
        let tail = c
        @inline(__always) func total(_ acc: SIMD8<Double>, _ x: UnsafePointer<Float>) -> Double {
            var total = 0.0
            for l in 0 ..< 8 { total += acc[l] }
            var c = tail
            while c < count { let diff = Double(x[c]) - Double(p[c]); total += diff * diff; c += 1 }
            return total
        }
        return SIMD4(total(a0, x0), total(a1, x1), total(a2, x2), total(a3, x3))
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

    /// One centered-clipping step of radius τ from `point`, given each row's distance r_i to
    /// it: w_i = min(1, τ / r_i) (1 when r_i ≤ τ), then ``blendTowardRows(_:rows:weights:columnCount:)``
    /// with weights w_i / m. Returns the w_i. What ``RobustBrSGD`` and ``HistoryBrSGD`` end with.
    /// - Complexity: O(md), one read of the rows.
    static func clippingStep(_ point: UnsafeMutablePointer<Float>, rows: UnsafeBufferPointer<UnsafePointer<Float>>,
                             distances: [Double], radius: Double, columnCount d: Int) -> [Double] {
        let weights = distances.map { $0 > radius ? radius / $0 : 1 }
        let m = Double(rows.count)
        blendTowardRows(point, rows: rows, weights: weights.map { Float($0 / m) }, columnCount: d)
        return weights
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
                    // 32 columns at a time: two independent sums per row added, each column's
                    // operations those of the 16-column loop below.
                    while c + 32 <= range.upperBound {
                        let p = UnsafeMutableRawPointer(point + c)
                        var s0 = p.loadUnaligned(as: SIMD16<Float>.self) * keepLanes
                        var s1 = p.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self) * keepLanes
                        for i in kept {
                            let w = SIMD16<Float>(repeating: weights[i])
                            s0 += w * load(rows[i], c)
                            s1 += w * load(rows[i], c + 16)
                        }
                        p.storeBytes(of: s0, as: SIMD16<Float>.self)
                        p.storeBytes(of: s1, toByteOffset: 64, as: SIMD16<Float>.self)
                        c += 32
                    }
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
