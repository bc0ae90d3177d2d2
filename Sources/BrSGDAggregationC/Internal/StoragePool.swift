import Synchronization

/// Matrix storage kept between calls, so that a training loop aggregating m × d matrices
/// round after round does not page in a fresh m·d·4 bytes every time.
///
/// A `GradientMatrix` owns its `[Float]`, so the interface must copy the caller's matrix
/// into one. A fresh 80 MB allocation (m = 20, d = 10⁶) costs ~35 ms of page faults here,
/// three times the copy itself and more than the median; a reused one costs nothing.
/// At most ``maximumIdle`` buffers are kept (the two largest recent shapes' worth of
/// memory); ``trim()`` releases them.
///
/// Thread safety: the list is behind a `Mutex`. A buffer handed out may still be shared
/// with the `GradientMatrix` of a call that is finishing; writing into it then triggers
/// Swift's copy-on-write, so sharing can cost a copy but never corrupt a call.
enum StoragePool {
    static let maximumIdle = 2
    private static let idle = Mutex<[[Float]]>([])

    /// An array of exactly `count` floats (contents unspecified), filled from `source`.
    static func filled(from source: UnsafePointer<Float>?, count: Int) -> [Float] {
        var storage = idle.withLock { buffers -> [Float]? in
            guard let index = buffers.firstIndex(where: { $0.count == count }) else { return nil }
            return buffers.remove(at: index)
        } ?? [Float](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
        if count > 0, let source {
            storage.withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: source, count: count) }
        }
        return storage
    }

    /// Keeps `storage` for a later call of the same size (dropping the oldest beyond the limit).
    static func recycle(_ storage: [Float]) {
        guard storage.count > 0 else { return }
        idle.withLock { buffers in
            buffers.append(storage)
            if buffers.count > maximumIdle { buffers.removeFirst() }
        }
    }

    /// Releases every kept buffer.
    static func trim() {
        idle.withLock { $0.removeAll() }
    }
}
