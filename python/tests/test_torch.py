"""brsgd.torch and examples/torch_worker.py (against the Python master of fake_master)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="PyTorch is not installed (pip install torch; a CPU wheel is enough)")

import brsgd  # noqa: E402
from brsgd.torch import gradient_vector, load_parameters, parameter_count, parameters_vector  # noqa: E402
from fake_master import FakeMaster, Serving  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def model():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.Flatten(), torch.nn.Linear(2 * 4 * 4, 3))


def test_vectors_follow_the_order_of_parameters():
    net = model()
    x, y = torch.randn(5, 1, 6, 6), torch.tensor([0, 1, 2, 0, 1])
    torch.nn.functional.cross_entropy(net(x), y).backward()
    expected = torch.cat([p.grad.reshape(-1) for p in net.parameters()]).numpy()
    g = gradient_vector(net)
    assert g.dtype == np.float32 and g.shape == (parameter_count(net),)
    np.testing.assert_array_equal(g, expected)
    out = np.empty_like(g)
    assert gradient_vector(net, out=out) is out
    w = parameters_vector(net)
    np.testing.assert_array_equal(w, torch.cat([p.detach().reshape(-1) for p in net.parameters()]).numpy())


def test_load_parameters_round_trips_and_accepts_read_only_buffers():
    net = model()
    w = np.arange(parameter_count(net), dtype=np.float32) / 100
    load_parameters(net, np.frombuffer(w.tobytes(), dtype="<f4"))   # as the master's bytes arrive
    np.testing.assert_array_equal(parameters_vector(net), w)
    first = next(net.parameters())
    np.testing.assert_array_equal(first.detach().numpy(), w[:first.numel()].reshape(first.shape))
    with pytest.raises(ValueError, match="the model has"):
        load_parameters(net, w[:-1])


def test_a_parameter_without_gradient_gives_zeros():
    net = model()
    net[2].bias.grad = None
    net[0].weight.grad = torch.ones_like(net[0].weight)
    g = gradient_vector(net)
    assert g[:net[0].weight.numel()].tolist() == [1.0] * net[0].weight.numel()
    assert not g[net[0].weight.numel():].any()


def test_the_example_trains_a_cnn_through_a_master_with_a_byzantine_worker():
    sys.path.insert(0, str(EXAMPLES))
    try:
        import torch_worker
    finally:
        sys.path.remove(str(EXAMPLES))
    torch.manual_seed(0)
    net = torch_worker.cnn()
    x, y, x_test, y_test = torch_worker.load_data(None, synthetic=True)
    before = torch_worker.accuracy(net, x_test, y_test)
    master = FakeMaster(workers=4, rounds=40, initial=parameters_vector(net), lr=0.1, rule="brsgd")
    with Serving(master) as serving:
        summaries = torch_worker.run_workers(serving.address, 4, 1, x, y, batch_size=32, seed=0)
    assert all(s.accepted == 40 for s in summaries)
    for step in master.steps:
        g, info = brsgd.aggregate(step.gradients, "brsgd", diagnostics=True)
        assert 0 not in info["selected_rows"]          # the Byzantine worker never counts
        np.testing.assert_array_equal(step.updated, step.parameters - np.float32(0.1) * g)
    load_parameters(net, master.parameters)
    after = torch_worker.accuracy(net, x_test, y_test)
    assert after > max(0.5, before + 0.3), (before, after)
