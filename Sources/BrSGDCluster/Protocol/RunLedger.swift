import BrSGDRecords
import Foundation
import RobustAggregation

/// The books of a run: every driver of Algorithm 1 — the in-process simulation, the
/// networked master, the strongly convex experiment — turns each round's ``RoundOutcome``
/// into the run's measurements here, and nowhere else, so they count the same things the
/// same way and their run records agree.
///
/// ```swift
/// var ledger = RunLedger(byzantineWorkers: [0, 1, 2, 3, 4], roundsPerEpoch: 375)
/// let outcome = master.finishOrSkipRound()
/// ledger.record(outcome, honestLosses: losses, roundSeconds: t)
/// if ledger.isEpochComplete { ledger.closeEpoch(evaluation: evaluator.evaluate(w), seconds: epochTime) }
/// let record = ledger.runRecord(for: experiment, totalSeconds: total, started: start, finished: Date())
/// ```
///
/// What it books per round: the round itself, whether it was skipped (see
/// ``MasterStateMachine/finishOrSkipRound()``: a round that cannot be aggregated leaves the
/// model unchanged and is counted in ``skippedRounds``), rejected rows (non-finite or
/// missing), missing rows, how often the rule selected each Byzantine worker, the
/// aggregation and round times, and the mean honest training loss of the epoch. It is
/// Codable, so a checkpoint carries it and a resumed run continues the same books.
public struct RunLedger: Sendable, Codable, Equatable {
    /// The Byzantine workers whose selections are counted, in increasing order.
    public let byzantineWorkers: [Int]
    /// Rounds per epoch: an epoch closes after every this many rounds.
    public let roundsPerEpoch: Int
    /// Rounds booked.
    public private(set) var rounds = 0
    /// Rounds that could not be aggregated (the model stayed as it was).
    public private(set) var skippedRounds = 0
    /// Rows the rule rejected (non-finite or missing), summed over rounds.
    public private(set) var rejectedRows = 0
    /// Rows that did not arrive before their round closed, summed over rounds.
    public private(set) var missingRows = 0
    /// In how many rounds the rule selected each of ``byzantineWorkers`` (parallel to it).
    public private(set) var byzantineSelections: [Int]
    /// Wall time of each round's aggregation, in seconds.
    public private(set) var aggregationSeconds: [Double] = []
    /// Wall time of each round as its driver measured it, in seconds.
    public private(set) var roundSeconds: [Double] = []
    /// One record per closed epoch.
    public private(set) var epochs: [EpochRecord] = []
    /// The evaluations booked between rounds (``recordEvaluation(_:)``), in order; nil
    /// until the first (so that a checkpoint written before the field existed still reads).
    public private(set) var evaluations: [EvaluationRecord]?
    private var epochLossSum = 0.0
    private var epochLossCount = 0
    /// Seconds the open epoch had run before a checkpoint (added when it closes).
    private var epochSecondsCarried = 0.0

    /// - Precondition: `roundsPerEpoch >= 1`.
    public init(byzantineWorkers: [Int], roundsPerEpoch: Int) {
        precondition(roundsPerEpoch >= 1, "an epoch has at least one round")
        self.byzantineWorkers = byzantineWorkers.sorted()
        self.roundsPerEpoch = roundsPerEpoch
        self.byzantineSelections = [Int](repeating: 0, count: byzantineWorkers.count)
    }

    /// Books one round: its outcome, the losses of the honest workers whose gradient
    /// arrived (in worker order: the sum is taken in that order, so drivers agree to the
    /// bit), and its wall time.
    /// - Complexity: O(|selected rows| · log b + |losses|).
    public mutating func record(_ outcome: RoundOutcome, honestLosses: some Sequence<Float>, roundSeconds: Double) {
        rounds += 1
        if outcome.isSkipped { skippedRounds += 1 }
        rejectedRows += outcome.diagnostics.rejectedRows.count
        missingRows += outcome.missingWorkers.count
        for worker in outcome.diagnostics.selectedRows {
            if let k = Self.index(of: worker, in: byzantineWorkers) { byzantineSelections[k] += 1 }
        }
        aggregationSeconds.append(outcome.aggregationSeconds)
        self.roundSeconds.append(roundSeconds)
        for loss in honestLosses {
            epochLossSum += Double(loss)
            epochLossCount += 1
        }
    }

    /// The mean honest training loss of the open epoch so far (NaN before any).
    public var epochTrainLoss: Double { epochLossCount > 0 ? epochLossSum / Double(epochLossCount) : .nan }

    /// True when the rounds booked end an epoch that is not closed yet.
    public var isEpochComplete: Bool { rounds > 0 && rounds % roundsPerEpoch == 0 && epochs.count < rounds / roundsPerEpoch }

