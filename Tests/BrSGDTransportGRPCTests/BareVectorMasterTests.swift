import BrSGDCluster
import BrSGDRecords
import Foundation
import RobustAggregation
import TestSupport
import Testing
@testable import BrSGDTransportGRPC

/// A master for any model (`brsgd master --parameters`): the plan of a bare vector served to
/// hand-driven clients, every step checked against w − η·rule(G) computed here by a naive
/// reference, bit for bit, with a Byzantine row in every round.
@Suite("A master for any model")
struct BareVectorMasterTests {
    static let workers = 5, dimension = 7, rounds = 4, learningRate = 0.25

    /// w₀: any vector (no model behind it).
    static let initial: [Float] = (0 ..< dimension).map { Float($0) * 0.375 - 1 }

    /// Worker i's gradient at w: w − target_i, the gradient of ½‖w − target_i‖² (targets
    /// spread around 0). Worker 0 is Byzantine and sends 1e6 in every coordinate.
    static func gradient(worker: Int, at w: [Float]) -> [Float] {
        guard worker != 0 else { return [Float](repeating: 1e6, count: dimension) }
        return w.indices.map { w[$0] - (Float(worker * dimension + $0 % 3) / 4 - 2) }
    }

    /// The coordinate-wise median of an odd number of rows: each column sorted.
    static func referenceMedian(_ rows: [[Float]]) -> [Float] {
        (0 ..< dimension).map { j in rows.map { $0[j] }.sorted()[rows.count / 2] }
    }

    /// Krum (Blanchard et al., NeurIPS 2017): the row with the least sum of squared distances
    /// to its m − f − 2 nearest others.
    static func referenceKrum(_ rows: [[Float]], byzantine f: Int) -> [Float] {
        func distance(_ a: [Float], _ b: [Float]) -> Double {
            zip(a, b).reduce(0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) }
        }
        let scores = rows.indices.map { i in
            rows.indices.filter { $0 != i }.map { distance(rows[i], rows[$0]) }.sorted().prefix(rows.count - f - 2).reduce(0, +)
        }
        return rows[scores.indices.min { scores[$0] < scores[$1] }!]
    }

    /// The master's optimizer written out: v ← μ·v + (g + λ·w), w ← w − η·v (μ = 0: w − η·(g + λ·w)).
    static func step(_ w: inout [Float], _ velocity: inout [Float], gradient g: [Float], momentum: Float) {
        let eta = Float(learningRate), lambda: Float = 0
        for j in w.indices {
            if momentum == 0 {
                w[j] -= eta * (g[j] + lambda * w[j])
            } else {
                velocity[j] = momentum * velocity[j] + (g[j] + lambda * w[j])
                w[j] -= eta * velocity[j]
            }
        }
    }

    @Test(arguments: [(RuleName.median, 0.0), (.median, 0.5), (.krum, 0.0)])
    func eachStepIsWMinusLearningRateTimesTheRuleOfTheGradients(rule: RuleName, momentum: Double) async throws {
        let configuration = RuleConfiguration(name: rule, byzantineCount: rule == .krum ? 1 : nil)
        let experiment = Experiment.bareVector(parameterCount: Self.dimension, rounds: Self.rounds, workers: Self.workers,
                                               byzantine: 1, rule: configuration, learningRate: Self.learningRate,
                                               momentum: momentum)
        let checked = try experiment.resolved().validated()
        let plan = MasterPlan(bareVector: checked, initialParameters: Self.initial)
        #expect(plan.experiment == nil, "a bare vector tells the workers nothing but d and T")
        #expect(plan.identity == checked.experiment.id)

        let (seen, result) = try await serving(plan) { client in
            // Every worker runs its own loop, as a real one does: join, fetch, submit, until finished.
            try await withThrowingTaskGroup(of: (Int, [Int: [Float]], Brsgd_V1_JoinResponse).self) { group in
                for worker in 0 ..< Self.workers {
                    group.addTask {
                        let joined = try await client.join(worker)
                        var seen: [Int: [Float]] = [:]
                        var next: UInt64 = 0
                        while true {
                            let assignment = try await client.fetch(worker, session: joined.session, nextRound: next)
                            if assignment.status == .finished { break }
                            if assignment.status == .wait { continue }
                            let w = try #require(TensorBytes.unpack(assignment.parameters))
                            seen[Int(assignment.round)] = w
                            let reply = try await client.submit(worker, session: joined.session, round: assignment.round,
                                                                Self.gradient(worker: worker, at: w))
                            #expect(reply.accepted, "\(reply.code): \(reply.message)")
                            next = assignment.round + 1
                        }
                        return (worker, seen, joined)
                    }
                }
                var all = [[Int: [Float]]](repeating: [:], count: Self.workers)
                for try await (worker, seen, joined) in group {
                    all[worker] = seen
                    #expect(joined.configJson.isEmpty, "config_json is empty for a bare vector")
                    #expect(joined.parameterCount == UInt32(Self.dimension))
                    #expect(joined.totalRounds == UInt64(Self.rounds))
                }
                return all
            }
        }
        let outcome = try #require(result)
        var w = Self.initial, velocity = [Float](repeating: 0, count: Self.dimension)
        for t in 0 ..< Self.rounds {
            for worker in 0 ..< Self.workers {
                let got = try #require(seen[worker][t], "worker \(worker) saw no round \(t)")
                #expect(bitwiseDifference(got, w) == nil, "worker \(worker)'s w_\(t)")
            }
            let rows = (0 ..< Self.workers).map { Self.gradient(worker: $0, at: w) }
            let aggregate = rule == .krum ? Self.referenceKrum(rows, byzantine: 1) : Self.referenceMedian(rows)
            #expect(aggregate.allSatisfy { abs($0) < 1e5 }, "the Byzantine row does not pass the rule")
            Self.step(&w, &velocity, gradient: aggregate, momentum: Float(momentum))
        }
        #expect(bitwiseDifference(outcome.result.finalParameters, w) == nil, "w_T")
        #expect(outcome.result.ledger.rounds == Self.rounds)
        #expect(outcome.result.ledger.skippedRounds == 0)
        #expect(outcome.result.ledger.byzantineWorkers == [0])
        if rule == .krum { #expect(outcome.result.ledger.byzantineSelections == [0], "Krum never picks the Byzantine row") }
        let record = outcome.result.ledger.runRecord(for: checked.experiment, totalSeconds: 1, started: Date(),
                                                     finished: Date(), evaluated: false)
        #expect(!record.evaluated && record.finalTestAccuracy.isNaN)
        #expect(record.epochs.count == 1 && record.epochs[0].testAccuracy.isNaN)
    }
}
