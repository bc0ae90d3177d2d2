import Testing
import NeuralEngine
import RobustAggregation
@testable import BrSGDCluster

/// The master's state machine, without any I/O: validation of every kind of bad
/// submission, missing workers, and the step w ← w − η·g.
@Suite struct MasterStateMachineTests {
    func machine(rule: any AggregationRule = Mean(), m: Int = 3) -> MasterStateMachine {
        MasterStateMachine(parameters: [1, 2], optimizer: SGD(learningRate: 0.5), rule: rule, workerCount: m)
    }

    func submit(_ master: inout MasterStateMachine, _ g: [Float], worker: Int, round: Int) -> SubmissionRejection.Code? {
        g.withUnsafeBufferPointer { master.submit($0, from: worker, round: round) }?.code
    }

    @Test func aRoundAveragesAndSteps() throws {
        var master = machine()
        let round = master.beginRound()
        #expect(round == 0)
        #expect(submit(&master, [2, 4], worker: 0, round: 0) == nil)
        #expect(submit(&master, [4, 8], worker: 1, round: 0) == nil)
        #expect(submit(&master, [0, 0], worker: 2, round: 0) == nil)
        #expect(master.hasAllGradients)
        let outcome = try master.finishRound()
        // g = [2, 4]; w = [1, 2] − 0.5·[2, 4] = [0, 0].
        #expect(master.parameters == [0, 0])
        #expect(outcome.missingWorkers.isEmpty)
        #expect(master.round == 1)
    }

    @Test func badSubmissionsAreRefusedWithAReasonAndCounted() {
        var master = machine()
        #expect(submit(&master, [1, 1], worker: 0, round: 0) == .notCollecting)
        _ = master.beginRound()
        #expect(submit(&master, [1, 1], worker: 0, round: 1) == .wrongRound)
        #expect(submit(&master, [1, 1], worker: 3, round: 0) == .unknownWorker)
        #expect(submit(&master, [1, 1], worker: -1, round: 0) == .unknownWorker)
        #expect(submit(&master, [1, 1, 1], worker: 0, round: 0) == .wrongLength)
        #expect(submit(&master, [.nan, 1], worker: 0, round: 0) == .nonFinite)
        #expect(submit(&master, [1, .infinity], worker: 0, round: 0) == .nonFinite)
        #expect(submit(&master, [1, 1], worker: 0, round: 0) == nil)
        #expect(submit(&master, [9, 9], worker: 0, round: 0) == .duplicate)
        #expect(master.rejections[.nonFinite] == 2)
        #expect(master.rejections[.unknownWorker] == 2)
        #expect(master.rejections.values.reduce(0, +) == 8)
    }

    @Test func missingWorkersAreAggregatedAsRejectedRows() throws {
        var master = machine()
        _ = master.beginRound()
        _ = submit(&master, [2, 2], worker: 1, round: 0)
        let outcome = try master.finishRound()
        #expect(outcome.missingWorkers == [0, 2])
        #expect(outcome.diagnostics.rejectedRows == [0, 2])
        #expect(master.parameters == [0, 1])   // [1, 2] − 0.5·[2, 2]
        // The next round starts clean: nobody has submitted.
        _ = master.beginRound()
        #expect(master.missingWorkers == [0, 1, 2])
    }

    @Test func aRoundThatCannotBeAggregatedLeavesTheModelUnchanged() {
        var master = machine(rule: Krum(byzantineCount: 0))
        _ = master.beginRound()
        _ = submit(&master, [2, 2], worker: 1, round: 0)
        #expect(throws: AggregationError.self) { try master.finishRound() }
        #expect(master.parameters == [1, 2])
        #expect(master.round == 0)
        #expect(master.isCollecting)
    }
}
