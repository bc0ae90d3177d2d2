"""Python workers against the real Swift master (`brsgd master --parameters …`, issue 11).

Skipped until the built brsgd has a master for any model (`--parameters`). A NumPy model:
worker i's gradient at w is w − target_i (the gradient of ½‖w − target_i‖²); worker 0 is
Byzantine and sends 1e6 everywhere. Every round's parameters must be the previous round's
minus η·rule(G) of the gradients the workers sent.
"""

from __future__ import annotations

import re
import subprocess
import threading
import time

import numpy as np
import pytest

import brsgd

D, M, ROUNDS, LR = 16, 5, 6, 0.5


@pytest.fixture(scope="module")
def parameters_master(cli):
    if "--parameters" not in cli.help("master"):
        pytest.skip(f"{cli.path} master has no --parameters option yet (the master for any model of issue 11)")
    return cli


@pytest.mark.parametrize("rule", ["median", "brsgd"])
def test_each_step_is_w_minus_lr_rule_of_g(parameters_master, tmp_path, rule):
    cli = parameters_master
    targets = np.random.default_rng(3).standard_normal((M, D)).astype(np.float32)
    w0 = np.zeros(D, dtype=np.float32)
    np.save(tmp_path / "init.npy", w0)
    master = subprocess.Popen(
        [str(cli.path), "master", "--parameters", str(tmp_path / "init.npy"), "--workers", str(M),
         "--rule", rule, "--lr", str(LR), "--rounds", str(ROUNDS), "--save-model", str(tmp_path / "w.npy"),
         "--listen", "127.0.0.1:0"],
        stderr=subprocess.PIPE, text=True)
    address = None
    deadline = time.monotonic() + 60
    for line in master.stderr:
        found = re.search(r"listening on ([\w.\-]+):(\d+)", line)
        if found:
            address = f"{found.group(1)}:{found.group(2)}"
            break
        assert time.monotonic() < deadline
    assert address, "the master did not say where it listens"
    threading.Thread(target=master.stderr.read, daemon=True).start()
    seen: dict[int, dict[int, tuple[np.ndarray, np.ndarray]]] = {i: {} for i in range(M)}

    def body(i):
        def fn(parameters):
            gradient = np.full(D, 1e6, np.float32) if i == 0 else parameters - targets[i]
            seen[i][len(seen[i])] = (parameters.copy(), gradient)
            return gradient, 0.0
        brsgd.Worker(address, i, poll_wait=1.0).run(fn)

    threads = [threading.Thread(target=body, args=(i,), daemon=True) for i in range(M)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert master.wait(timeout=60) == 0
    # Each step from what the workers saw: w_{t+1} = w_t − η·rule(G_t). The master's float32
    # arithmetic may round differently (a fused multiply-add, η in Double): one ulp of slack.
    np.testing.assert_array_equal(seen[1][0][0], w0)
    for t in range(ROUNDS):
        w = seen[1][t][0]
        for i in range(M):
            np.testing.assert_array_equal(seen[i][t][0], w)   # every worker got the same w_t
        G = np.stack([seen[i][t][1] for i in range(M)])
        expected = w - np.float32(LR) * brsgd.aggregate(G, rule)
        following = seen[1][t + 1][0] if t + 1 < ROUNDS else np.load(tmp_path / "w.npy")
        np.testing.assert_allclose(following, expected, rtol=1e-6, atol=1e-7)
