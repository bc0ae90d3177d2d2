"""The Flower app of examples/flower-app on Flower's Deployment Engine: a real
flower-superlink and five flower-supernode processes on loopback (two of them Byzantine
through their node config), started by the app's run-deployment.sh, and two `flwr run`s of
the app's NumPy linear regression — one with brsgd's median, one with Flower's FedAvg.

The robust run must end near w* (and get nearer every round); FedAvg must not. About two
minutes: the SuperNodes poll every 3 s and start a ClientApp process per message.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("flwr", reason="Flower is not installed (pip install 'flwr==1.42.0')")

APP = Path(__file__).resolve().parents[1] / "examples" / "flower-app"
BIN = Path(sys.executable).parent
NODES, BYZANTINE, ROUNDS = 5, 2, 3


@pytest.mark.skipif(not (BIN / "flower-superlink").exists() or not (BIN / "flower-supernode").exists(),
                    reason=f"flower-superlink and flower-supernode are not installed beside {sys.executable}")
@pytest.mark.skipif(os.environ.get("BRSGD_SKIP_DEPLOYMENT") == "1",
                    reason="BRSGD_SKIP_DEPLOYMENT=1 (make test runs this test once, from the wheel: "
                           "Scripts/test-wheel.sh)")
def test_median_ends_near_w_star_on_the_deployment_engine_and_fedavg_does_not(tmp_path):
    results = {name: tmp_path / f"{name}.json" for name in ("median", "fedavg")}
    command = ["bash", str(APP / "run-deployment.sh"), "--nodes", str(NODES), "--byzantine", str(BYZANTINE),
               "--timeout", "240"]
    for name, path in results.items():
        command += ["--run-config", f'task="linear-regression" strategy="{name}" '
                                    f'num-server-rounds={ROUNDS} result-path="{path}"']
    environment = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    process = subprocess.Popen(command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
    try:
        output, _ = process.communicate(timeout=600)
    except subprocess.TimeoutExpired:
        # SIGTERM: the script's trap stops the SuperLink and SuperNodes it started.
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
        pytest.fail("the deployment took over 600 s:\n" + output[-5000:])
    assert process.returncode == 0, output[-5000:]
    median = json.loads(results["median"].read_text())
    fedavg = json.loads(results["fedavg"].read_text())
    assert median["nodes"] == fedavg["nodes"] == NODES
    distances = [entry["distance-to-w*"] for entry in median["rounds"]]
    assert [entry["round"] for entry in median["rounds"]] == list(range(ROUNDS + 1))
    assert all(later < earlier for earlier, later in zip(distances, distances[1:])), distances
    assert distances[-1] < 1.0, distances          # ‖w*‖ ≈ 5.67 at the start
    assert fedavg["rounds"][-1]["distance-to-w*"] > 20, fedavg["rounds"]