    /// Rounds booked since the last epoch closed (a run counted in rounds ends with a
    /// shorter epoch, which its driver closes when the last round is booked).
    public var openRounds: Int { rounds - epochs.reduce(0) { $0 + $1.rounds } }

    /// True when a test evaluation is due after the rounds booked so far: every `every`
    /// rounds from round 0 (the initial model, before any is booked), and after the last
    /// of `totalRounds` (ByzFL evaluates every `evaluation_delta` steps and at the end).
    public func isEvaluationDue(every: Int?, totalRounds: Int) -> Bool {
        guard let every, every > 0 else { return false }
        return rounds % every == 0 || rounds == totalRounds
    }

    /// The evaluation booked after the rounds booked so far, if one was: an epoch that ends
    /// there takes it rather than evaluating the same model again.
    public var evaluationAfterLastRound: (loss: Double, accuracy: Double)? {
        guard let last = evaluations?.last, last.round == rounds else { return nil }
        return (last.testLoss, last.testAccuracy)
    }

    /// Books a test evaluation of the model after the rounds booked so far.
    public mutating func recordEvaluation(_ evaluation: (loss: Double, accuracy: Double)) {
        evaluations = (evaluations ?? []) + [EvaluationRecord(round: rounds, testAccuracy: evaluation.accuracy,
                                                              testLoss: evaluation.loss)]
    }

    /// Closes the open epoch (its ``openRounds`` rounds) with its test evaluation (nil: none
    /// was made, NaN in the record) and the seconds it took since it opened (or since the
    /// ledger was restored).
    @discardableResult
    public mutating func closeEpoch(evaluation: (loss: Double, accuracy: Double)?, seconds: Double) -> EpochRecord {
        let record = EpochRecord(
            epoch: epochs.count + 1, testAccuracy: evaluation?.accuracy ?? .nan, testLoss: evaluation?.loss ?? .nan,
            trainLoss: epochTrainLoss, seconds: epochSecondsCarried + seconds, rounds: openRounds)
        epochs.append(record)
        epochLossSum = 0
        epochLossCount = 0
        epochSecondsCarried = 0
        return record
    }

    /// The ledger as a checkpoint keeps it: the open epoch has run `epochSeconds` so far.
    public func carrying(epochSeconds: Double) -> RunLedger {
        var copy = self
        copy.epochSecondsCarried += epochSeconds
        return copy
    }

    /// The run record of these books.
    /// - Parameter evaluated: false when nothing was evaluated (accuracies are NaN).
    public func runRecord(for experiment: Experiment, totalSeconds: Double, started: Date, finished: Date,
                          evaluated: Bool = true) -> RunRecord {
        RunRecord(
            config: experiment, epochs: epochs,
            finalTestAccuracy: epochs.last?.testAccuracy ?? .nan, totalSeconds: totalSeconds,
            aggregationTiming: TimingSummary(milliseconds: aggregationSeconds.map { $0 * 1000 }, keepingAll: true),
            byzantineSelection: ByzantineSelection(
                rounds: rounds, workers: zip(byzantineWorkers, byzantineSelections).map {
                    ByzantineSelection.Worker(worker: $0, selectedRounds: $1)
                }),
            rejectedRowsCount: rejectedRows, rounds: rounds, skippedRounds: skippedRounds,
            missingRowsCount: missingRows,
            roundTiming: TimingSummary(milliseconds: roundSeconds.map { $0 * 1000 }),
            evaluated: evaluated,
            startedAt: RunRecord.timestamp(started), finishedAt: RunRecord.timestamp(finished),
            brsgdVersion: BrSGDVersion.string, evaluations: evaluations)
    }

    private static func index(of worker: Int, in sorted: [Int]) -> Int? {
        var lo = 0, hi = sorted.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if sorted[mid] < worker { lo = mid + 1 } else { hi = mid }
        }
        return lo < sorted.count && sorted[lo] == worker ? lo : nil
    }

    enum CodingKeys: String, CodingKey {
        case byzantineWorkers = "byzantine_workers"
        case roundsPerEpoch = "rounds_per_epoch"
        case rounds
        case skippedRounds = "skipped_rounds"
        case rejectedRows = "rejected_rows"
        case missingRows = "missing_rows"
        case byzantineSelections = "byzantine_selections"
        case aggregationSeconds = "aggregation_seconds"
        case roundSeconds = "round_seconds"
        case epochs
        case evaluations
        case epochLossSum = "epoch_loss_sum"
        case epochLossCount = "epoch_loss_count"
        case epochSecondsCarried = "epoch_seconds_carried"
    }
}
