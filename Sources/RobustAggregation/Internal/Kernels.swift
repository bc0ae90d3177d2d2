/// Small, scoped kernels over contiguous floats. Each has a naive counterpart in the
/// tests (`ReferenceRules`) that results are compared against.
enum Kernels {
    /// One flag per row: true when every entry is finite.
    /// - Complexity: O(md), one streaming pass, parallel over rows.
    static func finiteRowFlags(_ matrix: GradientMatrix) -> [Bool] {
        let m = matrix.rowCount, d = matrix.columnCount
        var flags = [Bool](repeating: true, count: m)
        guard d > 0 else { return flags }
        matrix.withUnsafeStorage { storage in
            guard let base = storage.baseAddress else { return }
            flags.withUnsafeMutableBufferPointer { out in
                Parallel.forEach(m, work: m * d) { i in
                    out[i] = isFinite(base + i * d, count: d)
                }
            }
        }
        return flags
    }

    /// True when none of the `count` floats is NaN or ±Inf.
    ///
    /// Branch-free: the exponent field of a non-finite float is all ones, and adding one to
    /// it carries into the sign bit; OR-ing those sums over the row is an integer
    /// reduction the compiler vectorises.
    static func isFinite(_ values: UnsafePointer<Float>, count: Int) -> Bool {
        values.withMemoryRebound(to: UInt32.self, capacity: count) { bits in
            var carry: UInt32 = 0
            for i in 0 ..< count {
                carry |= (bits[i] & 0x7F80_0000) &+ 0x0080_0000
            }
            return carry & 0x8000_0000 == 0
        }
    }

    /// True when every value is finite (one vectorised pass).
    static func allFinite(_ values: [Float]) -> Bool {
        values.withUnsafeBufferPointer { v in
            guard let base = v.baseAddress else { return true }
            return isFinite(base, count: v.count)
        }
    }

    /// The mean of the given rows, column by column: Σ rows (in the order given) / count.
    /// - Precondition: `rows` is not empty.
    /// - Complexity: O(|rows| · d), parallel over column blocks.
    static func meanOfRows(_ rows: UnsafeBufferPointer<UnsafePointer<Float>>, columnCount d: Int) -> [Float] {
        [Float](unsafeUninitializedCapacity: d) { out, initialized in
            if let base = out.baseAddress { meanOfRows(rows, columnCount: d, into: base) }
            initialized = d
        }
    }

    /// out[c] = Σ rows (in the order given) / count, for c in 0..<d.
    /// - Precondition: `rows` is not empty.
    /// - Complexity: O(|rows| · d), one read of the rows, parallel over column blocks.
    static func meanOfRows(_ rows: UnsafeBufferPointer<UnsafePointer<Float>>, columnCount d: Int,
                           into out: UnsafeMutablePointer<Float>) {
        precondition(!rows.isEmpty)
        let blocks = ColumnBlocks(columnCount: d)
        Parallel.forEach(blocks.count, work: rows.count * d) { b in
            meanOfRows(rows, columns: blocks.range(b), into: out)
        }
    }

    /// out[c] = (rows[0][c] + rows[1][c] + …) / count for c in `columns`, the rows added left to
    /// right, 16 columns at a time in registers: one line of every row per step, and `out`
    /// written once (not once per row).
    static func meanOfRows(_ rows: UnsafeBufferPointer<UnsafePointer<Float>>, columns: Range<Int>,
                           into out: UnsafeMutablePointer<Float>) {
        let n = rows.count
        let first = rows[0]
        let divisor = Float(n), lanes = SIMD16<Float>(repeating: divisor)
        var c = columns.lowerBound
        while c + 16 <= columns.upperBound {
            var s = UnsafeRawPointer(first + c).loadUnaligned(as: SIMD16<Float>.self)
            for r in 1 ..< n { s += UnsafeRawPointer(rows[r] + c).loadUnaligned(as: SIMD16<Float>.self) }
            UnsafeMutableRawPointer(out + c).storeBytes(of: s / lanes, as: SIMD16<Float>.self)
            c += 16
        }
        while c < columns.upperBound {
            var s = first[c]
            for r in 1 ..< n { s += rows[r][c] }
            out[c] = s / divisor
            c += 1
        }
    }

    /// Σ_c (a[c] − b[c])² computed entirely in Double: the direct formula, used where the
    /// Gram identity would lose precision.
    static func squaredDistanceDirect(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Double {
        var total = 0.0
        for c in 0 ..< count {
            let diff = Double(a[c]) - Double(b[c])
            total += diff * diff
        }
        return total
    }
}

extension Kernels {
    /// Σ_c (a[c] − b[c])² over `count` floats, in Float within 16 lanes, lanes summed in
    /// Double. Meant for one column block (≤ 8192 floats).
    static func squaredDistance(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Double {
        var acc = SIMD16<Float>()
        var c = 0
        while c + 16 <= count {
            let x = UnsafeRawPointer(a + c).loadUnaligned(as: SIMD16<Float>.self)
            let y = UnsafeRawPointer(b + c).loadUnaligned(as: SIMD16<Float>.self)
            let diff = x - y
            acc += diff * diff
            c += 16
        }
        var total = 0.0
        for l in 0 ..< 16 { total += Double(acc[l]) }
        while c < count { let diff = a[c] - b[c]; total += Double(diff * diff); c += 1 }
        return total
    }
}
