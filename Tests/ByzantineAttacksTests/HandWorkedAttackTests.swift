import Testing
import ByzantineAttacks
import RobustAggregation
import SeededRandom

/// Each attack on small matrices, against results worked out by hand (in the comments).
@Suite struct HandWorkedAttackTests {
    /// Rows 0 and 1 honest, row 2 Byzantine (its content must be ignored).
    static let matrix = GradientMatrix(rows: [[1, 2], [3, -4], [100, 100]])

    @Test func modelNegationIsMinusScaleTimesTheHonestSum() {
        // Σ honest = [1 + 3, 2 − 4] = [4, −2] → −1e10 × that = [−4e10, 2e10] (exact in Float).
        let output = Support.craft(ModelNegationAttack(), matrix: Self.matrix, byzantineRows: [2])
        #expect(output == [-4e10, 2e10])
        let small = Support.craft(ModelNegationAttack(scale: 0.5), matrix: Self.matrix, byzantineRows: [2])
        #expect(small == [-2, 1])
    }

    @Test func gradientScaleMultipliesTheOwnGradient() {
        // 1e10 × [1, −0.5, 0] = [1e10, −5e9, 0].
        #expect(Support.craft(GradientScaleAttack(), ownGradient: [1, -0.5, 0]) == [1e10, -5e9, 0])
        #expect(Support.craft(GradientScaleAttack(scale: 3), ownGradient: [1, -0.5]) == [3, -1.5])
    }

    @Test func signFlipNegatesTheOwnGradient() {
        #expect(Support.craft(SignFlipAttack(), ownGradient: [1, -2, 0.25]) == [-1, 2, -0.25])
        #expect(Support.craft(SignFlipAttack(scale: 4), ownGradient: [1, -2]) == [-4, 8])
    }

    @Test func ownGradientAttacksMayOverwriteTheirInputInPlace() {
        // The worker's row is both the own gradient and the output.
        var row: [Float] = [1, -2, 3]
        var rng = SeededGenerator(seed: 0)
        row.withUnsafeMutableBufferPointer { buffer in
            let context = AttackContext(
                round: 0, workerIndex: 1, workerCount: 3, byzantineCount: 1,
                ownGradient: UnsafeBufferPointer(buffer))
            SignFlipAttack(scale: 2).craft(into: buffer, context: context, generator: &rng)
        }
        #expect(row == [-2, 4, -6])
        row.withUnsafeMutableBufferPointer { buffer in
            let context = AttackContext(
                round: 0, workerIndex: 1, workerCount: 3, byzantineCount: 1,
                ownGradient: UnsafeBufferPointer(buffer))
            LabelFlipAttack().craft(into: buffer, context: context, generator: &rng)
        }
        #expect(row == [-2, 4, -6])
    }

    @Test func labelFlipSendsTheOwnGradientUnchanged() {
        // The poisoning is in the labels; the gradient on them is sent as it is.
        #expect(Support.craft(LabelFlipAttack(), ownGradient: [0.5, -7, 2]) == [0.5, -7, 2])
    }

    @Test func ipmIsMinusEpsilonTimesTheHonestMean() {
        // Honest mean = [(1 + 3)/2, (2 − 4)/2] = [2, −1] → −0.1 × that.
        let output = Support.craft(IPMAttack(), matrix: Self.matrix, byzantineRows: [2])
        #expect(output == [-Float(0.1) * 2, Float(0.1)])
        let large = Support.craft(IPMAttack(epsilon: 100), matrix: Self.matrix, byzantineRows: [2])
        #expect(large == [-200, 100])
    }

    @Test func alieWithGivenZIsMeanMinusZTimesSampleStd() {
        // Honest rows [1, 2], [3, 6], [5, 4]: mean [3, 4]; deviations (−2, 0, 2) and
        // (−2, 2, 0): squared sums 8 and 8, sample variance 8/2 = 4, std [2, 2].
        // z = 1.5 → [3 − 3, 4 − 3] = [0, 1].
        let g = GradientMatrix(rows: [[-9, -9], [1, 2], [3, 6], [5, 4]])
        #expect(Support.craft(ALIEAttack(z: 1.5), matrix: g, byzantineRows: [0]) == [0, 1])
        // z = 0 sends the honest mean.
        #expect(Support.craft(ALIEAttack(z: 0), matrix: g, byzantineRows: [0]) == [3, 4])
    }

