import Testing
import ByzantineAttacks
import RobustAggregation
import SeededRandom

/// ByzFL's line search, and `alie-opt` / `ipm-opt` with the defender's rule in the loop.
@Suite struct OptimalAttackTests {
    // MARK: the line search

    @Test func lineSearchOnAParabolaWorkedByHand() {
        // Maximise −(x − 37)² with the defaults. Expansion: 0 (−1369), 10 (−729, better,
        // δ → 20), 30 (−49, better, δ → 40), 70 (−1089, worse: δ → 32, stop). Contraction
        // from 30 with δ = 32, 25.6, 20.48, 16.384 (all land above 46: worse), then
        // 30 + 13.1072 = 43.1072 (−37.3, better); every later 43.1072 + δ is farther from 37.
        // Evaluations: 1 + 3 + 16 = 20.
        var calls = 0
        let best = FactorLineSearch().maximize { x in
            calls += 1
            return -(x - 37) * (x - 37)
        }
        #expect(calls == 20)
        #expect(abs(best.factor - 43.1072) < 1e-9)
        #expect(abs(best.value - -(43.1072 - 37) * (43.1072 - 37)) < 1e-6)
    }

    @Test func lineSearchThatNeverImprovesKeepsTheStart() {
        var calls = 0
        let best = FactorLineSearch(evaluations: 7, start: 2).maximize { x in
            calls += 1
            return -x
        }
        #expect(calls == 7 && best.factor == 2 && best.value == -2)
        // One evaluation: the start only.
        #expect(FactorLineSearch(evaluations: 1, start: 5).maximize { $0 }.factor == 5)
    }

    @Test func lineSearchOnAnIncreasingObjectiveReachesTheRangeEnd() {
        // Expansion never fails: 0, 10, 30, 70, … = 10·(2^k − 1); after 20 evaluations
        // k = 19, so 10·(2^19 − 1) = 5 242 870.
        #expect(FactorLineSearch().maximize { $0 }.factor == 5_242_870)
        #expect(FactorLineSearch(evaluations: 4, start: 1, step: 2).maximize { $0 }.factor == 1 + 2 * 7)
        // A negative step searches downwards.
        #expect(FactorLineSearch(evaluations: 3, step: -1).maximize { -$0 }.factor == -3)
    }

    // MARK: the attacks against the mean

    /// A context for the -opt attacks: rows `byzantine` Byzantine, `defender` the rule.
    static func context(_ g: GradientMatrix, byzantine: [Int], defender: any AggregationRule) -> AttackContext {
        var context = Support.context(g, byzantineRows: byzantine)
        context.defender = defender
        return context
    }

