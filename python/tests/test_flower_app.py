"""The pieces of examples/flower-app that the deployment test does not reach: the
FashionMNIST task's error when its files are missing, and the Byzantine switch."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytest.importorskip("flwr", reason="Flower is not installed (pip install 'flwr==1.42.0')")

from flwr.app import Context, RecordDict  # noqa: E402

APP = Path(__file__).resolve().parents[1] / "examples" / "flower-app"
sys.path.insert(0, str(APP))
try:
    from brsgd_app import client_app, task  # noqa: E402
finally:
    sys.path.remove(str(APP))


def test_missing_fashion_mnist_names_the_directory_and_the_files(tmp_path):
    (tmp_path / "train-images-idx3-ubyte.gz").write_bytes(b"")
    with pytest.raises(task.MissingDataError) as raised:
        task.fashion_mnist(tmp_path / "nowhere")
    message = str(raised.value)
    assert str(tmp_path / "nowhere") in message and "t10k-labels-idx1-ubyte.gz" in message
    with pytest.raises(task.MissingDataError) as raised:
        task.fashion_mnist(tmp_path)
    assert "train-images-idx3-ubyte.gz" not in str(raised.value).split("lacks")[1]


def context(node_config):
    return Context(run_id=1, node_id=7, node_config=node_config, state=RecordDict(),
                   run_config={"num-byzantine": 2})


@pytest.mark.parametrize("node_config, byzantine", [
    ({"partition-id": 0}, True), ({"partition-id": 2}, False),
    ({"partition-id": 5, "byzantine": True}, True), ({"partition-id": 0, "byzantine": False}, False),
    ({"partition-id": 5, "byzantine": "true"}, True), ({"partition-id": 0, "byzantine": "false"}, False),
])
def test_the_node_config_switch_wins_over_the_partition(node_config, byzantine):
    assert client_app.is_byzantine(context(node_config)) is byzantine


def test_linear_regression_converges_from_one_node():
    work = task.task({"task": "linear-regression"})
    w = work.initial(0)
    for _ in range(20):
        w, metrics = work.train(w, 3, 8, "", 0)
    assert work.evaluate(w)["distance-to-w*"] < 0.1
    with pytest.raises(ValueError, match="task must be one of"):
        task.task({"task": "cifar"})
