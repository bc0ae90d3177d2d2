"""The training of python/examples/torch_worker.py in one PyTorch process: the baseline of a
round through the Swift master.

    python Scripts/torch_single_process.py --workers 4 --byzantine 1 --rule median --rounds 200

Per round it does what the m workers and the master do over gRPC, without the network: each
worker's function of the example (its own model copy, its shard, its seeded batches;
workers 0..<b return Gaussian noise, σ = 200) computes its gradient at w, the m rows are
aggregated in process with the same rule (brsgd.aggregate, the Swift library the master
runs), and w ← w − η·rule(G). Same data, model, batches and rule as the example, so the
difference in time per round is what the master, gRPC and the threads cost. Prints the
test accuracy and ms per round (the mean over the rounds after the first, and the median).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python" / "examples"))

import brsgd  # noqa: E402
from brsgd.torch import load_parameters, parameters_vector  # noqa: E402
from torch_worker import accuracy, cnn, load_data, worker_function  # noqa: E402


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--byzantine", type=int, default=2)
    parser.add_argument("--rule", default="brsgd")
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1, help="torch threads (the example gives each worker one)")
    parser.add_argument("--data-dir")
    parser.add_argument("--synthetic", action="store_true")
    arguments = parser.parse_args(argv)
    torch.set_num_threads(arguments.threads)
    needs_f = any(rule["name"] == arguments.rule and "assumed_byzantine" in rule["parameters"] for rule in brsgd.rules())
    options = {"assumed_byzantine": arguments.byzantine} if needs_f else {}

    torch.manual_seed(arguments.seed)
    model = cnn()
    w = parameters_vector(model).copy()
    x_train, y_train, x_test, y_test = load_data(arguments.data_dir, arguments.synthetic, arguments.seed)
    functions = [worker_function(i, arguments.workers, arguments.byzantine, x_train, y_train,
                                 arguments.batch_size, arguments.seed) for i in range(arguments.workers)]
    G = np.empty((arguments.workers, w.size), dtype=np.float32)
    times = []
    started = time.perf_counter()
    for _ in range(arguments.rounds):
        round_start = time.perf_counter()
        view = w.copy()
        view.setflags(write=False)             # as a worker receives it: read-only
        for i, fn in enumerate(functions):
            gradient, _ = fn(view)
            G[i] = gradient
        w -= np.float32(arguments.lr) * brsgd.aggregate(G, arguments.rule, **options)
        times.append(time.perf_counter() - round_start)
    seconds = time.perf_counter() - started
    load_parameters(model, w)
    result = {"test_accuracy": accuracy(model, x_test, y_test), "seconds": seconds,
              "round_ms": 1000 * statistics.fmean(times[1:] or times), "median_round_ms": 1000 * statistics.median(times)}
    print(f"one process: {arguments.rule}, {arguments.workers} workers ({arguments.byzantine} Byzantine), "
          f"{arguments.rounds} rounds: test accuracy {100 * result['test_accuracy']:.2f}% in {seconds:.1f} s "
          f"({result['round_ms']:.1f} ms per round, median {result['median_round_ms']:.1f})")
    return result


if __name__ == "__main__":
    main()
