import TestSupport
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

    /// A rule with history gets the aggregate it returned the round before: centered
    /// clipping (τ = 1, L = 1) centred on it, from zero in round 0.
    @Test func aRuleWithHistoryIsCentredOnTheLastAggregate() throws {
        let rule = CenteredClipping(radius: 1, iterations: 1, start: .previousAggregate)
        var master = machine(rule: rule)
        #expect(master.previousAggregate == nil)
        let rows: [[Float]] = [[3, 4], [0, 0.5], [0, 0]]
        _ = master.beginRound()
        for (w, g) in rows.enumerated() { #expect(submit(&master, g, worker: w, round: 0) == nil) }
        _ = try master.finishRound()
        // From v = 0: [3, 4] (norm 5) clipped to [0.6, 0.8]; v = ([0.6, 0.8] + [0, 0.5] + 0) / 3.
        let first = try #require(master.previousAggregate)
        #expect(abs(first[0] - 0.2) < 1e-6 && abs(first[1] - 1.3 / 3) < 1e-6, "\(first)")
        _ = master.beginRound()
        for (w, g) in rows.enumerated() { #expect(submit(&master, g, worker: w, round: 1) == nil) }
        _ = try master.finishRound()
        let centred = try CenteredClipping(radius: 1, iterations: 1, start: .point(first))
            .aggregate(GradientMatrix(rows: rows)).gradient
        #expect(master.previousAggregate == centred)
        #expect(machine(rule: Mean()).previousAggregate == nil)
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

    // MARK: - Packed submissions (the wire form the networked master writes from)

    /// `values` as packed little-endian float32, starting `offset` bytes into the buffer (a
    /// gradient inside a protobuf message is at any alignment).
    static func packed(_ values: [Float], offset: Int = 0) -> [UInt8] {
        [UInt8](repeating: 0xEE, count: offset) + values.flatMap { v in (0 ..< 4).map { UInt8(truncatingIfNeeded: v.bitPattern >> (8 * $0)) } }
    }

    func submitPacked(_ master: inout MasterStateMachine, _ bytes: [UInt8], offset: Int = 0, worker: Int,
                      round: Int) -> SubmissionRejection.Code? {
        bytes.withUnsafeBytes { master.submit(packed: UnsafeRawBufferPointer(rebasing: $0[offset...]), from: worker, round: round) }?.code
    }

    @Test(arguments: [0, 1, 3])
    func aPackedGradientIsWrittenIntoItsRowBitForBit(offset: Int) throws {
        // NaN payloads and signed zeros are not in play (rejected, or equal), but odd bit patterns are.
        let g: [Float] = [-0.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude, 1.0 / 3.0]
        var viaFloats = MasterStateMachine(parameters: [1, 2, 3, 4], optimizer: SGD(learningRate: 0.5), rule: Mean(), workerCount: 2)
        var viaBytes = viaFloats
        _ = viaFloats.beginRound()
        _ = viaBytes.beginRound()
        #expect(submit(&viaFloats, g, worker: 1, round: 0) == nil)
        #expect(submitPacked(&viaBytes, Self.packed(g, offset: offset), offset: offset, worker: 1, round: 0) == nil)
        #expect(bitwiseDifference(viaBytes.gradientMatrix.row(1), g) == nil)
        #expect(viaBytes.missingWorkers == [0])
        #expect(submit(&viaFloats, [1, 1, 1, 1], worker: 0, round: 0) == nil)
        #expect(submitPacked(&viaBytes, Self.packed([1, 1, 1, 1]), worker: 0, round: 0) == nil)
        _ = try viaFloats.finishRound()
        _ = try viaBytes.finishRound()
        #expect(bitwiseDifference(viaBytes.parameters, viaFloats.parameters) == nil)
    }

    @Test func aRefusedPackedGradientLeavesTheMatrixUntouchedAndIsCountedAsTheFloatsWouldBe() {
        var viaFloats = machine()
        var viaBytes = machine()
        _ = viaFloats.beginRound()
        _ = viaBytes.beginRound()
        #expect(submitPacked(&viaBytes, Self.packed([3, 5]), worker: 2, round: 0) == nil)
        let before = viaBytes.gradientMatrix
        let cases: [([Float], Int, Int, SubmissionRejection.Code)] = [
            ([1, .infinity], 0, 0, .nonFinite), ([.nan, 1], 1, 0, .nonFinite), ([1, 1, 1], 0, 0, .wrongLength),
            ([1, 1], 0, 1, .wrongRound), ([1, 1], 3, 0, .unknownWorker), ([7, 7], 2, 0, .duplicate),
        ]
        for (g, worker, round, code) in cases {
            #expect(submitPacked(&viaBytes, Self.packed(g), worker: worker, round: round) == code)
            #expect(submit(&viaFloats, g, worker: worker, round: round) == (code == .duplicate ? nil : code))
        }
        // Not a whole number of float32: malformed, before anything else is looked at.
        #expect(submitPacked(&viaBytes, [0, 0, 128, 63, 0], worker: 0, round: 0) == .malformed)
        #expect(viaBytes.gradientMatrix == before)
        #expect(viaBytes.missingWorkers == [0, 1])
        #expect(viaBytes.rejections[.nonFinite] == 2 && viaBytes.rejections[.malformed] == 1)
        #expect(viaBytes.rejections[.wrongLength] == viaFloats.rejections[.wrongLength])
    }
}
