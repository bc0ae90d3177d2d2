import BrSGDRecords
import BrSGDCluster
import Foundation
import RobustAggregation
import GRPCCore
import Testing
@testable import BrSGDTransportGRPC

@Suite("Faults")
struct FaultTests {
    @Test func aSilentWorkerMissesTheDeadlineAndTheRoundGoesOnWithoutIt() async throws {
        let run = TinyRun(workers: 2, rounds: 2)
        let d = run.parameterCount
        var options = NetworkMasterOptions()
        // Only round 0 waits out its deadline (round 1 closes when both gradients are in), so
        // it can be long: worker 0 must submit within it, on a machine running the whole suite.
        // At 1-2 s, CI saw the rounds expire before the test's calls arrived.
        options.roundTimeout = .seconds(10)
        let (steps, result) = try await run.withMaster(options: options) { client in
            let s0 = try await client.join(0).session
            let s1 = try await client.join(1).session
            async let first0 = client.fetch(0, session: s0)
            async let first1 = client.fetch(1, session: s1)
            let (round0, _) = try await (first0, first1)
            let w0 = try #require(TensorBytes.unpack(round0.parameters))
            let g = (0 ..< d).map { Float($0) / 8 }
            #expect(try await client.submit(0, session: s0, round: 0, g).accepted)
            // Worker 1 says nothing in round 0; round 1 opens after the deadline.
            let round1 = try await client.fetchPastWaits(0, session: s0)
            #expect(round1.round == 1)
            let w1 = try #require(TensorBytes.unpack(round1.parameters))
            let stepped = w1.map(\.bitPattern) == (try expectedStep(w0, rows: [g], learningRate: run.learningRate)).map(\.bitPattern)
            // Worker 1 comes back and takes part in round 1.
            let back = try await client.fetch(1, session: s1)
            #expect(back.round == 1)
            #expect(try await client.submit(1, session: s1, round: 1, g).accepted)
            #expect(try await client.submit(0, session: s0, round: 1, g).accepted)
            #expect(try await client.fetch(0, session: s0).status == .finished)
            #expect(try await client.fetch(1, session: s1).status == .finished)
            return stepped
        }
        #expect(steps, "the round was aggregated from worker 0's gradient alone")
        let outcome = try #require(result)
        #expect(outcome.result.rounds == 2)
        #expect(outcome.result.skippedRounds == 0)
        #expect(outcome.result.rejectedRows == 1, "the missing row, rejected as NaN")
    }

    @Test func aRoundWithNoGradientAtAllIsSkippedAndTheModelStays() async throws {
        let run = TinyRun(workers: 1, rounds: 2)
        var options = NetworkMasterOptions()
        // Round 0 closes at its deadline (a refused gradient does not complete it), round 1
        // when its gradient is in. The NaN must arrive within the deadline on a loaded machine:
        // at 1 s, CI saw both rounds expire first, and the calls then met a finished master.
        options.roundTimeout = .seconds(10)
        let (same, result) = try await run.withMaster(options: options) { client in
            let s = try await client.join(0).session
            let w0 = try await client.fetch(0, session: s).parameters
            // Its only gradient is refused (NaN): round 0 has nothing to aggregate.
            var poisoned = [Float](repeating: 0, count: run.parameterCount)
            poisoned[0] = .nan
            #expect(try await client.submit(0, session: s, round: 0, poisoned).code == "non_finite")
            let next = try await client.fetchPastWaits(0, session: s)
            #expect(next.status != .wait && next.round == 1)
            #expect(try await client.submit(0, session: s, round: 1, [Float](repeating: 0, count: run.parameterCount)).accepted)
            #expect(try await client.fetch(0, session: s).status == .finished)
            return next.parameters == w0
        }
        #expect(same)
        #expect(try #require(result).result.skippedRounds == 1)
    }

    @Test func checkpointsAreWrittenAtomicallyAndRoundTrip() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("brsgd-ck-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("ck.json")
        var ledger = RunLedger(byzantineWorkers: [0], roundsPerEpoch: 1)
        ledger.record(RoundOutcome(round: 0, diagnostics: AggregationDiagnostics(
            rule: "mean", rejectedRows: [1], acceptedRows: [0], selectedRows: [0]), aggregationSeconds: 0.1),
                      honestLosses: [1.5], roundSeconds: 0.2)
        ledger.closeEpoch(evaluation: nil, seconds: 3)
        let checkpoint = MasterCheckpoint(
            identity: TinyRun(workers: 2, rounds: 3).plan.identity, round: 2, parameters: TensorBytes.pack([1, .nan, -0]),
            velocity: TensorBytes.pack([]), ledger: ledger.carrying(epochSeconds: 0.5), elapsedSeconds: 9)
        try checkpoint.write(to: url)
        try checkpoint.write(to: url)
        let read = try MasterCheckpoint.read(from: url)
        #expect(read.round == 2)
        #expect(read.parameters == checkpoint.parameters)
        #expect(try RunRecord.encoder.encode(read.ledger) == RunRecord.encoder.encode(checkpoint.ledger))
        #expect(read.ledger.epochs.count == 1 && read.ledger.epochs[0].testAccuracy.isNaN)
        #expect(read.ledger.byzantineSelections == [1])
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["ck.json"], "no temporary file left")
        _ = FileManager.default.createFile(atPath: url.path, contents: Data("{\"torn".utf8))
        #expect(throws: CheckpointError.self) { try MasterCheckpoint.read(from: url) }
    }
}
