import SeededRandom

/// Every Byzantine worker copies one honest worker's gradient, over-weighting that
/// worker's data: harmless with IID data, a real bias with heterogeneous (non-IID) data,
/// and invisible to any outlier filter.
///
/// Rule: output = g_t, the gradient of honest worker t this round, where t is
/// - ``Mode/fixed``: `target`, or the honest worker with the lowest index when `target` is
///   `nil`;
/// - ``Mode/maxVariance``: the honest worker farthest from the honest mean μ along the top
///   principal direction of the honest gradients this round — t = argmax_i |(g_i − μ)·z|,
///   z the unit eigenvector of the largest eigenvalue of Σ_i (g_i − μ)(g_i − μ)ᵀ (ties:
///   the first in the honest rows' order). Computed without forming that d × d matrix: with
///   K the h × h Gram matrix of the centred rows and u its top eigenvector (Jacobi),
///   (g_i − μ)·z = √λ·u_i, so t = argmax_i |u_i|.
///
/// Parameters: target, a worker index (fixed mode only), and mimic_mode (`fixed` by default,
/// or `max-variance`). Knowledge: the honest gradients of the round (omniscient). Every
/// Byzantine worker sends the same vector.
///
/// From Karimireddy, He & Jaggi, "Byzantine-Robust Learning on Heterogeneous Datasets via
/// Bucketing", ICLR 2022 (the mimic attack: copying the worker that maximises the
/// variance the attackers add, found along the top eigenvector of the honest covariance).
/// Their code (github.com/epfml/byzantine-robust-noniid-optimizer, `codes/attacks/mimic.py`,
/// `MimicVariantAttacker`) estimates z by an online power iteration over a warm-up phase
/// of rounds, picks argmax_i g_i·z each warm-up round, then keeps that worker. Departures:
/// our attacks hold no state across rounds, so max-variance computes z exactly from the
/// current round alone and re-picks t every round; and it ranks by |(g_i − μ)·z| — the
/// sign of an eigenvector is arbitrary, and g_i·z and (g_i − μ)·z differ by the same μ·z
/// for every i. Fixed mode is ByzFL's `Mimic(epsilon)` and their `MimicAttacker`.
public struct MimicAttack: Attack {
    /// How the worker to copy is chosen.
    public enum Mode: String, CaseIterable, Sendable, Codable, CustomStringConvertible {
        /// A fixed worker: `target`, or the lowest-indexed honest worker.
        case fixed
        /// This round's honest worker farthest from the mean along the top principal direction.
        case maxVariance = "max-variance"

        public var description: String { rawValue }
    }

    /// The worker whose gradient is copied in fixed mode; `nil` for the lowest-indexed
    /// honest worker (always `nil` in max-variance mode).
    public let target: Int?
    /// How the worker to copy is chosen.
    public let mode: Mode

    /// - Precondition: `target` is `nil` or ≥ 0, and `nil` unless `mode` is fixed.
    public init(target: Int? = nil, mode: Mode = .fixed) {
        precondition((target ?? 0) >= 0, "mimic: target must be a worker index ≥ 0, got \(target!)")
        precondition(mode == .fixed || target == nil, "mimic: a target applies only in fixed mode")
        self.target = target
        self.mode = mode
    }

    public var name: String {
        switch mode {
        case .fixed: "mimic(target=\(target.map { String($0) } ?? "first-honest"))"
        case .maxVariance: "mimic(target=max-variance)"
        }
    }
    public var knowledge: AttackKnowledge { .honestGradients }
    public var isIdenticalAcrossWorkers: Bool { true }

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

    /// The worker copied this round (a row index of the round's matrix).
    /// - Precondition: as for ``craft(into:context:generator:)``.
    /// - Complexity: O(h) in fixed mode; O(h²·d + h³) in max-variance mode.
    public func targetWorker(context: AttackContext) -> Int {
        let honest = context.requireHonestGradients(attack: "mimic")
        return honest.rowIndices[targetPosition(honest, round: context.round)]
    }

    /// - Precondition: `context.honestGradients` holds at least one row of width d, and
    ///   includes `target` when it is given.
    /// - Complexity: O(d) (plus O(h) to find the target) in fixed mode; in max-variance
    ///   mode O(h·d) for μ, O(h²·d) for the Gram matrix, O(h³) per Jacobi sweep, O(d) scratch.
    public func craft(
        into output: UnsafeMutableBufferPointer<Float>, context: AttackContext,
        generator: inout SeededGenerator
    ) {
        let honest = context.requireHonestGradients(count: output.count, attack: "mimic")
        honest.withUnsafeRow(at: targetPosition(honest, round: context.round)) { row in
            guard let source = row.baseAddress, let destination = output.baseAddress else { return }
            destination.update(from: source, count: output.count)
        }
    }

    /// The position in `honest.rowIndices` of the worker to copy.
    private func targetPosition(_ honest: HonestGradients, round: Int) -> Int {
        switch mode {
        case .fixed:
            let worker = target ?? honest.rowIndices.min()!
            guard let position = honest.rowIndices.firstIndex(of: worker) else {
                preconditionFailure("mimic: target worker \(worker) is not honest in round \(round)")
            }
            return position
        case .maxVariance:
            let d = honest.columnCount
            let gram = withUnsafeTemporaryAllocation(of: Float.self, capacity: max(d, 1)) { scratch in
                let mean = UnsafeMutableBufferPointer(rebasing: scratch[0 ..< d])
                honest.columnMean(into: mean)
                return honest.centeredGram(center: UnsafeBufferPointer(mean))
            }
            let u = topEigenvector(of: gram, size: honest.count)
            var best = 0
            for i in u.indices where abs(u[i]) > abs(u[best]) { best = i }
            return best
        }
    }
}
