import Testing
@testable import BrSGDCluster

/// The worker's side of the protocol, driven without any I/O: every path the gRPC worker
/// takes, one by one.
@Suite struct WorkerStateMachineTests {
    let t0 = ContinuousClock.now
    let accepted = WorkerStateMachine.JoinAccepted(parameterCount: 10, totalRounds: 3)

    @Test func aWholeRunJoinsFetchesComputesAndSubmitsUntilFinished() {
        var machine = WorkerStateMachine()
        #expect(machine.start(now: t0) == .join)
        #expect(machine.joined(accepted, now: t0) == .fetch(nextRound: 0))
        #expect(machine.fetched(.wait, now: t0) == .fetch(nextRound: 0))
        for round in UInt64(0) ..< 3 {
            if round == 0 { #expect(machine.fetched(.open(round: 0), now: t0) == .compute(round: 0)) }
            #expect(machine.computed(round: round) == .submit(round: round, prefetch: round + 1))
            machine.submitted(round: round, accepted: true, code: "", now: t0)
            #expect(machine.nextRound == round + 1)
            if round < 2 { #expect(machine.fetched(.open(round: round + 1), now: t0) == .compute(round: round + 1)) }
        }
        #expect(machine.fetched(.finished, now: t0) == .finish)
        #expect(machine.isFinished)
        #expect(machine.summary.submitted == 3 && machine.summary.joins == 1 && machine.summary.refusals.isEmpty)
    }

    @Test func aBadTokenOrAnotherRefusalAtJoinStopsTheWorker() {
        var machine = WorkerStateMachine()
        _ = machine.start(now: t0)
        guard case .fail(let failure) = machine.joinFailed(.badToken("the token does not match"), now: t0) else {
            Issue.record("expected a failure")
            return
        }
        #expect(failure.code == .badToken)
        var other = WorkerStateMachine()
        _ = other.start(now: t0)
        guard case .fail(let refused) = other.joinFailed(.refused("worker id 9 is not in 0..<4"), now: t0) else {
            Issue.record("expected a failure")
            return
        }
        #expect(refused.code == .refused)
    }

    @Test func anIdHeldByAStaleSessionIsTriedAgain() {
        var machine = WorkerStateMachine()
        _ = machine.start(now: t0)
        #expect(machine.joinFailed(.idTaken, now: t0) == .pause(.milliseconds(500)))
        #expect(machine.paused() == .join)
    }

    @Test func aMasterThatForgotTheSessionIsJoinedAgainFromRoundZero() {
        var machine = WorkerStateMachine()
        _ = machine.start(now: t0)
        _ = machine.joined(accepted, now: t0)
        _ = machine.fetched(.open(round: 0), now: t0)
        _ = machine.computed(round: 0)
        machine.submitted(round: 0, accepted: true, code: "", now: t0)
        #expect(machine.fetchFailed(.unknownSession, now: t0) == .pause(.milliseconds(100)))
        #expect(!machine.hasSession)
        #expect(machine.paused() == .join)
        #expect(machine.joined(accepted, now: t0) == .fetch(nextRound: 0), "a restarted master may replay rounds")
        #expect(machine.summary.joins == 2)
    }

    @Test func aSubmissionRefusedAsUnauthenticatedVoidsThePrefetch() {
        var machine = WorkerStateMachine()
        _ = machine.start(now: t0)
        _ = machine.joined(accepted, now: t0)
        _ = machine.fetched(.open(round: 0), now: t0)
        _ = machine.computed(round: 0)
        machine.submitted(round: 0, accepted: false, code: "unauthenticated", now: t0)
        #expect(machine.summary.refusals == ["unauthenticated": 1])
        #expect(machine.fetched(.open(round: 1), now: t0) == .pause(.milliseconds(100)))
        #expect(machine.paused() == .join)
    }

    @Test func otherRefusalsOfAGradientAreCountedAndTheWorkerGoesOn() {
        var machine = WorkerStateMachine()
        _ = machine.start(now: t0)
        _ = machine.joined(accepted, now: t0)
        _ = machine.fetched(.open(round: 0), now: t0)
        _ = machine.computed(round: 0)
        machine.submitted(round: 0, accepted: false, code: "wrong_round", now: t0)
        #expect(machine.fetched(.open(round: 1), now: t0) == .compute(round: 1))
        #expect(machine.summary.refusals == ["wrong_round": 1])
    }

    @Test func anUnreachableMasterIsWaitedForThenGivenUpOn() {
        var configuration = WorkerStateMachine.Configuration()
        configuration.giveUpAfter = .seconds(10)
        var machine = WorkerStateMachine(configuration: configuration)
        _ = machine.start(now: t0)
        #expect(machine.joinFailed(.unreachable("connection refused"), now: t0 + .seconds(5)) == .pause(.milliseconds(200)))
        #expect(machine.paused() == .join)
        _ = machine.joined(accepted, now: t0 + .seconds(6))
        #expect(machine.fetchFailed(.unreachable("reset"), now: t0 + .seconds(15)) == .pause(.milliseconds(200)))
        #expect(machine.paused() == .fetch(nextRound: 0))
        guard case .fail(let failure) = machine.fetchFailed(.unreachable("reset"), now: t0 + .seconds(17)) else {
            Issue.record("expected to give up")
            return
        }
        #expect(failure.code == .unreachable)
    }

    @Test func aMasterGoneAfterTheLastRoundMeansTrainingIsOver() {
        var machine = WorkerStateMachine()
        _ = machine.start(now: t0)
        _ = machine.joined(WorkerStateMachine.JoinAccepted(parameterCount: 10, totalRounds: 1), now: t0)
        _ = machine.fetched(.open(round: 0), now: t0)
        _ = machine.computed(round: 0)
        machine.submitted(round: 0, accepted: true, code: "", now: t0)
        #expect(machine.fetchFailed(.unreachable("closed"), now: t0) == .finish)
    }

    @Test func aRestartedMasterWithAnotherModelIsRefused() {
        var machine = WorkerStateMachine()
        _ = machine.start(now: t0)
        _ = machine.joined(accepted, now: t0)
        _ = machine.fetchFailed(.unknownSession, now: t0)
        guard case .fail(let failure) = machine.joined(WorkerStateMachine.JoinAccepted(parameterCount: 11, totalRounds: 3), now: t0)
        else {
            Issue.record("expected a failure")
            return
        }
        #expect(failure.code == .wrongModel)
    }
}
