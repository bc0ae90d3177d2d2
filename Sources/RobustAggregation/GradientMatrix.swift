/// The gradients of one round: m rows (workers) by d columns (model parameters),
/// row-major and contiguous: entry (i, c) is at `i * columnCount + c`.
///
/// A worker writes its gradient straight into its row, so the master keeps one
/// preallocated matrix for the whole run and copies nothing per round:
///
/// ```swift
/// var gradients = GradientMatrix(rowCount: 20, columnCount: model.parameterCount)
/// gradients.withUnsafeMutableRow(3) { row in worker.computeGradient(into: row) }
/// let result = try BrSGD(selectionFraction: 0.5).aggregate(gradients)
/// ```
///
/// **Owned or borrowed.** A matrix made by an initializer owns its `[Float]` (a value, shared
/// copy-on-write). ``withBorrowed(rowCount:columnCount:storage:_:)`` instead lends a closure a
/// matrix that reads memory the caller owns, in place, for the duration of the call: what
/// the C interface does with the caller's array, so no rule copies it. The rules only read
/// their input (pre-aggregations such as clipping or nearest-neighbour mixing build a new
/// matrix of their own), so they run on a borrowed matrix unchanged, with the same bytes.
/// A borrowed matrix is still a value: the first write (subscript, `withUnsafeMutableRow`,
/// `withUnsafeMutableStorage`) copies it into storage of its own, O(md) once, and never
/// writes the caller's memory; ``storage`` copies it too.
public struct GradientMatrix: Sendable {
    /// The number of rows m (one per worker).
    public let rowCount: Int
    /// The number of columns d (the model dimension).
    public let columnCount: Int
    /// The values when the matrix owns them; empty while it borrows.
    private var owned: [Float]
    /// The caller's memory, while the matrix is a borrowed view.
    private var borrowed: BorrowedFloats?

    /// A zero-filled m × d matrix.
    /// - Precondition: `rowCount >= 0`, `columnCount >= 0`.
    public init(rowCount: Int, columnCount: Int) {
        self.init(rowCount: rowCount, columnCount: columnCount,
                  storage: [Float](repeating: 0, count: rowCount * columnCount))
    }

    /// A matrix over existing row-major storage (no copy beyond the array's own CoW).
    /// - Precondition: `storage.count == rowCount * columnCount`.
    public init(rowCount: Int, columnCount: Int, storage: [Float]) {
        Self.checkShape(rowCount, columnCount, storage.count)
        self.rowCount = rowCount
        self.columnCount = columnCount
        self.owned = storage
        self.borrowed = nil
    }

    private init(rowCount: Int, columnCount: Int, borrowing borrowed: BorrowedFloats) {
        self.rowCount = rowCount
        self.columnCount = columnCount
        self.owned = []
        self.borrowed = borrowed
    }

    /// A matrix from rows of equal length (convenient in tests and small tools; not for hot paths).
    /// - Precondition: every row has the same length.
    public init(rows: [[Float]]) {
        let columns = rows.first?.count ?? 0
        precondition(rows.allSatisfy { $0.count == columns }, "rows must have equal lengths")
        self.init(rowCount: rows.count, columnCount: columns, storage: rows.flatMap { $0 })
    }

    /// Calls `body` with an m × d matrix that reads `storage`, row-major, in place: no copy.
    ///
    /// The rule: the matrix lives only for the call. `body` may aggregate it, copy it or
    /// copy rows of it, but must not keep it (in a variable, a property, a task) past its
    /// return; when it has, the call traps (the check is one reference count, O(1)) rather
    /// than leave a matrix that reads memory it no longer may. The caller keeps `storage`
    /// valid and unchanged until the call returns; the matrix never writes it (a write copies
    /// the matrix first, see the type's documentation).
    ///
    /// - Complexity: O(1) besides `body`: the values are neither copied nor scanned.
    /// - Precondition: `storage.count == rowCount * columnCount`.
    public static func withBorrowed<R, E: Error>(
        rowCount: Int, columnCount: Int, storage: UnsafeBufferPointer<Float>,
        _ body: (GradientMatrix) throws(E) -> R
    ) throws(E) -> R {
        checkShape(rowCount, columnCount, storage.count)
        var lent = BorrowedFloats(storage)
        defer {
            precondition(isKnownUniquelyReferenced(&lent),
                         "a GradientMatrix lent by withBorrowed outlived the call; copy what must be kept")
        }
        return try body(GradientMatrix(rowCount: rowCount, columnCount: columnCount, borrowing: lent))
    }

