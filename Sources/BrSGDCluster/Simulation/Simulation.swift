import BrSGDRecords
import ByzantineAttacks
import Datasets
import Dispatch
import NeuralEngine
import RobustAggregation
import SeededRandom

/// Algorithm 1 in one process: m workers (some Byzantine) and a master, driven round by
/// round through the same ``MasterStateMachine`` the networked master uses.
///
/// The features are standardised first when the configuration says so
/// (``SimulationConfiguration/inputStandardization``). Each round, honest workers (and
/// Byzantine workers that need their own gradient) compute their gradients in parallel, one
/// worker at a time per thread, straight into their rows of the master's preallocated
/// matrix; with worker momentum β > 0 each of them then turns its row into its momentum
/// m_t = β·m_{t−1} + (1 − β)·g_t (``WorkerMomentum``; one buffer per worker, allocated
/// once); then each Byzantine worker's attack crafts its vector (omniscient attacks see the
/// honest rows, which are the honest momenta; an attack that starts from its own gradient
/// starts from its own momentum); the master aggregates and steps. Every random choice comes from ``RandomStreams``, so the same configuration
/// gives the same bytes whatever the thread count.
public enum Simulation {
    /// Trains for ``SimulationConfiguration/totalRounds(trainingCount:)`` rounds, evaluating
    /// at the end of every epoch (a run counted in rounds ends with a shorter one) and, with
    /// ``SimulationConfiguration/evaluateEvery``, before the first round and after every k
    /// rounds (booked in the ledger's evaluations). A round that cannot be aggregated is skipped
    /// (``MasterStateMachine/finishOrSkipRound()``) and counted in the ledger.
    /// - Throws: the attack's ``AttackError`` when it cannot run with this m and b.
    public static func run(_ config: SimulationConfiguration, train rawTrain: LabeledDataset, test rawTest: LabeledDataset,
                           progress: (SimulationProgress) -> Void = { _ in },
                           epochEnded: (EpochRecord) -> Void = { _ in }) throws -> SimulationResult {
        let start = DispatchTime.now().uptimeNanoseconds
        let standardization = config.inputStandardization
        let train = standardization?.apply(to: rawTrain) ?? rawTrain
        let test = standardization?.apply(to: rawTest) ?? rawTest
        let m = config.workerCount, d = config.model.parameterCount
        let byzantine = config.byzantineWorkers, isByzantine = Set(byzantine)
        if let attack = config.attack { try attack.validate(workerCount: m, byzantineCount: byzantine.count) }
        let knowledge = config.attack?.knowledge ?? .none
        let relabel = config.attack?.labelTransform(classCount: train.classCount)
        // Who computes a real gradient: honest workers, and attackers that start from their own
        // (an omniscient attacker crafts from the honest rows alone: see `craftsFromOwnGradient`).
        let computing = (0 ..< m).filter { !isByzantine.contains($0) || config.attack == nil || knowledge.craftsFromOwnGradient }
        let attackers = config.attack == nil ? [] : byzantine
        let honest = (0 ..< m).filter { !isByzantine.contains($0) }

        let partition = config.partition.partition(train, workerCount: m, byzantineCount: byzantine.count, seed: config.seed)
        var streams = (0 ..< m).map {
            WorkerDataStream(worker: $0, partition: partition[$0], batchSize: config.batchSize, seed: config.seed)
        }
        var master = MasterStateMachine(
            parameters: config.model.initialParameters(seed: RandomStreams.initialization(config.seed)),
            optimizer: SGD(learningRate: config.learningRate, momentum: config.momentum, weightDecay: config.weightDecay),
            rule: config.rule, workerCount: m)
        let lanes = min(config.threads, max(1, computing.count))
        let computers = (0 ..< lanes).map { _ in GradientComputer(model: config.model, maxBatchSize: config.batchSize) }
        let evaluator = Evaluator(model: config.model, test: test, limit: config.evaluationLimit, seed: config.seed,
                                  lanes: config.threads)
        var crafted = [Float](repeating: 0, count: attackers.count * d)
        var losses = [Float](repeating: 0, count: m)
        // One momentum row per worker (only the computing workers' are used), m_{−1} = 0.
        let beta = config.workerMomentum
        var momenta = [Float](repeating: 0, count: beta > 0 ? m * d : 0)

        let roundsPerEpoch = config.roundsPerEpoch(trainingCount: train.count)
        let totalRounds = config.totalRounds(trainingCount: train.count)
        let epochCount = (totalRounds + roundsPerEpoch - 1) / roundsPerEpoch
        var ledger = RunLedger(byzantineWorkers: byzantine, roundsPerEpoch: roundsPerEpoch)
        func evaluateIfDue() {
            guard ledger.isEvaluationDue(every: config.evaluateEvery, totalRounds: totalRounds) else { return }
            ledger.recordEvaluation(evaluator.evaluate(master.parameters))
        }
        if totalRounds > 0 { evaluateIfDue() }
        for epoch in 1 ... max(1, epochCount) where epochCount > 0 {
            let epochStart = DispatchTime.now().uptimeNanoseconds
            let roundsThisEpoch = min(roundsPerEpoch, totalRounds - (epoch - 1) * roundsPerEpoch)
            var samples = 0
            for roundInEpoch in 0 ..< roundsThisEpoch {
                let roundStart = DispatchTime.now().uptimeNanoseconds
                let round = master.beginRound()
                let parameters = master.parameters
                let batches = computing.map { streams[$0].batch(round: round) }
                // 1. Real gradients, in parallel, straight into the matrix rows.
                master.writeRows(of: computing) { storage in
                    computeGradients(into: storage, parameters: parameters, workers: computing, batches: batches,
                                     computers: computers, train: train, byzantine: isByzantine, relabel: relabel,
                                     spareThreads: config.threads > lanes, losses: &losses,
                                     workerMomentum: beta, momenta: &momenta)
                }
                for (k, worker) in computing.enumerated() where !isByzantine.contains(worker) {
                    samples += batches[k].count
                }
                // 2. The attacks, into a scratch buffer while the honest rows are viewed.
                if let attack = config.attack {
                    master.writeByzantineRows(attackers, attack: attack, seed: config.seed, scratch: &crafted)
                }
                // 3. Aggregate and step (or skip a round that cannot be aggregated), and book it.
                let outcome = master.finishOrSkipRound()
                ledger.record(outcome, honestLosses: honest.lazy.map { losses[$0] },
                              roundSeconds: Double(DispatchTime.now().uptimeNanoseconds - roundStart) / 1e9)
                evaluateIfDue()
                let elapsed = Double(DispatchTime.now().uptimeNanoseconds - epochStart) / 1e9
                progress(SimulationProgress(
                    epoch: epoch, epochs: epochCount, roundInEpoch: roundInEpoch + 1, roundsPerEpoch: roundsThisEpoch,
                    samplesPerSecond: Double(samples) / max(elapsed, 1e-9), trainLoss: ledger.epochTrainLoss,
                    skippedRounds: ledger.skippedRounds))
            }
            let evaluation = ledger.evaluationAfterLastRound ?? evaluator.evaluate(master.parameters)
            let record = ledger.closeEpoch(evaluation: evaluation,
                                           seconds: Double(DispatchTime.now().uptimeNanoseconds - epochStart) / 1e9)
            epochEnded(record)
        }
        return SimulationResult(ledger: ledger, finalParameters: master.parameters,
                                totalSeconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
}

extension Simulation {
    /// Each lane computes every `lanes`-th worker's gradient into its row of `storage`, and
    /// with `workerMomentum` > 0 turns it into the worker's momentum (its row of `momenta`,
    /// m × d, updated in place).
    static func computeGradients(
        into storage: UnsafeMutableBufferPointer<Float>, parameters: [Float], workers: [Int],
        batches: [ArraySlice<Int>], computers: [GradientComputer], train: LabeledDataset,
        byzantine: Set<Int>, relabel: LabelTransform?, spareThreads: Bool, losses: inout [Float],
        workerMomentum beta: Float = 0, momenta: inout [Float]
    ) {
        let lanes = computers.count
        let d = storage.count / max(1, losses.count)
        parameters.withUnsafeBufferPointer { w in
            losses.withUnsafeMutableBufferPointer { losses in
                momenta.withUnsafeMutableBufferPointer { momenta in
                    forEachLane(lanes) { lane in
                        for k in stride(from: lane, to: workers.count, by: lanes) {
                            let worker = workers[k]
                            let row = UnsafeMutableBufferPointer(rebasing: storage[worker * d ..< (worker + 1) * d])
                            losses[worker] = computers[lane].gradient(
                                parameters: w, dataset: train, batch: batches[k],
                                relabel: byzantine.contains(worker) ? relabel : nil, concurrently: spareThreads, into: row)
                            guard beta > 0 else { continue }
                            let momentum = UnsafeMutableBufferPointer(rebasing: momenta[worker * d ..< (worker + 1) * d])
                            WorkerMomentum.accumulate(previous: UnsafeBufferPointer(momentum), gradient: UnsafeBufferPointer(row),
                                                      beta: beta, into: momentum)
                            _ = row.update(fromContentsOf: momentum)
                        }
                    }
                }
            }
        }
    }
}

/// Test-set evaluation in fixed chunks of 1,000 examples, computed concurrently and
/// combined in order: the same numbers whatever the thread count. The simulation and the
/// networked master evaluate through it, so their run records agree.
public struct Evaluator: Sendable {
    static let chunkSize = 1000
    let model: Model
    let inputs: [Float]
    let labels: [Int32]
    let lanes: Int
    let workspaces: [Workspace]

    /// Evaluates on all of `test`, or on a seeded subset of `limit` examples
    /// (``RandomStreams/evaluation(_:)``), with `lanes` threads.
    public init(model: Model, test: LabeledDataset, limit: Int?, seed: UInt64, lanes: Int) {
        self.model = model
        if let limit, limit < test.count {
            var generator = RandomStreams.evaluation(seed)
            var order = Array(0 ..< test.count)
            generator.shuffle(&order)
            let subset = test.subset(order.prefix(limit).sorted())
            inputs = subset.features
            labels = subset.labels
        } else {
            inputs = test.features
            labels = test.labels
        }
        self.lanes = max(1, lanes)
        workspaces = (0 ..< self.lanes).map { _ in Workspace(model: model, maxBatchSize: 500) }
    }

    /// Mean loss and accuracy of `parameters` on the test examples.
    public func evaluate(_ parameters: [Float]) -> (loss: Double, accuracy: Double) {
        let n = labels.count, width = model.inputSize
        let chunks = (n + Self.chunkSize - 1) / Self.chunkSize
        var parts = [(loss: Double, correct: Int)](repeating: (0, 0), count: chunks)
        parameters.withUnsafeBufferPointer { w in
            inputs.withUnsafeBufferPointer { x in
                labels.withUnsafeBufferPointer { y in
                    parts.withUnsafeMutableBufferPointer { parts in
                        forEachLane(min(lanes, chunks)) { lane in
                            for chunk in stride(from: lane, to: chunks, by: lanes) {
                                let lo = chunk * Self.chunkSize, hi = min(n, lo + Self.chunkSize)
                                let e = model.evaluate(
                                    parameters: w, inputs: UnsafeBufferPointer(rebasing: x[lo * width ..< hi * width]),
                                    labels: UnsafeBufferPointer(rebasing: y[lo ..< hi]), count: hi - lo,
                                    workspace: workspaces[lane])
                                let correct = Int((Double(e.accuracy ?? 0) * Double(hi - lo)).rounded())
                                parts[chunk] = (Double(e.loss) * Double(hi - lo), correct)
                            }
                        }
                    }
                }
            }
        }
        let loss = parts.reduce(0) { $0 + $1.loss } / Double(n)
        let correct = parts.reduce(0) { $0 + $1.correct }
        return (loss, Double(correct) / Double(n))
    }
}
