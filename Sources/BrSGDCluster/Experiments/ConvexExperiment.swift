import ByzantineAttacks
import Datasets
import Dispatch
import NeuralEngine
import RobustAggregation

/// Theorem 1 checked empirically: distributed gradient descent on synthetic linear
/// regression (strongly convex, known optimum w*), through the same master state machine
/// and attacks as the deep-learning runs, measuring ‖w_T − w*‖₂.
///
/// Data: y = x·w* + ε, x ~ N(0, I_d), ε ~ N(0, σ²); each of m workers holds n samples and
/// returns the gradient of its empirical risk F_i(w) = (1/2n) Σ_j (x_j·w − y_j)², i.e.
/// (XᵢᵀXᵢ w − Xᵢᵀyᵢ)/n, computed from XᵢᵀXᵢ and Xᵢᵀyᵢ prepared once (O(d²) per round).
/// The population loss has λ_F = G_F = 1, so the theorem's step is η = 1/G_F = 1; we use
/// η = ½ by default, which keeps small-n runs stable (the rate's constant changes, not its
/// order). The theory predicts ‖w_T − w*‖ = Õ(1/√n + 1/√(nm)) once T is large enough:
/// slope −½ against n, and against m only without an attack.
public struct ConvexExperiment: Sendable {
    public var dimension = 10
    public var noise = 1.0
    public var rounds = 100
    public var learningRate: Float = 0.5

    public init() {}

    /// What one run measured: ‖w_T − w*‖₂, and its books (the same ledger every driver keeps:
    /// skipped rounds, rejections, selections).
    public struct Run: Sendable {
        public var distance: Double
        public var ledger: RunLedger
    }

    /// ‖w_T − w*‖₂ for one run (T = ``rounds`` rounds, one "epoch").
    /// - Throws: the attack's error when it cannot run with this m and b.
    public func run(rule: any AggregationRule, attack: (any Attack)?, workers m: Int, byzantine b: Int,
                    samplesPerWorker n: Int, seed: UInt64) throws -> Run {
        let d = dimension
        if let attack { try attack.validate(workerCount: m, byzantineCount: b) }
        let problem = LinearRegressionProblem(dimension: d, noise: noise, seed: seed)
        // Sufficient statistics per worker: XᵀX / n (d × d) and Xᵀy / n (d).
        var gram = [Double](repeating: 0, count: m * d * d), moment = [Double](repeating: 0, count: m * d)
        for i in 0 ..< m {
            let (x, y) = problem.samples(worker: i, count: n)
            for j in 0 ..< n {
                for r in 0 ..< d {
                    let xr = Double(x[j * d + r])
                    moment[i * d + r] += xr * Double(y[j]) / Double(n)
                    for c in 0 ..< d { gram[(i * d + r) * d + c] += xr * Double(x[j * d + c]) / Double(n) }
                }
            }
        }
        var master = MasterStateMachine(parameters: [Float](repeating: 0, count: d),
                                        optimizer: SGD(learningRate: learningRate), rule: rule, workerCount: m)
        let byzantine = attack == nil ? [] : Array(0 ..< b)
        let honestWorkers = (0 ..< m).filter { !byzantine.contains($0) || (attack?.knowledge ?? .none).craftsFromOwnGradient }
        var crafted: [Float] = []
        var ledger = RunLedger(byzantineWorkers: byzantine, roundsPerEpoch: max(1, rounds))
        for _ in 0 ..< rounds {
            let roundStart = DispatchTime.now().uptimeNanoseconds
            _ = master.beginRound()
            let w = master.parameters.map(Double.init)
            master.writeRows(of: honestWorkers) { storage in
                for i in honestWorkers {
                    for r in 0 ..< d {
                        var g = -moment[i * d + r]
                        for c in 0 ..< d { g += gram[(i * d + r) * d + c] * w[c] }
                        storage[i * d + r] = Float(g)
                    }
                }
            }
            if let attack {
                master.writeByzantineRows(byzantine, attack: attack, seed: seed, scratch: &crafted)
            }
            let outcome = master.finishOrSkipRound()
            ledger.record(outcome, honestLosses: EmptyCollection(),
                          roundSeconds: Double(DispatchTime.now().uptimeNanoseconds - roundStart) / 1e9)
        }
        var squared = 0.0
        for (wi, oi) in zip(master.parameters, problem.optimum) {
            squared += (Double(wi) - Double(oi)) * (Double(wi) - Double(oi))
        }
        return Run(distance: squared.squareRoot(), ledger: ledger)
    }
}
