"""The ServerApp: runs the run config's strategy — one of brsgd.flower's robust strategies,
or Flower's FedAvg for comparison — and evaluates the global model on the server after
every round (test accuracy for fashion-mnist, ‖w − w*‖ for linear-regression).

With ``result-path`` set it writes, as JSON, the strategy and per round the evaluation and
the seconds since the previous round ended (train round trip plus aggregation).
"""

from __future__ import annotations

import hashlib
import json
import time
from logging import INFO, WARNING
from pathlib import Path

import numpy as np
from flwr.app import Array, ArrayRecord, Context, MetricRecord
from flwr.serverapp import Grid, ServerApp
from flwr.serverapp.strategy import FedAvg
from flwr.supercore import log

import brsgd.flower

from .task import task

app = ServerApp()

# Strategies that take f (assumed-byzantine).
TAKES_F = {"krum", "multi-krum", "trimmed-mean", "bulyan"}


def make_strategy(config: dict, nodes: int) -> FedAvg:
    name = str(config["strategy"])
    common = dict(fraction_train=1.0, fraction_evaluate=0.0, min_train_nodes=nodes,
                  min_available_nodes=nodes)
    if name == "fedavg":
        return FedAvg(**common)
    seed = int(config["row-order-seed"])
    parameters = {"assumed_byzantine": int(config["assumed-byzantine"])} if name in TAKES_F else {}
    return brsgd.flower.RobustStrategy(name, row_order_seed=seed or None, **parameters, **common)


@app.main()
def main(grid: Grid, context: Context) -> None:
    config = dict(context.run_config)
    work = task(config)
    nodes = int(config.get("num-nodes", 0)) or len(list(grid.get_node_ids()))
    byzantine = int(config["num-byzantine"])
    if nodes <= 2 * byzantine:
        # Flower 1.42's default local simulation has 2 SuperNodes: with num-byzantine = 3 every
        # node would attack (unless node configs say otherwise).
        log(WARNING, "%d nodes and num-byzantine = %d: honest nodes are not a majority; for more "
            "simulated nodes set options.num-supernodes in $FLWR_HOME/config.toml", nodes, byzantine)
    strategy = make_strategy(config, nodes)
    rounds = int(config["num-server-rounds"])
    history: list[dict] = []
    last = time.monotonic()

    def evaluate(server_round: int, arrays: ArrayRecord) -> MetricRecord:
        nonlocal last
        now = time.monotonic()
        metrics = work.evaluate({key: arrays[key].numpy() for key in arrays.keys()})
        entry = {"round": server_round, **metrics}
        if server_round > 0:
            entry["seconds"] = now - last
        history.append(entry)
        log(INFO, "round %d: %s", server_round, entry)
        last = time.monotonic()
        return MetricRecord(metrics)

    initial = ArrayRecord({key: Array(value) for key, value in work.initial(int(config["seed"])).items()})
    result = strategy.start(grid=grid, initial_arrays=initial, num_rounds=rounds, evaluate_fn=evaluate)
    if config.get("result-path"):
        final = result.arrays
        Path(str(config["result-path"])).write_text(json.dumps({
            "strategy": config["strategy"], "task": config["task"], "nodes": nodes,
            "rounds": history,
            "final-model-sha256": _digest(final),
        }, indent=1))


def _digest(arrays: ArrayRecord) -> str:
    digest = hashlib.sha256()
    for key in arrays.keys():
        digest.update(key.encode())
        digest.update(np.ascontiguousarray(arrays[key].numpy()).tobytes())
    return digest.hexdigest()
