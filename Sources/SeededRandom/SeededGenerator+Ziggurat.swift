extension SeededGenerator {
    /// A standard normal draw by the ziggurat method (Marsaglia & Tsang, "The Ziggurat Method
    /// for Generating Random Variables", J. Stat. Softw. 2000), ~10× faster than Box–Muller.
    ///
    /// Where we depart: the layer index and the value come from different bits of one
    /// 64-bit draw, which removes the correlation Doornik (2005) found in the original RNOR.
    /// - Complexity: O(1) expected; about 97% of draws (2.7% measured outside) take one table look-up and a multiply.
    public mutating func nextZigguratNormal() -> Double {
        nextZigguratNormal(ZigguratTables.shared)
    }

    /// Fills `values` with independent N(0, σ²) draws (ziggurat), in order: `values[i]` is
    /// `Float(nextZigguratNormal()) · σ`, the tables looked up once for the whole buffer.
    ///
    /// The generator's state stays in registers through the rectangle tests and goes back to
    /// `self` only around the draws outside their rectangle (the tail or a wedge, which may
    /// draw more): the same draws in the same order as `nextZigguratNormal()` one by one, the
    /// same values and the same state afterwards (through `self` at every draw, storing and
    /// reloading the state would pace the loop; `brsgd bench attacks --attacks gaussian`
    /// measures it).
    /// - Complexity: O(n).
    public mutating func fillNormal(_ values: UnsafeMutableBufferPointer<Float>, standardDeviation: Float) {
        guard let out = values.baseAddress else { return }
        let tables = ZigguratTables.shared
        var local = state
        var i = 0
        while i < values.count {
            let point = tables.point(local.next())
            if let x = point.inRectangle {
                out[i] = Float(x) * standardDeviation
                i += 1
                continue
            }
            state = local
            if let x = zigguratEdge(layer: point.layer, h: point.h, tables: tables) {
                out[i] = Float(x) * standardDeviation
                i += 1
            }
            local = state
        }
        state = local
    }

    /// One ziggurat draw: the rectangle test inline, the tail and wedges out of line; a
    /// rejected wedge point starts a new draw.
    @inline(__always)
    private mutating func nextZigguratNormal(_ tables: ZigguratTables) -> Double {
        while true {
            let point = tables.point(next())
            if let x = point.inRectangle { return x }
            if let x = zigguratEdge(layer: point.layer, h: point.h, tables: tables) { return x }
        }
    }

    /// A draw whose 32-bit value fell outside its layer's rectangle: the tail beyond r
    /// (layer 0), or the wedge between two layers, accepted under the density or rejected (nil).
    @inline(never)
    private mutating func zigguratEdge(layer: Int, h: Int64, tables: ZigguratTables) -> Double? {
        if layer == 0 {
            // The tail beyond r, by Marsaglia's exponential method.
            var tailX = 0.0, y = 0.0
            repeat {
                tailX = -_log(1 - nextUnitDouble()) / ZigguratTables.r
                y = -_log(1 - nextUnitDouble())
            } while y + y < tailX * tailX
            return h > 0 ? ZigguratTables.r + tailX : -ZigguratTables.r - tailX
        }
        let x = Double(h) * tables.w[layer]
        return tables.f[layer] + nextUnitDouble() * (tables.f[layer - 1] - tables.f[layer]) < _exp(-0.5 * x * x) ? x : nil
    }
}

/// The 128-layer tables of Marsaglia & Tsang's RNOR, computed once.
///
/// Held in memory allocated once and never freed nor written after `init`, so that a draw
/// reads them without reference counting or bounds checks (`@unchecked Sendable`: they are
/// immutable once built).
struct ZigguratTables: @unchecked Sendable {
    static let r = 3.442619855899
    static let shared = ZigguratTables()

    /// Acceptance bounds for the 32-bit signed draw, per layer (128 entries).
    let k: UnsafePointer<Int64>
    /// Scale from the draw to x, per layer (128 entries).
    let w: UnsafePointer<Double>
    /// The density exp(−x²/2) at each layer's edge (128 entries).
    let f: UnsafePointer<Double>

    /// What one draw's 64 bits give: the layer (the low 7 bits), the signed 32-bit value (the
    /// high 32), and the normal value when that point lies inside its layer's rectangle (nil:
    /// the tail or a wedge decides). The one place the bits are split, for both draw loops.
    @inline(__always)
    func point(_ bits: UInt64) -> (layer: Int, h: Int64, inRectangle: Double?) {
        let layer = Int(bits & 127)
        let h = Int64(Int32(truncatingIfNeeded: bits >> 32))
        return (layer, h, abs(h) < k[layer] ? Double(h) * w[layer] : nil)
    }

    private init() {
        let m1 = 2_147_483_648.0
        let v = 9.91256303526217e-3
        var dn = Self.r, tn = dn
        let q = v / _exp(-0.5 * dn * dn)
        let k = UnsafeMutablePointer<Int64>.allocate(capacity: 128)
        let w = UnsafeMutablePointer<Double>.allocate(capacity: 128)
        let f = UnsafeMutablePointer<Double>.allocate(capacity: 128)
        k.initialize(repeating: 0, count: 128)
        w.initialize(repeating: 0, count: 128)
        f.initialize(repeating: 0, count: 128)
        k[0] = Int64((dn / q) * m1)
        k[1] = 0
        w[0] = q / m1
        w[127] = dn / m1
        f[0] = 1
        f[127] = _exp(-0.5 * dn * dn)
        for i in stride(from: 126, through: 1, by: -1) {
            dn = (-2 * _log(v / dn + _exp(-0.5 * dn * dn))).squareRoot()
            k[i + 1] = Int64((dn / tn) * m1)
            tn = dn
            f[i] = _exp(-0.5 * dn * dn)
            w[i] = dn / m1
        }
        self.k = UnsafePointer(k)
        self.w = UnsafePointer(w)
        self.f = UnsafePointer(f)
    }
}
