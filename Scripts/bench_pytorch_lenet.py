#!/usr/bin/env python3
"""Train PyTorch's LeNet-5 on random data and print samples/s, for comparison with
`brsgd bench train --model lenet`.

Same network as `Model.lenet5()` (61,706 parameters), same measurement: forward,
backward and an SGD step (lr 0.03) per batch on a pool of 8 random batches, a 0.5 s
warm-up, then `--seconds` of timed steps. Runs every combination of --threads and
--batch-sizes.

With --workers M, one step is a simulated synchronous round of M workers, as
`brsgd train --workers M` runs it in one process: each worker's forward and backward pass
on its own batch at the same weights, its gradient copied into its row of an M × d
matrix, then the mean of the rows and one SGD step; it prints ms per round (compare
the median `round_timing` of `brsgd train --workers M --batch-size B --rule mean`).

Usage: python3 Scripts/bench_pytorch_lenet.py [--seconds 5] [--threads 1 2] [--batch-sizes 32 64] [--workers 20]
"""
import argparse
import json
import os
import sys
import time

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from machine_info import machine_info  # noqa: E402


def lenet5() -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(),
        nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, 10),
    )


def bench(batch_size: int, threads: int, seconds: float, workers: int = 1) -> dict:
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    model = lenet5()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.03)
    loss_fn = nn.CrossEntropyLoss()
    pool = [(torch.randn(batch_size, 1, 28, 28), torch.randint(0, 10, (batch_size,))) for _ in range(8)]
    parameters = list(model.parameters())
    d = sum(p.numel() for p in parameters)
    rows = torch.empty(workers, d)

    def step(i: int) -> float:
        if workers == 1:
            x, y = pool[i % len(pool)]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()
            return loss.item()
        # One synchronous round: every worker's gradient at the same weights, then the mean.
        total = 0.0
        for k in range(workers):
            x, y = pool[(i + k) % len(pool)]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(x), y)
            loss.backward()
            torch.cat([p.grad.reshape(-1) for p in parameters], out=rows[k])
            total += loss.item()
        mean = rows.mean(dim=0)
        offset = 0
        for p in parameters:
            p.grad.copy_(mean[offset:offset + p.numel()].view_as(p))
            offset += p.numel()
        optimizer.step()
        return total / workers

    steps = 0
    warm_up = time.perf_counter() + 0.5
    while time.perf_counter() < warm_up:
        step(steps)
        steps += 1
    start = time.perf_counter()
    measured = 0
    while time.perf_counter() - start < seconds:
        step(steps + measured)
        measured += 1
    elapsed = time.perf_counter() - start
    return {"framework": f"pytorch {torch.__version__}", "model": "lenet", "batchSize": batch_size,
            "threads": threads, "workers": workers, "steps": measured, "seconds": elapsed,
            "samplesPerSecond": measured * batch_size * workers / elapsed,
            "msPerStep": 1000 * elapsed / max(measured, 1), "machine": machine_info()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[32, 64])
    parser.add_argument("--workers", type=int, default=1, help="simulated workers per step (a synchronous round)")
    parser.add_argument("--format", choices=["text", "json"], default="text")
    args = parser.parse_args()
    for threads in args.threads:
        for batch_size in args.batch_sizes:
            r = bench(batch_size, threads, args.seconds, args.workers)
            if args.format == "json":
                print(json.dumps(r, sort_keys=True))
            elif args.workers > 1:
                print(f"pytorch lenet round of {args.workers} workers, batch {batch_size}, {threads} thread(s): "
                      f"{r['msPerStep']:.1f} ms per round, {r['samplesPerSecond']:.0f} samples/s "
                      f"({r['steps']} rounds in {r['seconds']:.2f} s)")
            else:
                print(f"pytorch lenet batch {batch_size}, {threads} thread(s): "
                      f"{r['samplesPerSecond']:.0f} samples/s ({r['steps']} steps in {r['seconds']:.2f} s)")


if __name__ == "__main__":
    main()
