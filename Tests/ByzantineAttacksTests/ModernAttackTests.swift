import Testing
import ByzantineAttacks
import RobustAggregation
import SeededRandom

/// FoE, min-max, min-sum and mimic's max-variance target: cases worked by hand (in the
/// comments) and properties checked against naive references over `[Double]` rows.
@Suite struct ModernAttackTests {
    /// Rows 0 and 1 honest, row 2 Byzantine (its content must be ignored).
    static let matrix = GradientMatrix(rows: [[1, 2], [3, -4], [100, 100]])

    // MARK: FoE

    @Test func foeIsOneMinusFactorTimesTheHonestMean() {
        // Honest mean [2, −1]; factor 3: (1 − 3)·[2, −1] = [−4, 2]; factor 0.5: [1, −0.5].
        #expect(Support.craft(FallOfEmpiresAttack(), matrix: Self.matrix, byzantineRows: [2]) == [-4, 2])
        #expect(Support.craft(FallOfEmpiresAttack(factor: 0.5), matrix: Self.matrix, byzantineRows: [2]) == [1, -0.5])
        #expect(Support.craft(FallOfEmpiresAttack(factor: 1), matrix: Self.matrix, byzantineRows: [2]) == [0, 0])
    }

    @Test func foeIsIPMWithEpsilonFactorMinusOne() {
        // ByzFL's InnerProductManipulation(tau = 2) is −2μ, foe's default: the same bytes.
        let g = Support.randomMatrix(m: 12, d: 41, seed: 3)
        let byzantine = [0, 5, 11]
        #expect(Support.craft(FallOfEmpiresAttack(), matrix: g, byzantineRows: byzantine)
                == Support.craft(IPMAttack(epsilon: 2), matrix: g, byzantineRows: byzantine))
    }

    // MARK: min-max and min-sum, by hand

    @Test func minMaxAndMinSumOnTwoHonestValues() {
        // Honest values 0 and 2 (d = 1), μ = 1, sign perturbation: output = 1 − γ.
        // Min-max: max(|1 − γ − 0|, |1 − γ − 2|) = 1 + γ ≤ max pairwise distance 2 → γ* = 1.
        // Min-sum: (1 − γ)² + (1 + γ)² = 2 + 2γ² ≤ min honest score (0 − 2)² = 4 → γ* = 1.
        // The search returns the last feasible dyadic step of 10, within 2·10⁻⁵ below 1.
        let g = GradientMatrix(rows: [[99], [0], [2]])
        let context = Support.context(g, byzantineRows: [0])
        for attack in [MinMaxAttack(perturbation: .inverseSign) as any Attack, MinSumAttack(perturbation: .inverseSign)] {
            let gamma = (attack as? MinMaxAttack)?.gamma(context: context) ?? (attack as! MinSumAttack).gamma(context: context)
            #expect(gamma <= 1 && gamma > 1 - 2e-5, "\(attack.name): γ = \(gamma)")
            let output = Support.craft(attack, matrix: g, byzantineRows: [0])
            #expect(abs(output[0] - 0) <= 2e-5, "\(attack.name): \(output)")
        }
    }

    @Test func minMaxAndMinSumDifferOnThreeHonestValues() {
        // Honest values −1, 1, 4 (d = 1): μ = 4/3, unit-vector perturbation q = 1, output
        // 4/3 − γ. Min-max: the farthest honest value is 4, at 8/3 + γ; the largest honest
        // distance is 5 → γ* = 7/3. Min-sum: Σ (4/3 − g − γ)² = (49 + 1 + 64)/9 + 3γ² =
        // 38/3 + 3γ²; honest scores 29, 13, 34 → 38/3 + 3γ² ≤ 13 → γ* = 1/3.
        let g = GradientMatrix(rows: [[-1], [1], [4], [50]])
        let context = Support.context(g, byzantineRows: [3])
        let minMax = MinMaxAttack(perturbation: .inverseUnitVector).gamma(context: context)
        let minSum = MinSumAttack(perturbation: .inverseUnitVector).gamma(context: context)
        #expect(minMax <= 7.0 / 3 + 1e-6 && minMax > 7.0 / 3 - 2e-5, "γ = \(minMax)")
        #expect(minSum <= 1.0 / 3 + 1e-6 && minSum > 1.0 / 3 - 2e-5, "γ = \(minSum)")
        // Honest values 0, 0, 3 with the default std perturbation: μ = 1, deviations −1, −1, 2,
        // sample variance 6/2 = 3, q = √3, output 1 − √3γ. Min-max: 2 + √3γ ≤ 3 → γ* = 1/√3.
        // Min-sum: 6 + 9γ² ≤ min(9, 9, 18) → γ* = 1/√3 as well.
        let std = GradientMatrix(rows: [[0], [0], [3], [-7]])
        let stdContext = Support.context(std, byzantineRows: [3])
        let root = 1 / 3.0.squareRoot()
        for gamma in [MinMaxAttack().gamma(context: stdContext), MinSumAttack().gamma(context: stdContext)] {
            #expect(gamma <= root + 1e-6 && gamma > root - 2e-5, "γ = \(gamma)")
        }
    }

    @Test func gammaSaturatesBelowTwiceTheInitialGammaWhenEverythingIsFeasible() {
        // Identical honest rows: σ = 0, every γ is feasible; the search climbs to 2γ₀ − step.
        let g = GradientMatrix(rows: [[9, 9], [1, 2], [1, 2], [1, 2]])
        let context = Support.context(g, byzantineRows: [0])
        for initial in [10.0, 3.0] {
            let gamma = MinMaxAttack(initialGamma: initial).gamma(context: context)
            #expect(gamma < 2 * initial && gamma >= 2 * initial - 2e-5, "γ = \(gamma)")
            #expect(MinSumAttack(initialGamma: initial).gamma(context: context) == gamma)
        }
        #expect(Support.craft(MinMaxAttack(), matrix: g, byzantineRows: [0]) == [1, 2])
        // A zero mean has no unit vector: the output is the mean.
        let zero = GradientMatrix(rows: [[5, 5], [1, -2], [-1, 2]])
        #expect(Support.craft(MinSumAttack(perturbation: .inverseUnitVector), matrix: zero, byzantineRows: [0]) == [0, 0])
    }

    // MARK: min-max and min-sum against a naive reference

    /// q, the code's `deviation` (∇p = −q), over `[Double]` rows.
    static func referenceDeviation(_ rows: [[Double]], _ direction: PerturbationDirection) -> [Double] {
        let mean = Support.referenceMean(rows)
        switch direction {
        case .inverseStandardDeviation: return Support.referenceStandardDeviation(rows, sample: true)
        case .inverseSign: return mean.map { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) }
        case .inverseUnitVector:
            let norm = mean.map { $0 * $0 }.reduce(0, +).squareRoot()
            return mean.map { $0 / norm }
        }
    }

    static func squaredDistance(_ a: [Double], _ b: [Double]) -> Double {
        zip(a, b).map { ($0 - $1) * ($0 - $1) }.reduce(0, +)
    }

    /// Whether μ − γq meets the attack's constraint, by direct distances.
    static func referenceIsFeasible(_ rows: [[Double]], _ direction: PerturbationDirection, gamma: Double,
                                    minMax: Bool, slack: Double = 0) -> Bool {
        let mean = Support.referenceMean(rows), q = referenceDeviation(rows, direction)
        let candidate = zip(mean, q).map { $0 - gamma * $1 }
        let distances = rows.map { squaredDistance(candidate, $0) }
        if minMax {
            let bound = rows.flatMap { a in rows.map { squaredDistance(a, $0) } }.max()!
            return distances.max()! <= bound * (1 + slack)
        } else {
            let bound = rows.map { a in rows.map { squaredDistance(a, $0) }.reduce(0, +) }.min()!
            return distances.reduce(0, +) <= bound * (1 + slack)
        }
    }

    @Test(arguments: PerturbationDirection.allCases, [true, false])
    func gammaIsFeasibleAndMaximalWithinTolerance(direction: PerturbationDirection, minMax: Bool) {
        for seed in UInt64(1) ... 8 {
            let g = Support.randomMatrix(m: 15, d: 23, seed: seed, scale: 0.5 + Double(seed))
            let byzantine = [1, 4, 7, 10]
            let context = Support.context(g, byzantineRows: byzantine)
            let rows = Support.honestRows(g, byzantineRows: byzantine)
            // γ₀ = 100: the unit-vector direction needs γ of the order of the rows' norms,
            // beyond the default's 2γ₀ = 20 at these scales (there γ would saturate).
            let attack: any Attack = minMax
                ? MinMaxAttack(perturbation: direction, initialGamma: 100)
                : MinSumAttack(perturbation: direction, initialGamma: 100)
            let gamma = (attack as? MinMaxAttack)?.gamma(context: context) ?? (attack as! MinSumAttack).gamma(context: context)
            #expect(gamma > 0 && gamma < 199, "seed \(seed): γ = \(gamma)")
            // Feasible (up to Float rounding of the statistics), and 3·10⁻⁵ more is not.
            #expect(Self.referenceIsFeasible(rows, direction, gamma: gamma, minMax: minMax, slack: 1e-5), "seed \(seed)")
            #expect(!Self.referenceIsFeasible(rows, direction, gamma: gamma + 3e-5, minMax: minMax), "seed \(seed)")
            // The vector is μ − γq.
            let output = Support.craft(attack, matrix: g, byzantineRows: byzantine)
            let mean = Support.referenceMean(rows), q = Self.referenceDeviation(rows, direction)
            #expect(Support.close(output, zip(mean, q).map { $0 - gamma * $1 }, tolerance: 1e-5), "seed \(seed)")
        }
    }

    @Test func minSumIsNoFartherThanMinMax() {
        // The min-sum bound is tighter on these rounds: its γ is the smaller (a check that the
        // two constraints are not swapped).
        for seed in UInt64(20) ..< 26 {
            let g = Support.randomMatrix(m: 20, d: 50, seed: seed)
            let context = Support.context(g, byzantineRows: Array(0 ..< 5))
            #expect(MinSumAttack().gamma(context: context) < MinMaxAttack().gamma(context: context))
        }
    }

    // MARK: mimic, max-variance

    @Test func maxVarianceCopiesTheWorkerFarthestAlongTheTopPrincipalDirection() {
        // Honest rows [0, 0], [1, 0], [5, 0.1], [2, −0.1]: the spread is along x, μ = [2, 0],
        // centred x values −2, −1, 3, 0 → worker 3 (the row [5, 0.1]).
        let g = GradientMatrix(rows: [[7, 7], [0, 0], [1, 0], [5, 0.1], [2, -0.1]])
        let attack = MimicAttack(mode: .maxVariance)
        #expect(attack.targetWorker(context: Support.context(g, byzantineRows: [0])) == 3)
        #expect(Support.craft(attack, matrix: g, byzantineRows: [0]) == [5, 0.1])
        // Not the farthest in L2: honest rows [5, 0], [−4.6, 0], [4, 0], [−4.4, 0], [0, 7];
        // μ = [0, 1.4]. The covariance is diagonal (Σxy = Σx·(−1.4) = 0) with xx = 81.52 >
        // yy = 4·1.96 + 31.36 = 39.2: the top direction is x, and |x| is largest for [5, 0]
        // (worker 1), though [0, 7] is the farthest from μ (5.6 against √26.96 ≈ 5.19).
        let h = GradientMatrix(rows: [[9, 9], [5, 0], [-4.6, 0], [4, 0], [-4.4, 0], [0, 7]])
        #expect(attack.targetWorker(context: Support.context(h, byzantineRows: [0])) == 1)
    }

    /// The top eigenvector of the d × d covariance by power iteration (naive, d small).
    static func referencePrincipalDirection(_ rows: [[Double]]) -> [Double] {
        let mean = Support.referenceMean(rows), d = mean.count
        let centred = rows.map { zip($0, mean).map { $0 - $1 } }
        var z = (0 ..< d).map { 1 + Double($0) / 7 }
        for _ in 0 ..< 3000 {
            var next = [Double](repeating: 0, count: d)
            for row in centred {
                let w = zip(row, z).map { $0 * $1 }.reduce(0, +)
                for c in 0 ..< d { next[c] += w * row[c] }
            }
            let norm = next.map { $0 * $0 }.reduce(0, +).squareRoot()
            z = next.map { $0 / norm }
        }
        return z
    }

    @Test func maxVarianceMatchesANaivePowerIteration() {
        for seed in UInt64(1) ... 10 {
            // Anisotropic rows (scales 3, 1, 0.5, 0.2) so the top direction is well separated.
            var g = Support.randomMatrix(m: 12, d: 4, seed: seed)
            for i in 0 ..< 12 { for (c, s) in [3.0, 1, 0.5, 0.2].enumerated() { g[i, c] *= Float(s) } }
            let byzantine = [2, 9]
            let rows = Support.honestRows(g, byzantineRows: byzantine)
            let honestIndices = (0 ..< 12).filter { !byzantine.contains($0) }
            let z = Self.referencePrincipalDirection(rows)
            let mean = Support.referenceMean(rows)
            let projections = rows.map { abs(zip($0, mean).map { $0 - $1 }.enumerated().map { $0.element * z[$0.offset] }
                .reduce(0, +)) }
            let expected = honestIndices[projections.indices.max { projections[$0] < projections[$1] }!]
            #expect(MimicAttack(mode: .maxVariance).targetWorker(context: Support.context(g, byzantineRows: byzantine))
                    == expected, "seed \(seed)")
        }
    }

    @Test func fixedModeStillCopiesTheTargetOrTheFirstHonest() {
        let g = GradientMatrix(rows: [[9, 9], [1, 2], [3, -4], [5, 6]])
        #expect(MimicAttack(mode: .fixed).targetWorker(context: Support.context(g, byzantineRows: [0, 2])) == 1)
        #expect(MimicAttack(target: 3, mode: .fixed).targetWorker(context: Support.context(g, byzantineRows: [0, 2])) == 3)
    }

    // MARK: the same bytes

    @Test func everyNewAttackGivesTheSameBytesForEveryWorkerAndGenerator() {
        let g = Support.randomMatrix(m: 10, d: 33, seed: 11)
        let byzantine = [0, 3, 6]
        let attacks: [any Attack] = [
            FallOfEmpiresAttack(), MinMaxAttack(), MinSumAttack(perturbation: .inverseSign),
            MinMaxAttack(perturbation: .inverseUnitVector), MimicAttack(mode: .maxVariance),
            OptimalALIEAttack(), OptimalIPMAttack(),
        ]
        for attack in attacks {
            #expect(attack.isIdenticalAcrossWorkers, "\(attack.name)")
            var outputs: [[Float]] = []
            for (worker, seed) in zip(byzantine, [UInt64(1), 2, 99]) {
                var rng = SeededGenerator(seed: seed)
                var context = Support.context(g, byzantineRows: byzantine, worker: worker, round: Int(seed))
                context.defender = TrimmedMean(byzantineCount: 3)
                outputs.append(attack.craft(dimension: 33, context: context, generator: &rng))
            }
            #expect(outputs.allSatisfy { $0 == outputs[0] }, "\(attack.name)")
            #expect(outputs[0].allSatisfy { $0.isFinite }, "\(attack.name)")
        }
    }
}
