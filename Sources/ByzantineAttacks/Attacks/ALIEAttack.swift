import SeededRandom

/// "A little is enough": every Byzantine worker sends the honest mean moved z standard
/// deviations in each coordinate — close enough to the honest gradients to pass
/// distance- and median-based filters, and consistently biased.
///
/// Rule: output[c] = μ[c] − z · σ[c], with μ the coordinate-wise mean and σ the
/// coordinate-wise *sample* (Bessel-corrected, h − 1) standard deviation of the h honest
/// gradients of the round (as `torch.std` computes it in the reference implementations;
/// 0 when h = 1). Parameter: z; when `nil`, it comes from m and f as in the paper's
/// Algorithm 3: the number of supporters the attackers need is s = ⌊m/2 + 1⌋ − f, and
/// z = Φ⁻¹((m − s)/m). Knowledge: the honest gradients of the round (omniscient).
///
/// From Baruch, Baruch & Goldberg, "A Little Is Enough: Circumventing Defenses For
/// Distributed Learning", NeurIPS 2019. Departures: the direction of the shift is a
/// convention, and we subtract, as the reference implementations do (e.g. Karimireddy,
/// He & Jaggi's); the paper has the attackers estimate μ and σ from their own data,
/// while we, omniscient in simulation, use the honest gradients themselves. Some implementations use
/// (h − s)/h with h = m − f instead of (m − s)/m; we follow the paper.
public struct ALIEAttack: Attack {
    /// z, the number of standard deviations to move; `nil` for the paper's choice from m and f.
    public let z: Double?

    /// - Precondition: `z` is `nil` or finite.
    public init(z: Double? = nil) {
        precondition(z?.isFinite ?? true, "alie: z must be finite, got \(z!)")
        self.z = z
    }

    public var name: String { "alie(z=\(z.map(formatParameter) ?? "auto"))" }
    public var knowledge: AttackKnowledge { .honestGradients }
    /// Every Byzantine worker sends the same vector (it depends only on the honest rows, m and f).
    public var isIdenticalAcrossWorkers: Bool { true }

    /// z = Φ⁻¹((m − s)/m) with s = ⌊m/2 + 1⌋ − f, the supporters the attackers need.
    ///
    /// For m = 20, f = 5: s = 6 and z = Φ⁻¹(0.7) ≈ 0.5244.
    /// - Throws: ``AttackError/Code/invalidSetting`` unless 1 ≤ s ≤ m − 1 (that is, z is
    ///   finite: f ≤ ⌊m/2⌋, and m ≥ 2), or m, f are out of range.
    /// - Complexity: O(1).
    public static func automaticZ(workerCount m: Int, byzantineCount f: Int) throws(AttackError) -> Double {
        try validateCounts(workerCount: m, byzantineCount: f)
        let s = m / 2 + 1 - f
        guard s >= 1, s <= m - 1 else {
            throw AttackError(
                code: .invalidSetting,
                message: "alie: with workerCount m = \(m) and byzantineCount f = \(f) the supporters "
                    + "s = floor(m/2 + 1) - f = \(s) must lie in 1...\(m - 1) for a finite z "
                    + "(need m ≥ 2 and f ≤ floor(m/2)); give z explicitly instead")
        }
        return standardNormalQuantile(Double(m - s) / Double(m))
    }

    /// With z = nil, checks that z is finite for these m and f (see ``automaticZ(workerCount:byzantineCount:)``).
    public func validate(workerCount: Int, byzantineCount: Int) throws(AttackError) {
        try validateCounts(workerCount: workerCount, byzantineCount: byzantineCount)
        if z == nil { _ = try Self.automaticZ(workerCount: workerCount, byzantineCount: byzantineCount) }
    }

    /// - Precondition: `context.honestGradients` holds at least one row of width d; with
    ///   z = nil, ``validate(workerCount:byzantineCount:)`` passes for the context's m and f.
    /// - Complexity: O(h·d) (two passes over the honest rows), O(d) scratch.
    public func craft(
        into output: UnsafeMutableBufferPointer<Float>, context: AttackContext,
        generator: inout SeededGenerator
    ) {
        let honest = context.requireHonestGradients(count: output.count, attack: "alie")
        let zValue: Double
        if let z {
            zValue = z
        } else {
            do {
                zValue = try Self.automaticZ(workerCount: context.workerCount, byzantineCount: context.byzantineCount)
            } catch {
                preconditionFailure(error.description)
            }
        }
        let d = output.count
        guard d > 0 else { return }
        honest.columnMean(into: output)
        withUnsafeTemporaryAllocation(of: Float.self, capacity: d) { deviation in
            honest.columnStandardDeviation(
                into: deviation, mean: UnsafeBufferPointer(output), estimator: .sample)
            let zf = Float(zValue)
            let out = output.baseAddress!, sd = deviation.baseAddress!
            for c in 0..<d { out[c] -= zf * sd[c] }
        }
    }
}
