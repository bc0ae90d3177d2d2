"""brsgd.torch and examples/torch_worker.py (against the Python master of fake_master)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="PyTorch is not installed (pip install torch; a CPU wheel is enough)")

import brsgd  # noqa: E402
import brsgd.torch  # noqa: E402
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


def gradients(m=9, d=300):
    G = torch.randn(m, d, generator=torch.Generator().manual_seed(4))
    G[0] = 1e3
    return G


@pytest.mark.parametrize("rule, parameters", [("brsgd", {}), ("krum", {"assumed_byzantine": 2}),
                                              ("median", {}), ("trimmed-mean", {"assumed_byzantine": 2})])
def test_aggregate_reads_a_contiguous_tensor_in_place(c_pointers, rule, parameters):
    received = c_pointers
    G = gradients().requires_grad_()
    got = brsgd.torch.aggregate(G, rule, **parameters)
    assert received[-1] == G.data_ptr()
    assert isinstance(got, torch.Tensor) and got.dtype == torch.float32 and got.device.type == "cpu"
    assert got.shape == (300,) and not got.requires_grad
    expected = brsgd.aggregate(G.detach().numpy(), rule, **parameters)
    assert got.numpy().tobytes() == expected.tobytes()


def test_other_tensors_are_converted_once_and_agree(c_pointers):
    received = c_pointers
    G = gradients()
    expected = brsgd.torch.aggregate(G, "brsgd")
    for other in (G.double(), G.t().contiguous().t(), G.repeat_interleave(2, dim=1)[:, ::2]):
        got = brsgd.torch.aggregate(other, "brsgd")
        assert received[-1] != other.data_ptr()
        assert got.numpy().tobytes() == expected.numpy().tobytes()


def test_a_sequence_of_tensors_is_one_row_each():
    G = gradients()
    pieces = [row.reshape(3, 100) for row in G]
    got, info = brsgd.torch.aggregate(pieces, "krum", assumed_byzantine=2, diagnostics=True)
    assert got.numpy().tobytes() == brsgd.aggregate(G.numpy(), "krum", assumed_byzantine=2).tobytes()
    assert 0 not in info["selected_rows"]
    with pytest.raises(ValueError, match="tensor 2 has 299"):
        brsgd.torch.aggregate([G[0], G[1], G[2, :-1]], "median")
    with pytest.raises(ValueError, match="2-D tensor"):
        brsgd.torch.aggregate(G[0], "median")
    with pytest.raises(brsgd.RuleError):
        brsgd.torch.aggregate(G, "median", beta=0.5)
