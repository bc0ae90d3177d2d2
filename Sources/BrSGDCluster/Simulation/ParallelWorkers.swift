import Dispatch

/// Runs `body(lane)` for lanes 0..<count concurrently, each lane on its own thread, and
/// returns when all are done. Kernels stay in synchronous functions: tasks only fan out.
///
/// The cast to `@Sendable` is sound under the contract every caller keeps: lane `k` only
/// touches state it owns (its own `GradientComputer`, the matrix rows of its own workers,
/// its own slot of result arrays) and reads shared data that nobody writes meanwhile;
/// `concurrentPerform` returns only after every lane finished, so nothing escapes.
func forEachLane(_ count: Int, _ body: (Int) -> Void) {
    if count <= 1 {
        for lane in 0 ..< count { body(lane) }
        return
    }
    withoutActuallyEscaping(body) { body in
        let sendable = unsafeBitCast(body, to: (@Sendable (Int) -> Void).self)
        DispatchQueue.concurrentPerform(iterations: count, execute: sendable)
    }
}
