import SeededRandom

/// Every Byzantine worker copies one honest worker's gradient, over-weighting that
/// worker's data: harmless with IID data, a real bias with heterogeneous (non-IID) data,
/// and invisible to any outlier filter.
///
/// Rule: output = g_target, the gradient of honest worker `target` this round (the honest
/// worker with the lowest index when `target` is `nil`). Parameter: target, a worker index.
/// Knowledge: the honest gradients of the round (omniscient).
///
/// From Karimireddy, He & Jaggi, "Byzantine-Robust Learning on Heterogeneous Datasets via
/// Bucketing", ICLR 2022. Departure: the paper picks the target by a warm-up phase that
/// maximises the variance the attackers add; we take a fixed worker (configurable).
public struct MimicAttack: Attack {
    /// The worker whose gradient is copied; `nil` for the lowest-indexed honest worker.
    public let target: Int?

    /// - Precondition: `target` is `nil` or ≥ 0.
    public init(target: Int? = nil) {
        precondition((target ?? 0) >= 0, "mimic: target must be a worker index ≥ 0, got \(target!)")
        self.target = target
    }

    public var name: String { "mimic(target=\(target.map { String($0) } ?? "first-honest"))" }
    public var knowledge: AttackKnowledge { .honestGradients }

    /// Checks that the target (when given) is a worker: 0 ≤ target < m. Whether it is
    /// honest depends on the simulation's choice of Byzantine workers; `craft` traps if not.
    public func validate(workerCount: Int, byzantineCount: Int) throws(AttackError) {
        try validateCounts(workerCount: workerCount, byzantineCount: byzantineCount)
        if let target, target >= workerCount {
            throw AttackError(
                code: .invalidSetting,
                message: "mimic: target is worker \(target); it must lie in 0..<\(workerCount) (workerCount)")
        }
    }

    /// - Precondition: `context.honestGradients` holds at least one row of width d, and
    ///   includes `target` when it is given.
    /// - Complexity: O(d) (plus O(h) to find the target).
    public func craft(
        into output: UnsafeMutableBufferPointer<Float>, context: AttackContext,
        generator: inout SeededGenerator
    ) {
        let honest = context.requireHonestGradients(count: output.count, attack: "mimic")
        let worker = target ?? honest.rowIndices.min()!
        guard let position = honest.rowIndices.firstIndex(of: worker) else {
            preconditionFailure("mimic: target worker \(worker) is not honest in round \(context.round)")
        }
        honest.withUnsafeRow(at: position) { row in
            guard let source = row.baseAddress, let destination = output.baseAddress else { return }
            destination.update(from: source, count: output.count)
        }
    }
}