    @Test func alieAutomaticZForTwentyWorkersFiveByzantine() throws {
        // s = ⌊20/2 + 1⌋ − 5 = 6; (m − s)/m = 14/20 = 0.7; Φ⁻¹(0.7) from Python's
        // statistics.NormalDist().inv_cdf(0.7) = 0.5244005127080407.
        let z = try ALIEAttack.automaticZ(workerCount: 20, byzantineCount: 5)
        #expect(abs(z - 0.5244005127080407) < 1e-13)
        // m = 20, f = 8: s = 3, 17/20 = 0.85, inv_cdf(0.85) = 1.0364333894937894.
        let z8 = try ALIEAttack.automaticZ(workerCount: 20, byzantineCount: 8)
        #expect(abs(z8 - 1.0364333894937894) < 1e-13)
        // m = 2, f = 1: s = 1, 1/2 → 0.
        #expect(try ALIEAttack.automaticZ(workerCount: 2, byzantineCount: 1) == 0)
    }

    @Test func alieAutomaticZMatchesTheReferenceOnARandomRound() throws {
        let g = Support.randomMatrix(m: 20, d: 37, seed: 5)
        let byzantine = [0, 4, 9, 13, 19]
        let output = Support.craft(ALIEAttack(), matrix: g, byzantineRows: byzantine)
        let rows = Support.honestRows(g, byzantineRows: byzantine)
        let mean = Support.referenceMean(rows)
        let std = Support.referenceStandardDeviation(rows, sample: true)
        let expected = zip(mean, std).map { $0 - 0.5244005127080407 * $1 }
        #expect(Support.close(output, expected, tolerance: 1e-5))
    }

    @Test func mimicCopiesTheFirstHonestWorkerOrTheTarget() {
        let g = GradientMatrix(rows: [[9, 9], [1, 2], [3, -4], [5, 6]])
        // Rows 0 and 2 Byzantine: the first honest worker is 1.
        #expect(Support.craft(MimicAttack(), matrix: g, byzantineRows: [0, 2]) == [1, 2])
        #expect(Support.craft(MimicAttack(target: 3), matrix: g, byzantineRows: [0, 2]) == [5, 6])
        // Honest rows listed out of order: still the lowest index.
        var rng = SeededGenerator(seed: 0)
        let context = AttackContext(
            round: 0, workerIndex: 0, workerCount: 4, byzantineCount: 1,
            honestGradients: HonestGradients(matrix: g, rowIndices: [3, 2, 1]))
        #expect(MimicAttack().craft(dimension: 2, context: context, generator: &rng) == [1, 2])
    }

    @Test(arguments: [
        (NonFiniteAttack.Value.nan, "nan"), (.positiveInfinity, "inf"), (.negativeInfinity, "-inf"),
    ])
    func nonFiniteVectorsAreAllNaNOrInf(value: NonFiniteAttack.Value, name: String) throws {
        let attack = NonFiniteAttack(value)
        #expect(attack.name == name)
        var rng = SeededGenerator(seed: 0)
        let context = AttackContext(round: 3, workerIndex: 2, workerCount: 3, byzantineCount: 1)
        let output = attack.craft(dimension: 17, context: context, generator: &rng)
        #expect(output.count == 17)
        switch value {
        case .nan: #expect(output.allSatisfy { $0.isNaN })
        case .positiveInfinity: #expect(output.allSatisfy { $0 == .infinity })
        case .negativeInfinity: #expect(output.allSatisfy { $0 == -.infinity })
        }
        // The master rejects the row, and aggregates only the honest ones.
        var g = GradientMatrix(rows: [[1, 2], [3, 4], [0, 0]])
        g.withUnsafeMutableRow(2) { attack.craft(into: $0, context: context, generator: &rng) }
        let result = try Mean().aggregate(g)
        #expect(result.diagnostics.rejectedRows == [2])
        #expect(result.gradient == [2, 3])
    }

    @Test func labelTransformReversesTheClasses() throws {
        let flip = try #require(LabelFlipAttack().labelTransform(classCount: 10))
        #expect((0 ..< 10).map { flip(Int32($0)) } == [9, 8, 7, 6, 5, 4, 3, 2, 1, 0])
        var labels: [Int32] = [1, 7, 0, 9, 4]
        flip.apply(to: &labels)
        #expect(labels == [8, 2, 9, 0, 5])     // the paper's examples: 1 → 8, 7 → 2
        #expect(LabelFlipAttack().labelTransform(classCount: 3)?.mapping == [2, 1, 0])
        // No other attack poisons the labels.
        let others: [any Attack] = [
            GaussianAttack(), ModelNegationAttack(), GradientScaleAttack(), SignFlipAttack(), ALIEAttack(),
            IPMAttack(), MimicAttack(), NonFiniteAttack(.nan), NonFiniteAttack(.positiveInfinity),
        ]
        #expect(others.allSatisfy { $0.labelTransform(classCount: 10) == nil })
    }
}