    @Test func againstTheMeanTheFactorIsAtTheEndOfTheSearchRange() {
        // Against the mean the damage grows with the factor: b(z·‖σ‖)/m for ALIE and
        // b(1 + ε)‖μ‖/m for IPM, so expansion never stops.
        let g = Support.randomMatrix(m: 20, d: 31, seed: 4)
        let byzantine = [0, 1, 2, 3, 4]
        let context = Self.context(g, byzantine: byzantine, defender: Mean())
        let alie = OptimalALIEAttack().optimalFactor(context: context)
        #expect(alie.z == 5_242_870)
        let ipm = OptimalIPMAttack().optimalFactor(context: context)
        #expect(ipm.epsilon == 5_242_870)
        // The vectors are exactly ALIE's and IPM's with those factors.
        #expect(Support.craft(OptimalALIEAttack(), context: context)
                == Support.craft(ALIEAttack(z: alie.z), matrix: g, byzantineRows: byzantine))
        #expect(Support.craft(OptimalIPMAttack(), context: context)
                == Support.craft(IPMAttack(epsilon: ipm.epsilon), matrix: g, byzantineRows: byzantine))
        // The damage reported is ‖mean(G) − μ‖ with the crafted rows in place.
        let rows = Support.honestRows(g, byzantineRows: byzantine)
        let mu = Support.referenceMean(rows)
        let ipmVector = Support.craft(OptimalIPMAttack(), context: context).map(Double.init)
        let mean = (0 ..< 31).map { c in (rows.map { $0[c] }.reduce(0, +) + 5 * ipmVector[c]) / 20 }
        let expected = zip(mean, mu).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot()
        #expect(abs(ipm.damage - expected) <= 1e-4 * expected)
    }

    // MARK: against robust rules

    /// The defenders, and whether the damage of ALIE's vector grows with z on these rounds
    /// (so the search, which only looks upwards from 0, must beat the fixed z). Against Krum
    /// and NNM it need not: the Byzantine rows sway the output only for small z; at z = 10
    /// they are filtered out, yet the damage there (from the honest rows alone) can exceed
    /// that of z = 0, so the search moves to 10 and never looks below it again — ByzFL's
    /// search has the same blind spot (a smaller search_step avoids it).
    static let defenders: [(String, any AggregationRule, Bool)] = [
        ("median", CoordinateWiseMedian(), true),
        ("trimmed-mean", TrimmedMean(byzantineCount: 5), true),
        ("krum", Krum(byzantineCount: 5), false),
        ("nnm+trimmed-mean", NearestNeighborMixing(byzantineCount: 5, wrapping: TrimmedMean(byzantineCount: 5)), false),
    ]

    /// ‖rule(G) − μ‖ with `vector` in every Byzantine row, built naively (μ in `Double`,
    /// where the attack measures against its `Float` mean: they agree to about 10⁻⁸).
    static func referenceDamage(
        _ g: GradientMatrix, byzantine: [Int], vector: [Float], defender: any AggregationRule
    ) throws -> Double {
        let rows = (0 ..< g.rowCount).map { byzantine.contains($0) ? vector : g.row($0) }
        let aggregate = try defender.aggregate(GradientMatrix(rows: rows)).gradient
        let mu = Support.referenceMean(Support.honestRows(g, byzantineRows: byzantine))
        return zip(aggregate, mu).map { (Double($0) - $1) * (Double($0) - $1) }.reduce(0, +).squareRoot()
    }

    @Test(arguments: 0 ..< defenders.count)
    func theChosenFactorIsTheBestOfThoseEvaluatedAndBeatsTheDefault(index: Int) throws {
        let (label, defender, isMonotone) = Self.defenders[index]
        let tolerance = 1e-6
        for seed in UInt64(1) ... 4 {
            let g = Support.randomMatrix(m: 20, d: 40, seed: 100 + seed)
            let byzantine = [3, 7, 11, 15, 19]
            let context = Self.context(g, byzantine: byzantine, defender: defender)

            let alie = OptimalALIEAttack().optimalFactor(context: context)
            let alieVector = Support.craft(OptimalALIEAttack(), context: context)
            #expect(alieVector == Support.craft(ALIEAttack(z: alie.z), matrix: g, byzantineRows: byzantine))
            let alieDamage = try Self.referenceDamage(g, byzantine: byzantine, vector: alieVector, defender: defender)
            #expect(abs(alie.damage - alieDamage) <= tolerance * max(1, alieDamage), "\(label)")
            // At least as good as the first two factors the search must evaluate (0 and 10).
            for z in [0.0, 10] {
                let vector = Support.craft(ALIEAttack(z: z), matrix: g, byzantineRows: byzantine)
                let damage = try Self.referenceDamage(g, byzantine: byzantine, vector: vector, defender: defender)
                #expect(alie.damage >= damage * (1 - tolerance), "\(label), z = \(z)")
            }
            // And, where the damage grows with z, better than ALIE's fixed z from m and f.
            let fixed = Support.craft(ALIEAttack(), matrix: g, byzantineRows: byzantine)
            let fixedDamage = try Self.referenceDamage(g, byzantine: byzantine, vector: fixed, defender: defender)
            if isMonotone { #expect(alie.damage > fixedDamage, "\(label), seed \(seed)") }

            let ipm = OptimalIPMAttack().optimalFactor(context: context)
            let ipmVector = Support.craft(OptimalIPMAttack(), context: context)
            if ipm.epsilon > 0 {
                #expect(ipmVector == Support.craft(IPMAttack(epsilon: ipm.epsilon), matrix: g, byzantineRows: byzantine))
            } else {
                #expect(ipmVector.allSatisfy { $0 == 0 })
            }
            let ipmDamage = try Self.referenceDamage(g, byzantine: byzantine, vector: ipmVector, defender: defender)
            #expect(abs(ipm.damage - ipmDamage) <= tolerance * max(1, ipmDamage), "\(label)")
            let small = Support.craft(IPMAttack(), matrix: g, byzantineRows: byzantine)
            let smallDamage = try Self.referenceDamage(g, byzantine: byzantine, vector: small, defender: defender)
            if isMonotone { #expect(ipm.damage >= smallDamage * (1 - tolerance), "\(label), seed \(seed)") }
        }
    }

    @Test func aRuleThatThrowsNeverWinsTheSearch() {
        // Trimmed mean with f = 2 on m = 4 rows throws for every candidate (m' ≤ 2f'): all
        // damages are −∞, the start is kept and the vector is ALIE's with z = 0, the mean.
        let g = GradientMatrix(rows: [[9, 9], [1, 2], [3, 4], [5, 0]])
        let context = Self.context(g, byzantine: [0], defender: TrimmedMean(byzantineCount: 2))
        let best = OptimalALIEAttack().optimalFactor(context: context)
        #expect(best.z == 0 && best.damage == -.infinity)
        #expect(Support.craft(OptimalALIEAttack(), context: context) == [3, 2])
    }

    @Test func theRoundMatrixIsNotWritten() {
        // The attack copies the matrix once; the round's rows are unchanged after the search.
        let g = Support.randomMatrix(m: 8, d: 9, seed: 2)
        let before = g
        let context = Self.context(g, byzantine: [0, 1], defender: CoordinateWiseMedian())
        _ = Support.craft(OptimalIPMAttack(), context: context)
        #expect(context.honestGradients?.matrix == before)
    }
}

extension Support {
    /// Crafts an attack with a prepared context.
    static func craft(_ attack: some Attack, context: AttackContext) -> [Float] {
        var rng = SeededGenerator(seed: 0)
        return attack.craft(dimension: context.honestGradients!.columnCount, context: context, generator: &rng)
    }
}
