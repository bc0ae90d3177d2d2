import BrSGDRecords
import Foundation
import NeuralEngine
import RobustAggregation
import Testing
@testable import BrSGDCluster

@Suite struct RunLedgerTests {
    func outcome(selected: [Int], rejected: [Int] = [], missing: [Int] = [], skipped: Bool = false) -> RoundOutcome {
        RoundOutcome(round: 0, diagnostics: AggregationDiagnostics(rule: "r", rejectedRows: rejected, acceptedRows: [],
                                                                   selectedRows: selected),
                     missingWorkers: missing, aggregationSeconds: 0.002,
                     skipReason: skipped ? AggregationError(code: .noAcceptedRows, message: "none") : nil)
    }

    @Test func everyRoundIsBookedOnce() {
        var ledger = RunLedger(byzantineWorkers: [1, 0], roundsPerEpoch: 2)
        ledger.record(outcome(selected: [0, 2, 3], rejected: [4]), honestLosses: [1, 2, 3], roundSeconds: 0.01)
        #expect(!ledger.isEpochComplete)
        ledger.record(outcome(selected: [], rejected: [0, 1, 2, 3, 4], missing: [4], skipped: true),
                      honestLosses: [3], roundSeconds: 0.02)
        #expect(ledger.isEpochComplete)
        #expect(ledger.epochTrainLoss == 2.25)
        let epoch = ledger.closeEpoch(evaluation: (loss: 0.5, accuracy: 0.75), seconds: 4)
        #expect(!ledger.isEpochComplete)
        #expect(epoch == EpochRecord(epoch: 1, testAccuracy: 0.75, testLoss: 0.5, trainLoss: 2.25, seconds: 4, rounds: 2))
        #expect(ledger.rounds == 2 && ledger.skippedRounds == 1)
        #expect(ledger.rejectedRows == 6 && ledger.missingRows == 1)
        #expect(ledger.byzantineWorkers == [0, 1] && ledger.byzantineSelections == [1, 0])
        #expect(ledger.epochTrainLoss.isNaN, "a new epoch has no loss yet")
    }

    @Test func theRecordSaysWhatTheLedgerCounted() {
        var ledger = RunLedger(byzantineWorkers: [0], roundsPerEpoch: 1)
        ledger.record(outcome(selected: [0], skipped: false), honestLosses: [1], roundSeconds: 0.01)
        ledger.closeEpoch(evaluation: nil, seconds: 1)
        let experiment = Experiment(workers: 2, byzantine: 1)
        let record = ledger.runRecord(for: experiment, totalSeconds: 2, started: Date(), finished: Date(), evaluated: false)
        #expect(record.rounds == 1 && record.skippedRounds == 0 && !record.evaluated)
        #expect(record.finalTestAccuracy.isNaN && record.epochs[0].testAccuracy.isNaN)
        #expect(record.byzantineSelection.workers == [ByzantineSelection.Worker(worker: 0, selectedRounds: 1)])
        #expect(record.aggregationTiming.count == 1 && record.roundTiming?.count == 1)
    }

    @Test func aCheckpointedLedgerCarriesTheOpenEpochsSeconds() throws {
        var ledger = RunLedger(byzantineWorkers: [], roundsPerEpoch: 2)
        ledger.record(outcome(selected: []), honestLosses: [1], roundSeconds: 1)
        let saved = try JSONDecoder().decode(RunLedger.self, from: JSONEncoder().encode(ledger.carrying(epochSeconds: 3)))
        var resumed = saved
        resumed.record(outcome(selected: []), honestLosses: [2], roundSeconds: 1)
        #expect(resumed.closeEpoch(evaluation: nil, seconds: 1.5).seconds == 4.5)
        #expect(resumed.epochs[0].trainLoss == 1.5)
    }
}

@Suite struct RoundPolicyTests {
    /// The one policy: a round that cannot be aggregated is skipped, whatever the reason,
    /// and the model does not move.
    @Test func aRoundThatCannotBeAggregatedIsSkippedAndTheModelStays() throws {
        var master = MasterStateMachine(parameters: [1, 2], optimizer: SGD(learningRate: 1), rule: Krum(byzantineCount: 1),
                                        workerCount: 4)
        _ = master.beginRound()
        // Two rows only: Krum needs m' − f − 2 ≥ 1.
        for worker in 0 ..< 2 { _ = [Float](repeating: 1, count: 2).withUnsafeBufferPointer { master.submit($0, from: worker, round: 0) } }
        let tooFew = master.finishOrSkipRound()
        #expect(tooFew.skipReason?.code == .tooFewRows)
        #expect(master.parameters == [1, 2] && master.round == 1)
        _ = master.beginRound()
        let none = master.finishOrSkipRound()
        #expect(none.skipReason?.code == .noAcceptedRows && none.missingWorkers == [0, 1, 2, 3])
        _ = master.beginRound()
        for worker in 0 ..< 4 { _ = [Float](repeating: 1, count: 2).withUnsafeBufferPointer { master.submit($0, from: worker, round: 2) } }
        #expect(!master.finishOrSkipRound().isSkipped)
        #expect(master.parameters == [0, 1])
    }
}
