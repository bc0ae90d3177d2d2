import Synchronization

/// An event that fires once and that any number of tasks can wait for, with a timeout and
/// with cancellation (a cancelled waiter returns at once). The master opens a round with a
/// fresh signal; the last gradient of the round fires it.
final class OneShotSignal: Sendable {
    private struct State {
        var isFired = false
        var nextWaiter: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = Mutex(State())

    init() {}

    var isFired: Bool { state.withLock { $0.isFired } }

    /// Wakes every waiter, now and later. Firing twice does nothing more.
    func fire() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard !state.isFired else { return [] }
            state.isFired = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns when the signal fires or the task is cancelled.
    func wait() async {
        let id = state.withLock { state -> UInt64 in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.isFired || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }

    /// Waits at most `timeout`. Returns true when the signal fired.
    func wait(timeout: Duration) async -> Bool {
        if isFired { return true }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.wait() }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
        return isFired
    }
}

extension OneShotSignal {
    /// Returns when any of `signals` fires, `timeout` passes, or the task is cancelled.
    static func first(of signals: [OneShotSignal], timeout: Duration) async {
        if signals.contains(where: \.isFired) { return }
        await withTaskGroup(of: Void.self) { group in
            for signal in signals { group.addTask { await signal.wait() } }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
    }
}
