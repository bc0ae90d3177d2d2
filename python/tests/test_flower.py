"""brsgd.flower against NumPy references, with real Flower Messages; and the example."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

flwr = pytest.importorskip("flwr", reason="Flower is not installed (pip install 'flwr>=1.42,<2')")

from flwr.app import Array, ArrayRecord, ConfigRecord, Message, MetricRecord, RecordDict  # noqa: E402

import brsgd  # noqa: E402
import brsgd.flower  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture(autouse=True)
def task_identity():
    """Flower's Message constructor reads the process's task identity (set by its runtimes)."""
    from flwr.common.constant import SUPERLINK_NODE_ID
    from flwr.supercore.task_identity import TaskIdentity

    saved = (TaskIdentity._task_id, TaskIdentity._run_id, TaskIdentity._node_id)
    TaskIdentity.task_id, TaskIdentity.run_id, TaskIdentity.node_id = 1, 1, SUPERLINK_NODE_ID
    yield
    TaskIdentity._task_id, TaskIdentity._run_id, TaskIdentity._node_id = saved


def replies_for(models: list[dict[str, np.ndarray]], examples: list[int] | None = None,
                node_ids: list[int] | None = None) -> list[Message]:
    """Train replies from nodes 101, 102, … (or ``node_ids``) carrying the given models."""
    replies = []
    for i, model in enumerate(models):
        node = node_ids[i] if node_ids else 101 + i
        instruction = Message(RecordDict({"config": ConfigRecord({})}), node, "train")
        instruction.metadata.__dict__["_message_id"] = f"m{i}"
        content = RecordDict({
            "arrays": ArrayRecord({key: Array(value) for key, value in model.items()}),
            "metrics": MetricRecord({"num-examples": (examples or [10] * len(models))[i], "loss": float(i)}),
        })
        reply = Message(content=content, reply_to=instruction)
        reply.metadata.__dict__["_src_node_id"] = node
        replies.append(reply)
    return replies


def models(m=7, seed=0, byzantine=2):
    rng = np.random.default_rng(seed)
    out = []
    for i in range(m):
        scale = 100.0 if i < byzantine else 1.0
        out.append({"conv": (scale * rng.standard_normal((2, 3))).astype(np.float32),
                    "bias": (scale * rng.standard_normal(4)).astype(np.float32)})
    return out


def flat(model):
    return np.concatenate([model["conv"].reshape(-1), model["bias"]])


def run_round(strategy, client_models, global_model=None):
    if global_model is not None:
        strategy.current_arrays = ArrayRecord({k: Array(v) for k, v in global_model.items()})
    arrays, metrics = strategy.aggregate_train(1, replies_for(client_models))
    assert list(arrays.keys()) == ["conv", "bias"]
    assert arrays["conv"].numpy().shape == (2, 3) and arrays["conv"].numpy().dtype == np.float32
    return np.concatenate([arrays["conv"].numpy().reshape(-1), arrays["bias"].numpy()]), metrics


def test_median_is_numpys_median_of_the_updates():
    client_models = models()
    global_model = {"conv": np.full((2, 3), 0.5, np.float32), "bias": np.full(4, -0.25, np.float32)}
    got, metrics = run_round(brsgd.flower.Median(), client_models, global_model)
    w = flat(global_model)
    updates = np.stack([flat(c) for c in client_models]) - w
    np.testing.assert_array_equal(got, w + np.median(updates, axis=0).astype(np.float32))
    assert metrics["loss"] == pytest.approx(3.0)   # metrics stay FedAvg's weighted average


def test_mean_is_unweighted_numpy_mean():
    client_models = models(byzantine=0)
    strategy = brsgd.flower.Mean()
    arrays, _ = strategy.aggregate_train(1, replies_for(client_models, examples=[1, 1, 1, 1, 1, 1, 1000]))
    got = np.concatenate([arrays["conv"].numpy().reshape(-1), arrays["bias"].numpy()])
    np.testing.assert_allclose(got, np.mean([flat(c) for c in client_models], axis=0), rtol=1e-5, atol=1e-6)


def test_trimmed_mean_against_sorting():
    client_models = models()
    got, _ = run_round(brsgd.flower.TrimmedMean(assumed_byzantine=2), client_models)
    rows = np.sort(np.stack([flat(c) for c in client_models]), axis=0)
    np.testing.assert_allclose(got, rows[2:-2].mean(axis=0), rtol=1e-5, atol=1e-6)


def test_krum_and_brsgd_leave_out_the_byzantine_clients():
    client_models = models()
    strategy = brsgd.flower.Krum(assumed_byzantine=2)
    got, _ = run_round(strategy, client_models)
    [node] = strategy.last_diagnostics["selected_nodes"]
    winner = node - 101
    assert winner >= 2
    np.testing.assert_array_equal(got, flat(client_models[winner]))
    [row] = strategy.last_diagnostics["selected_rows"]
    assert strategy.last_diagnostics["nodes"][row] == node
    strategy = brsgd.flower.BrSGD()
    run_round(strategy, client_models)
    assert not {101, 102} & set(strategy.last_diagnostics["selected_nodes"])


@pytest.mark.parametrize("cls, parameters", [
    (brsgd.flower.BrSGD, {"beta": 0.4}), (brsgd.flower.MultiKrum, {"assumed_byzantine": 2}),
    (brsgd.flower.GeometricMedian, {}), (brsgd.flower.Bulyan, {"assumed_byzantine": 1}),
    (brsgd.flower.CenteredClipping, {"clipping_radius": 5.0}),
])
def test_every_named_strategy_is_the_rule_on_the_updates(cls, parameters):
    client_models = models()
    global_model = {"conv": np.ones((2, 3), np.float32), "bias": np.zeros(4, np.float32)}
    got, _ = run_round(cls(row_order_seed=5, **parameters), client_models, global_model)
    w = flat(global_model)
    updates = np.stack([flat(c) for c in client_models]) - w
    rule = cls(**parameters).rule
    order = brsgd.flower.row_order(updates, 1, bytes([5]))
    np.testing.assert_array_equal(got, w + brsgd.aggregate(updates[order], rule))


def test_non_finite_updates_are_rejected():
    client_models = models(byzantine=0)
    client_models[3]["bias"][0] = np.nan
    strategy = brsgd.flower.Median()
    got, _ = run_round(strategy, client_models)
    assert strategy.last_diagnostics["rejected_nodes"] == [104]
    rows = np.stack([flat(c) for i, c in enumerate(client_models) if i != 3])
    np.testing.assert_array_equal(got, np.median(rows, axis=0).astype(np.float32))


def test_wrong_parameters_fail_when_the_strategy_is_made():
    with pytest.raises(brsgd.RuleError, match="needs the number of Byzantine workers"):
        brsgd.flower.Krum()
    with pytest.raises(brsgd.RuleError, match="median does not take beta"):
        brsgd.flower.Median(beta=0.5)
    strategy = brsgd.flower.RobustStrategy("trimmed-mean", assumed_byzantine=1, min_train_nodes=5)
    assert strategy.min_train_nodes == 5 and strategy.rule == {"name": "trimmed-mean", "assumed_byzantine": 1}


def test_too_few_replies_for_the_rule_is_an_aggregation_error():
    with pytest.raises(brsgd.AggregationError) as raised:
        brsgd.flower.Krum(assumed_byzantine=3).aggregate_train(1, replies_for(models(m=4)))
    assert raised.value.code == "too_few_rows"


def test_the_example_runs_in_process():
    sys.path.insert(0, str(EXAMPLES))
    try:
        import flower_robust
    finally:
        sys.path.remove(str(EXAMPLES))
    distances = flower_robust.main(["--engine", "in-process", "--quiet", "--rounds", "10",
                                    "--strategies", "fedavg,brsgd,median,krum,trimmed-mean,bulyan"])
    assert distances["fedavg"] > 20
    for name in ("brsgd", "median", "krum", "trimmed-mean", "bulyan"):
        assert distances[name] < 1.0, (name, distances)


def tied_models(m=7, seed=0):
    """Honest models whose BrSGD scores tie: with d = 4 the scores are small integers, so
    which tied row the rule keeps depends on the row order."""
    rng = np.random.default_rng(seed)
    return [{"conv": rng.standard_normal((2, 3)).astype(np.float32), "bias": np.zeros(4, np.float32)}
            for _ in range(m)]


def aggregate_of(strategy, replies):
    arrays, _ = strategy.aggregate_train(3, replies)
    return np.concatenate([arrays["conv"].numpy().reshape(-1), arrays["bias"].numpy()])


def test_the_order_of_rows_decides_brsgds_ties():
    # What the next two tests guard against: the same rows in another order, another result.
    G = np.stack([flat(c) for c in tied_models()])
    rng = np.random.default_rng(1)
    results = {brsgd.aggregate(G[rng.permutation(7)], "brsgd").tobytes() for _ in range(10)}
    assert len(results) > 1


def test_arrival_order_does_not_change_the_aggregate():
    client_models = tied_models()
    strategy = brsgd.flower.BrSGD(row_order_seed=7)
    expected = aggregate_of(strategy, replies_for(client_models))
    selected = sorted(strategy.last_diagnostics["selected_nodes"])
    rng = np.random.default_rng(2)
    for _ in range(10):
        replies = replies_for(client_models)
        shuffled = [replies[i] for i in rng.permutation(len(replies))]
        assert aggregate_of(strategy, shuffled).tobytes() == expected.tobytes()
        assert sorted(strategy.last_diagnostics["selected_nodes"]) == selected


def test_node_ids_do_not_change_the_aggregate():
    # The Simulation Engine draws node ids anew in every run: the same updates under other
    # ids must give the same global model.
    client_models = tied_models()
    expected = aggregate_of(brsgd.flower.BrSGD(row_order_seed=7), replies_for(client_models))
    rng = np.random.default_rng(3)
    for _ in range(10):
        ids = [int(i) for i in rng.choice(2**62, size=len(client_models), replace=False)]
        got = aggregate_of(brsgd.flower.BrSGD(row_order_seed=7), replies_for(client_models, node_ids=ids))
        assert got.tobytes() == expected.tobytes()


def test_the_order_is_the_keyed_hash_of_the_updates():
    client_models = tied_models()
    G = np.stack([flat(c) for c in client_models])
    strategy = brsgd.flower.BrSGD(row_order_seed=11)
    got = aggregate_of(strategy, replies_for(client_models))
    order = brsgd.flower.row_order(G, 3, (11).to_bytes(1, "little"))
    assert sorted(order) == list(range(7))
    np.testing.assert_array_equal(got, brsgd.aggregate(G[order], "brsgd"))
    assert strategy.last_diagnostics["nodes"] == [101 + i for i in order]
    # Other keys, other orders: no fixed row wins the ties.
    orders = {tuple(brsgd.flower.row_order(G, 3, bytes([k]))) for k in range(20)}
    assert len({o[0] for o in orders}) > 1
    with pytest.raises(ValueError, match="row_order_seed"):
        brsgd.flower.BrSGD(row_order_seed=-1)