    /// True while the matrix reads memory lent by ``withBorrowed(rowCount:columnCount:storage:_:)``.
    public var isBorrowed: Bool { borrowed != nil }

    /// The row-major values as an array: the matrix's own (no copy) or, for a borrowed
    /// matrix, a copy (O(md)).
    public var storage: [Float] {
        if let borrowed { return Array(borrowed.values) }
        return owned
    }

    /// Entry (row, column).
    public subscript(row: Int, column: Int) -> Float {
        get {
            precondition(row >= 0 && row < rowCount && column >= 0 && column < columnCount,
                         "entry (\(row), \(column)) out of range \(rowCount) × \(columnCount)")
            return withUnsafeStorage { $0[row * columnCount + column] }
        }
        set {
            precondition(row >= 0 && row < rowCount && column >= 0 && column < columnCount,
                         "entry (\(row), \(column)) out of range \(rowCount) × \(columnCount)")
            ownStorage()
            owned[row * columnCount + column] = newValue
        }
    }

    /// A copy of row `index` (for diagnostics and tests; hot paths use the unsafe accessors).
    /// - Complexity: O(d).
    public func row(_ index: Int) -> [Float] {
        precondition(index >= 0 && index < rowCount, "row \(index) out of range 0..<\(rowCount)")
        let d = columnCount
        return withUnsafeStorage { Array($0[index * d ..< (index + 1) * d]) }
    }

    /// Calls `body` with a mutable view of row `index`, the place a worker writes its gradient.
    /// - Complexity: O(1) (no copy unless the storage is shared or borrowed).
    public mutating func withUnsafeMutableRow<R>(
        _ index: Int, _ body: (UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        precondition(index >= 0 && index < rowCount, "row \(index) out of range 0..<\(rowCount)")
        let d = columnCount
        ownStorage()
        return try owned.withUnsafeMutableBufferPointer { all in
            try body(UnsafeMutableBufferPointer(rebasing: all[index * d ..< (index + 1) * d]))
        }
    }

    /// Calls `body` with a mutable view of the whole row-major storage.
    /// - Complexity: O(1) (no copy unless the storage is shared or borrowed).
    public mutating func withUnsafeMutableStorage<R>(
        _ body: (UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        ownStorage()
        return try owned.withUnsafeMutableBufferPointer { try body($0) }
    }

    /// Calls `body` with a read-only view of the whole row-major storage: the matrix's own
    /// array or the borrowed memory, in place. The pointer is valid only inside `body`.
    /// - Complexity: O(1).
    public func withUnsafeStorage<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        if let borrowed { return try body(borrowed.values) }
        return try owned.withUnsafeBufferPointer { try body($0) }
    }

    /// Makes the values the matrix's own before a write: copies borrowed memory (O(md)).
    private mutating func ownStorage() {
        guard let lent = borrowed else { return }
        owned = Array(lent.values)
        borrowed = nil
    }

    private static func checkShape(_ rowCount: Int, _ columnCount: Int, _ count: Int) {
        precondition(rowCount >= 0 && columnCount >= 0, "GradientMatrix dimensions must be non-negative")
        precondition(count == rowCount * columnCount,
                     "storage holds \(count) values, expected \(rowCount) × \(columnCount)")
    }
}

extension GradientMatrix: Equatable {
    /// Same shape and the same values, element by element (`Float`'s `==`: a NaN differs
    /// from itself unless both sides are the same storage, as for `[Float]`); owned and
    /// borrowed matrices compare by their values.
    /// - Complexity: O(md).
    public static func == (a: GradientMatrix, b: GradientMatrix) -> Bool {
        guard a.rowCount == b.rowCount && a.columnCount == b.columnCount else { return false }
        if a.borrowed == nil && b.borrowed == nil { return a.owned == b.owned }
        return a.withUnsafeStorage { x in
            b.withUnsafeStorage { y in x.baseAddress == y.baseAddress || x.elementsEqual(y) }
        }
    }
}

/// Memory lent to a ``GradientMatrix`` for one ``GradientMatrix/withBorrowed(rowCount:columnCount:storage:_:)``
/// call. A class, so that the call can see by its reference count that no matrix kept it.
///
/// `@unchecked Sendable`: the values are only read, and the lender keeps them valid and
/// unchanged until the call returns, which it does only once no matrix refers to them.
private final class BorrowedFloats: @unchecked Sendable {
    let values: UnsafeBufferPointer<Float>
    init(_ values: UnsafeBufferPointer<Float>) { self.values = values }
}
