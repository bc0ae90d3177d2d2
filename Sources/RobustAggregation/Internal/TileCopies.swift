/// Copies of 16 columns of m rows into a contiguous tile, written out as straight-line code
/// for m ≤ ``largestRowCount`` (in TileCopies.generated.swift, made by
/// Scripts/generate-tile-copies.py), returning the rows' sum on the way.
///
/// A tile (m rows × 16 floats, row r at r × 64 bytes) is what the per-tile kernels work on:
/// it holds the 16 columns at a stride of one cache line, where rows whose stride is a
/// multiple of 4 KiB (a power-of-two d) put the same column of every row in one cache set
/// and evict each other. Written out, each row's load is its own instruction, advancing by
/// 64 bytes from call to call, which the processor's per-instruction stride prefetcher
/// follows (a loop over the rows has one load jumping a whole row at a time).
enum TileCopies {
    /// (rows, column, tile) → Σ_r rows[r][column ..< column + 16], rows added in order, after
    /// copying row r's 16 values to tile + 64r.
    typealias Function = @Sendable (UnsafePointer<UnsafePointer<Float>>, Int, UnsafeMutableRawPointer) -> SIMD16<Float>
    /// (rows, column, tile): the same copy without the sum.
    typealias CopyOnlyFunction = @Sendable (UnsafePointer<UnsafePointer<Float>>, Int, UnsafeMutableRawPointer) -> Void

    @inline(__always)
    static func load(_ row: UnsafePointer<Float>, _ column: Int) -> SIMD16<Float> {
        UnsafeRawPointer(row + column).loadUnaligned(as: SIMD16<Float>.self)
    }

    /// The copy and sum for any m ≥ 1, as a loop: the reference the written-out copies are
    /// tested against, and the copy for m > ``largestRowCount``.
    static func copyLoop(_ rows: UnsafeBufferPointer<UnsafePointer<Float>>, _ column: Int,
                         _ tile: UnsafeMutableRawPointer) -> SIMD16<Float> {
        var sum = load(rows[0], column)
        tile.storeBytes(of: sum, as: SIMD16<Float>.self)
        for r in 1 ..< rows.count {
            let x = load(rows[r], column)
            tile.storeBytes(of: x, toByteOffset: 64 * r, as: SIMD16<Float>.self)
            sum += x
        }
        return sum
    }

    /// The copy alone for any m ≥ 1, as a loop: the reference for the written-out ones and the
    /// copy for m > ``largestRowCount``.
    static func copyOnlyLoop(_ rows: UnsafeBufferPointer<UnsafePointer<Float>>, _ column: Int,
                             _ tile: UnsafeMutableRawPointer) {
        for r in 0 ..< rows.count {
            tile.storeBytes(of: load(rows[r], column), toByteOffset: 64 * r, as: SIMD16<Float>.self)
        }
    }

    /// A copier for m rows: the written-out ones when there are, else the loops.
    struct Copier {
        let function: Function?
        let copyOnlyFunction: CopyOnlyFunction?
        init(rowCount m: Int) {
            function = TileCopies.function(rowCount: m)
            copyOnlyFunction = TileCopies.copyOnlyFunction(rowCount: m)
        }

        /// Copies the tile and returns the rows' sum.
        @inline(__always)
        func callAsFunction(_ rows: UnsafeBufferPointer<UnsafePointer<Float>>, _ column: Int,
                            _ tile: UnsafeMutableRawPointer) -> SIMD16<Float> {
            if let function, let base = rows.baseAddress { return function(base, column, tile) }
            return TileCopies.copyLoop(rows, column, tile)
        }

        /// Copies the tile only.
        @inline(__always)
        func copyOnly(_ rows: UnsafeBufferPointer<UnsafePointer<Float>>, _ column: Int, _ tile: UnsafeMutableRawPointer) {
            if let copyOnlyFunction, let base = rows.baseAddress { return copyOnlyFunction(base, column, tile) }
            TileCopies.copyOnlyLoop(rows, column, tile)
        }
    }
}
