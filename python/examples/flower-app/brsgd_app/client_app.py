"""The ClientApp: trains the task's model on this node's share of the data, or — on a
Byzantine node — sends the global model plus Gaussian noise (σ = attack-sigma, the BrSGD
paper's first attack).

Which nodes are Byzantine: the node config's ``byzantine`` switch when it has one
(``flower-supernode --node-config 'partition-id=0 num-partitions=8 byzantine=true'``),
else ``partition-id < num-byzantine`` of the run config (the Simulation Engine gives
nodes no config of their own beyond partition-id and num-partitions).
"""

from __future__ import annotations

import numpy as np
from flwr.app import Array, ArrayRecord, Context, Message, MetricRecord, RecordDict
from flwr.clientapp import ClientApp

from .task import task

app = ClientApp()


def is_byzantine(context: Context) -> bool:
    switch = context.node_config.get("byzantine")
    if switch is not None:
        if isinstance(switch, str):
            return switch.lower() in ("true", "1", "yes")
        return bool(switch)
    return int(context.node_config["partition-id"]) < int(context.run_config["num-byzantine"])


@app.train()
def train(msg: Message, context: Context) -> Message:
    config = dict(context.run_config)
    partition = int(context.node_config["partition-id"])
    partitions = int(context.node_config["num-partitions"])
    server_round = int(msg.content["config"]["server-round"])
    received = msg.content["arrays"]
    arrays = {key: received[key].numpy() for key in received.keys()}
    work = task(config)
    seed = int(config["seed"]) * 1_000_003 + partition * 1_009 + server_round
    if is_byzantine(context):
        rng = np.random.default_rng(seed)
        sigma = float(config["attack-sigma"])
        sent = {key: (value + sigma * rng.standard_normal(value.shape)).astype(value.dtype)
                for key, value in arrays.items()}
        # It claims as many examples as an honest node: FedAvg's weights are not the attack.
        metrics = {"train-loss": 0.0, "num-examples": work.examples()}
    else:
        data_dir = str(context.node_config.get("data-dir", config["data-dir"]))
        sent, metrics = work.train(arrays, partition, partitions, data_dir, seed)
    content = RecordDict({
        "arrays": ArrayRecord({key: Array(np.ascontiguousarray(value)) for key, value in sent.items()}),
        "metrics": MetricRecord(metrics),
    })
    return Message(content=content, reply_to=msg)
