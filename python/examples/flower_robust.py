"""Federated linear regression with Flower, three of fifteen clients Byzantine, under FedAvg
and under brsgd's robust strategies.

    python examples/flower_robust.py                     # every strategy, Flower's simulation
    python examples/flower_robust.py --engine in-process # no Ray: the ServerApp and ClientApp
                                                         # run in this process (see below)
    python examples/flower_robust.py --strategies brsgd,median --rounds 20

Each honest client holds its own noisy samples of y = X·w* and takes a few gradient steps
from the global model; the Byzantine clients (node partitions 0..<b) return the global
model plus Gaussian noise (σ = 100, the BrSGD paper's first attack). FedAvg is dragged
away; BrSGD, median, Krum, trimmed mean and Bulyan (brsgd.flower, in process through the
Swift rules) are not.

Engines:
  simulation  flwr.simulation.run_simulation (needs Ray: pip install 'flwr[simulation]').
  in-process  the same ServerApp main and ClientApp, called through a minimal Grid of this
              file (InProcessGrid) that delivers each message to the ClientApp in this
              process, one node after another. It uses Flower's Message, Context and
              strategy.start() unchanged; only the transport (SuperLink, Ray) is missing.
  auto        simulation when Ray is installed, else in-process (the default).

Prints one line per strategy: the final distance ‖w − w*‖ (‖w*‖ ≈ 5.7).
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import time
import uuid
from collections.abc import Iterable

import numpy as np
from flwr.app import Array, ArrayRecord, Context, Message, MetricRecord, RecordDict
from flwr.clientapp import ClientApp
from flwr.serverapp import Grid, ServerApp
from flwr.serverapp.strategy import FedAvg

import brsgd.flower

DIMENSION = 20
SAMPLES = 64
TRUE_WEIGHTS = np.random.default_rng(1234).standard_normal(DIMENSION).astype(np.float32)


def client_data(partition: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(partition)
    X = rng.standard_normal((SAMPLES, DIMENSION)).astype(np.float32)
    y = X @ TRUE_WEIGHTS + 0.1 * rng.standard_normal(SAMPLES).astype(np.float32)
    return X, y


def make_client_app(byzantine: int, local_steps: int = 5, lr: float = 0.05) -> ClientApp:
    app = ClientApp()

    @app.train()
    def train(msg: Message, context: Context) -> Message:
        partition = int(context.node_config["partition-id"])
        w = msg.content["arrays"]["w"].numpy().astype(np.float32)
        X, y = client_data(partition)
        start = w.copy()
        for _ in range(local_steps):
            w -= lr * (X.T @ (X @ w - y) / SAMPLES)
        if partition < byzantine:
            # The paper's Gaussian attack: a random model, σ = 100 around the global one.
            w = start + 100.0 * np.random.default_rng((partition, int(msg.content["config"]["server-round"]))).standard_normal(DIMENSION).astype(np.float32)
        loss = float(np.mean((X @ w - y) ** 2))
        content = RecordDict({
            "arrays": ArrayRecord({"w": Array(w)}),
            "metrics": MetricRecord({"train-loss": loss, "num-examples": SAMPLES}),
        })
        return Message(content=content, reply_to=msg)

    return app


def make_strategy(name: str, clients: int, byzantine: int) -> FedAvg:
    common = dict(fraction_train=1.0, fraction_evaluate=0.0, min_train_nodes=clients,
                  min_available_nodes=clients)
    if name == "fedavg":
        return FedAvg(**common)
    strategies = {
        "brsgd": lambda: brsgd.flower.BrSGD(**common),
        "median": lambda: brsgd.flower.Median(**common),
        "krum": lambda: brsgd.flower.Krum(assumed_byzantine=byzantine, **common),
        "trimmed-mean": lambda: brsgd.flower.TrimmedMean(assumed_byzantine=byzantine, **common),
        "bulyan": lambda: brsgd.flower.Bulyan(assumed_byzantine=byzantine, **common),
        "mean": lambda: brsgd.flower.Mean(**common),
    }
    return strategies[name]()


def make_server_app(strategy: FedAvg, rounds: int, outcome: dict) -> ServerApp:
    app = ServerApp()

    @app.main()
    def main(grid: Grid, context: Context) -> None:
        initial = ArrayRecord({"w": Array(np.zeros(DIMENSION, dtype=np.float32))})
        result = strategy.start(grid=grid, initial_arrays=initial, num_rounds=rounds)
        outcome["w"] = result.arrays["w"].numpy()

    return app


class InProcessGrid(Grid):
    """A Grid that hands every message to a ClientApp in this process, node by node.

    Enough of Flower's Grid for ``Strategy.start``: node ids, messages with ids, replies.
    Each node keeps its Context (``partition-id``, ``num-partitions``) across rounds.
    """

    def __init__(self, client_app: ClientApp, nodes: int):
        self.client_app = client_app
        self.contexts = {
            1000 + i: Context(run_id=1, node_id=1000 + i,
                              node_config={"partition-id": i, "num-partitions": nodes},
                              state=RecordDict(), run_config={})
            for i in range(nodes)
        }
        self.replies: dict[str, Message] = {}
        self._run = None

    def set_run(self, run) -> None:
        self._run = run

    @property
    def run(self):
        return self._run

    def create_message(self, content, message_type, dst_node_id, group_id, ttl=None) -> Message:
        return Message(content, dst_node_id, message_type, ttl=ttl, group_id=group_id)

    def get_node_ids(self) -> Iterable[int]:
        return list(self.contexts)

    def push_messages(self, messages: Iterable[Message]) -> Iterable[str]:
        ids = []
        for message in messages:
            message.metadata.__dict__["_message_id"] = str(uuid.uuid4())
            reply = self.client_app(message, self.contexts[message.metadata.dst_node_id])
            self.replies[message.metadata.message_id] = reply
            ids.append(message.metadata.message_id)
        return ids

    def pull_messages(self, message_ids: Iterable[str]) -> Iterable[Message]:
        return [self.replies.pop(i) for i in list(message_ids) if i in self.replies]

    def send_and_receive(self, messages: Iterable[Message], *, timeout: float | None = None) -> Iterable[Message]:
        return self.pull_messages(self.push_messages(messages))


def run(strategy_name: str, *, engine: str, clients: int, byzantine: int, rounds: int) -> np.ndarray:
    outcome: dict = {}
    strategy = make_strategy(strategy_name, clients, byzantine)
    client_app = make_client_app(byzantine)
    server_app = make_server_app(strategy, rounds, outcome)
    if engine == "simulation":
        from flwr.simulation import run_simulation

        run_simulation(server_app=server_app, client_app=client_app, num_supernodes=clients,
                       backend_config={"client_resources": {"num_cpus": 1, "num_gpus": 0.0}})
    else:
        grid = InProcessGrid(client_app, clients)
        # Flower 1.42's Message constructor reads the process's task identity, which its
        # runtimes set before a ServerApp runs (flwr.server.compat.app does the same).
        from flwr.common.constant import SUPERLINK_NODE_ID
        from flwr.supercore.task_identity import TaskIdentity

        TaskIdentity.task_id, TaskIdentity.run_id, TaskIdentity.node_id = 1, 1, SUPERLINK_NODE_ID
        server_app(grid, Context(run_id=1, node_id=0, node_config={}, state=RecordDict(), run_config={}))
    return outcome["w"]


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", choices=["auto", "simulation", "in-process"], default="auto")
    parser.add_argument("--strategies", default="fedavg,mean,brsgd,median,krum,trimmed-mean,bulyan")
    parser.add_argument("--clients", type=int, default=15)
    parser.add_argument("--byzantine", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--quiet", action="store_true", help="silence Flower's log")
    arguments = parser.parse_args(argv)
    engine = arguments.engine
    if engine == "auto":
        engine = "simulation" if importlib.util.find_spec("ray") is not None else "in-process"
    if arguments.quiet:
        logging.getLogger("flwr").setLevel(logging.ERROR)
    distances = {}
    for name in arguments.strategies.split(","):
        started = time.perf_counter()
        w = run(name, engine=engine, clients=arguments.clients, byzantine=arguments.byzantine,
                rounds=arguments.rounds)
        distances[name] = float(np.linalg.norm(w - TRUE_WEIGHTS))
        print(f"{name:>13}: ‖w − w*‖ = {distances[name]:10.4g}   ({engine}, "
              f"{time.perf_counter() - started:.1f} s)", flush=True)
    return distances


if __name__ == "__main__":
    main()
