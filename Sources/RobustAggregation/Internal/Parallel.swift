import Dispatch

/// Fans work out over the cores. Kernels stay in synchronous functions; this only splits
/// index ranges: a hot loop belongs in a synchronous function, not in a task closure.
enum Parallel {
    /// Below this many floats touched, threads cost more than they save.
    static let minimumParallelWork = 1 << 17

    /// Runs `body(i)` for every i in 0..<count, concurrently when `work` (floats touched in
    /// all) is large enough. Results must not depend on which thread runs which index.
    ///
    /// Contract (what makes the cast below sound): iterations only read shared data and
    /// write memory that no other iteration touches (their own column block or row), and
    /// `concurrentPerform` returns only after every iteration has finished, so nothing
    /// `body` captures is used concurrently with the caller or outlives the call.
    static func forEach(_ count: Int, work: Int, _ body: (Int) -> Void) {
        if count <= 1 || work < minimumParallelWork {
            for i in 0..<count { body(i) }
        } else {
            withoutActuallyEscaping(body) { body in
                let sendableBody = unsafeBitCast(body, to: (@Sendable (Int) -> Void).self)
                DispatchQueue.concurrentPerform(iterations: count, execute: sendableBody)
            }
        }
    }
}

/// Column blocks of fixed width. Row reductions (scores, distances, dot products) are
/// summed per block, then over blocks in order, so results do not depend on the number
/// of threads.
struct ColumnBlocks {
    static let width = 8192
    let columnCount: Int
    var count: Int { (columnCount + Self.width - 1) / Self.width }
    func range(_ block: Int) -> Range<Int> {
        let start = block * Self.width
        return start ..< min(start + Self.width, columnCount)
    }
}
