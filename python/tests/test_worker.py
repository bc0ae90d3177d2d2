"""brsgd.Worker against a Python master speaking the same proto (fake_master.FakeMaster)."""

from __future__ import annotations

import threading

import grpc
import numpy as np
import pytest

import brsgd
from brsgd.worker import Action, decide
from fake_master import FakeMaster, Serving

D = 6
TARGETS = np.random.default_rng(7).standard_normal((5, D)).astype(np.float32)


def honest(worker: int):
    """The gradient of ½‖w − target_i‖²: worker i pulls w toward its own target."""
    def fn(parameters: np.ndarray):
        assert parameters.dtype == np.float32 and parameters.shape == (D,)
        difference = parameters - TARGETS[worker]
        return difference, float(0.5 * np.dot(difference, difference))
    return fn


def byzantine(parameters: np.ndarray):
    return np.full(D, 1e6, dtype=np.float32), 0.0


def run_workers(address: str, functions: dict, **worker_options) -> dict:
    """Runs one Worker per entry in its own thread; returns summaries (or the exceptions)."""
    results: dict = {}

    def body(worker_id, fn):
        try:
            results[worker_id] = brsgd.Worker(address, worker_id, poll_wait=1.0, give_up_after=20,
                                              **worker_options).run(fn)
        except Exception as error:  # noqa: BLE001 - handed to the test
            results[worker_id] = error

    threads = [threading.Thread(target=body, args=item, daemon=True) for item in functions.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
        assert not thread.is_alive(), "a worker did not finish"
    return results


def check_order(events, rounds_expected: int) -> None:
    """Join first; each submission follows a fetch that opened that round; after submitting
    round t a worker asks for t + 1 (or 0 right after a join); every fetch and submit by a
    joined worker carries the session and id as metadata."""
    assert events[0].method == "join"
    opened = None
    expected_next = None
    for event in events:
        if event.method == "join":
            if event.outcome == "joined":
                expected_next = 0
                opened = None
            continue
        if event.method == "fetch":
            if event.outcome in ("open", "wait", "finished"):
                assert event.metadata_ok, event
                assert event.next_round in (expected_next, (opened or -1) + 1), event
            if event.outcome == "open":
                opened = event.round
        if event.method == "submit" and event.outcome == "accepted":
            assert event.metadata_ok, event
            assert event.round == opened, event
            expected_next = event.round + 1
    assert sum(e.method == "submit" and e.outcome == "accepted" for e in events) == rounds_expected


def test_five_workers_one_byzantine_every_step_is_w_minus_lr_median():
    master = FakeMaster(workers=5, rounds=8, initial=np.zeros(D, dtype=np.float32), lr=0.5, rule="median")
    with Serving(master) as serving:
        functions = {0: byzantine, **{i: honest(i) for i in range(1, 5)}}
        results = run_workers(serving.address, functions)
    for worker, summary in results.items():
        assert isinstance(summary, brsgd.WorkerSummary), summary
        assert summary.submitted == summary.accepted == 8
        assert summary.rounds == list(range(8))
        assert summary.joins == 1
        check_order(master.events_of(worker), 8)
    assert [s.round for s in master.steps] == list(range(8))
    w = np.zeros(D, dtype=np.float32)
    for step in master.steps:
        # The parameters every worker saw are the master's w_t, and the step is the rule's.
        np.testing.assert_array_equal(step.parameters, w)
        np.testing.assert_array_equal(step.gradients[0], np.full(D, 1e6, dtype=np.float32))
        np.testing.assert_array_equal(step.gradients[1:], w - TARGETS[1:])
        w = w - np.float32(0.5) * np.median(step.gradients, axis=0).astype(np.float32)
        np.testing.assert_array_equal(step.updated, w)
    # The Byzantine worker's 1e6 did not drag the model away: median of the honest pulls.
    assert np.all(np.abs(w) < 10)


def test_restarted_master_forgets_sessions_and_workers_join_again():
    master = FakeMaster(workers=3, rounds=5, initial=np.ones(D, dtype=np.float32), lr=0.1,
                        rule="mean", forget_sessions_at_round=2)
    with Serving(master) as serving:
        results = run_workers(serving.address, {i: honest(i) for i in range(3)})
    for worker, summary in results.items():
        assert isinstance(summary, brsgd.WorkerSummary), summary
        assert summary.joins == 2, summary
        assert summary.accepted == 5
        events = master.events_of(worker)
        check_order(events, 5)
        # After the restart the worker's call is refused, then it joins and asks from 0.
        refused = next(i for i, e in enumerate(events)
                       if e.outcome in ("UNAUTHENTICATED", "unauthenticated"))
        rejoin = next(i for i, e in enumerate(events) if i > refused and e.method == "join")
        assert all(e.method != "submit" or e.outcome != "accepted" for e in events[refused:rejoin])
        first_fetch = next(e for e in events[rejoin:] if e.method == "fetch")
        assert first_fetch.next_round == 0
    assert [s.round for s in master.steps] == list(range(5))


def test_already_exists_is_retried():
    master = FakeMaster(workers=2, rounds=2, initial=np.zeros(D, dtype=np.float32), rule="mean",
                        already_exists_once={1})
    with Serving(master) as serving:
        results = run_workers(serving.address, {0: honest(0), 1: honest(1)})
    assert results[1].joins == 1 and results[1].accepted == 2
    joins = [e.outcome for e in master.events_of(1) if e.method == "join"]
    assert joins == ["ALREADY_EXISTS", "joined"]


def test_wrong_token_stops_with_a_clear_error():
    master = FakeMaster(workers=1, rounds=1, initial=np.zeros(D, dtype=np.float32), token="s3cret-token-xyz")
    with Serving(master) as serving:
        with pytest.raises(brsgd.WorkerError, match="refused the token") as raised:
            brsgd.Worker(serving.address, 0, token="wrong").run(honest(0))
    assert raised.value.code == grpc.StatusCode.UNAUTHENTICATED


def test_right_token_is_accepted():
    master = FakeMaster(workers=1, rounds=1, initial=np.zeros(D, dtype=np.float32), token="s3cret-token-xyz")
    with Serving(master) as serving:
        summary = brsgd.Worker(serving.address, 0, token="s3cret-token-xyz").run(honest(0))
    assert summary.accepted == 1


def test_unknown_worker_id_stops():
    master = FakeMaster(workers=2, rounds=1, initial=np.zeros(D, dtype=np.float32))
    with Serving(master) as serving:
        with pytest.raises(brsgd.WorkerError, match="unknown_worker") as raised:
            brsgd.Worker(serving.address, 7).run(honest(0))
    assert raised.value.code == grpc.StatusCode.INVALID_ARGUMENT


def test_a_gradient_of_the_wrong_length_is_the_callers_error():
    master = FakeMaster(workers=1, rounds=1, initial=np.zeros(D, dtype=np.float32))
    with Serving(master) as serving:
        with pytest.raises(ValueError, match="returned 3 values for round 0"):
            brsgd.Worker(serving.address, 0).run(lambda w: (np.zeros(3), 0.0))


def test_unreachable_master_gives_up():
    with pytest.raises(brsgd.WorkerError, match="unreachable"):
        # Nothing listens on port 9 of loopback (discard): every call fails.
        brsgd.Worker("127.0.0.1:9", 0, give_up_after=0.5).run(honest(0))


@pytest.mark.parametrize("call, code, action", [
    ("join", grpc.StatusCode.UNAUTHENTICATED, Action.STOP),
    ("fetch", grpc.StatusCode.UNAUTHENTICATED, Action.REJOIN),
    ("submit", grpc.StatusCode.UNAUTHENTICATED, Action.REJOIN),
    ("join", grpc.StatusCode.ALREADY_EXISTS, Action.RETRY),
    ("join", grpc.StatusCode.INVALID_ARGUMENT, Action.STOP),
    ("join", grpc.StatusCode.FAILED_PRECONDITION, Action.STOP),
    ("fetch", grpc.StatusCode.PERMISSION_DENIED, Action.STOP),
    ("fetch", grpc.StatusCode.UNAVAILABLE, Action.RECONNECT),
    ("submit", grpc.StatusCode.DEADLINE_EXCEEDED, Action.RECONNECT),
])
def test_decisions(call, code, action):
    assert decide(call, code) is action


def test_stop_ends_the_loop_after_the_round_in_flight():
    master = FakeMaster(workers=1, rounds=5, initial=np.zeros(D, dtype=np.float32), rule="mean")
    with Serving(master) as serving:
        worker = brsgd.Worker(serving.address, 0, poll_wait=1.0)

        def fn(parameters):
            worker.stop()
            return honest(0)(parameters)

        summary = worker.run(fn)
    assert summary.rounds == [0] and summary.submitted == 1
    assert len(master.steps) == 1
