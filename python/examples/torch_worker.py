"""A PyTorch CNN trained through a Swift master by m Python workers, b of them Byzantine.

    # The master holds any model as a flat float32 vector (issue 11's `--parameters` master):
    python examples/torch_worker.py --workers 8 --byzantine 2 --rule brsgd --rounds 300

    # Or start the master yourself and only run the workers here:
    python examples/torch_worker.py --write-init init.npy
    brsgd master --parameters init.npy --workers 8 --rule brsgd --lr 0.05 --rounds 300 \\
                 --save-model w.npy --listen 127.0.0.1:50051
    python examples/torch_worker.py --connect 127.0.0.1:50051 --workers 8 --byzantine 2

Each worker is a brsgd.Worker in a thread of this process with its own copy of the model
and its own shard of FashionMNIST (read from the IDX files of Debian's
dataset-fashion-mnist, or --data-dir; --synthetic for a small made-up set). Per round it
loads the master's parameters into the model (brsgd.torch.load_parameters), computes the
gradient of one mini-batch and returns it flattened in model.parameters() order
(brsgd.torch.gradient_vector). Workers 0..<b are Byzantine: they return Gaussian noise
(σ = 200, the BrSGD paper's first attack) instead. The master aggregates the m gradients
with its rule and steps w ← w − η·rule(G); at the end this script loads the saved model
and reports its test accuracy.
"""

from __future__ import annotations

import argparse
import gzip
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

import brsgd
from brsgd.torch import gradient_vector, load_parameters, parameters_vector


def cnn() -> nn.Module:
    """A small LeNet-style CNN for 28 × 28 grey images: 2 conv layers, 2 dense (d = 44,534)."""
    return nn.Sequential(
        nn.Conv2d(1, 8, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),      # 8 × 14 × 14
        nn.Conv2d(8, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),  # 16 × 5 × 5
        nn.Linear(400, 100), nn.ReLU(), nn.Linear(100, 10))


def read_idx(path: Path) -> np.ndarray:
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load_data(data_dir: str | None, synthetic: bool, seed: int = 0):
    """(x_train, y_train, x_test, y_test) as tensors: FashionMNIST normalised with its
    mean and standard deviation, or a synthetic 10-class set (class c lights patch c)."""
    directory = Path(data_dir or os.environ.get("BRSGD_DATA_DIR", "/usr/share/datasets/fashion-mnist"))
    if not synthetic and (directory / "train-images-idx3-ubyte.gz").exists():
        def images(name):
            return (torch.tensor(read_idx(directory / name), dtype=torch.float32).unsqueeze(1) / 255 - 0.2860) / 0.3530

        def labels(name):
            return torch.tensor(read_idx(directory / name), dtype=torch.long)
        return (images("train-images-idx3-ubyte.gz"), labels("train-labels-idx1-ubyte.gz"),
                images("t10k-images-idx3-ubyte.gz"), labels("t10k-labels-idx1-ubyte.gz"))
    if not synthetic:
        print(f"no FashionMNIST in {directory}: using synthetic data", file=sys.stderr)
    generator = torch.Generator().manual_seed(seed)

    def make(n):
        y = torch.randint(0, 10, (n,), generator=generator)
        x = 0.3 * torch.randn(n, 1, 28, 28, generator=generator)
        for c in range(10):
            r, k = divmod(c, 5)
            x[y == c, 0, 4 + 12 * r: 12 + 12 * r, 1 + 5 * k: 6 + 5 * k] += 1.0
        return x, y
    return (*make(4000), *make(1000))


def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    model.eval()
    with torch.no_grad():
        return float((model(x).argmax(1) == y).float().mean())


def worker_function(worker: int, workers: int, byzantine: int, x: torch.Tensor, y: torch.Tensor,
                    batch_size: int, seed: int):
    """fn(parameters) → (gradient, loss) for worker ``worker``: its shard, its batches."""
    model = cnn()
    loss_fn = nn.CrossEntropyLoss()
    shard = torch.arange(worker, len(x), workers)
    generator = torch.Generator().manual_seed(seed * 1000 + worker)
    noise = np.random.default_rng((seed, worker))
    gradient = np.empty(sum(p.numel() for p in model.parameters()), dtype=np.float32)

    def fn(parameters: np.ndarray):
        if worker < byzantine:
            return (200.0 * noise.standard_normal(parameters.size)).astype(np.float32), float("nan")
        load_parameters(model, parameters)
        model.train()
        batch = shard[torch.randint(0, len(shard), (batch_size,), generator=generator)]
        model.zero_grad()
        loss = loss_fn(model(x[batch]), y[batch])
        loss.backward()
        return gradient_vector(model, out=gradient), loss.item()
    return fn


def run_workers(address: str, workers: int, byzantine: int, x, y, *, batch_size: int, seed: int,
                token: str | None = None) -> list:
    """Runs the m workers against the master at ``address`` until it finishes."""
    torch.set_num_threads(1)   # one thread per worker; the workers share the cores
    results: list = [None] * workers

    def body(i):
        fn = worker_function(i, workers, byzantine, x, y, batch_size, seed)
        try:
            results[i] = brsgd.Worker(address, i, token=token).run(fn)
        except Exception as error:  # noqa: BLE001 - reported below
            results[i] = error

    threads = [threading.Thread(target=body, args=(i,), daemon=True) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    failures = [r for r in results if isinstance(r, Exception)]
    if failures:
        raise failures[0]
    return results


def find_brsgd() -> str | None:
    here = Path(__file__).resolve().parents[2]
    # It starts `brsgd master`: `make network` builds brsgd with it into .build-network/release
    # (`make demo`'s .build/release/brsgd leaves the networked commands out; `make test`'s debug build has them).
    for candidate in (os.environ.get("BRSGD_CLI"), here / ".build-network/release/brsgd", here / ".build/release/brsgd",
                      here / ".build/debug/brsgd", shutil.which("brsgd")):
        if candidate and Path(candidate).is_file():
            return str(candidate)
    return None


def start_master(binary: str, init: Path, saved: Path, arguments) -> tuple[subprocess.Popen, str]:
    """Starts `brsgd master --parameters …` on a free loopback port; returns it and host:port."""
    help_text = subprocess.run([binary, "master", "--help"], capture_output=True, text=True).stdout
    if "--parameters" not in help_text:
        raise SystemExit(f"{binary} master has no --parameters option yet (a master for any model, "
                         "issue 11): build a brsgd that has it, or run the master elsewhere and pass --connect")
    command = [binary, "master", "--parameters", str(init), "--workers", str(arguments.workers),
               "--rule", arguments.rule, "--lr", str(arguments.lr), "--rounds", str(arguments.rounds),
               "--save-model", str(saved), "--listen", "127.0.0.1:0"]
    if arguments.rule_needs_f:
        option = "--assumed-byzantine" if "--assumed-byzantine" in help_text else "--byzantine"
        command += [option, str(arguments.byzantine)]
    master = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    for line in master.stderr:
        sys.stderr.write(line)
        found = re.search(r"listening on ([\w.\-]+):(\d+)", line)
        if found:
            threading.Thread(target=lambda: [sys.stderr.write(rest) for rest in master.stderr], daemon=True).start()
            return master, f"{found.group(1)}:{found.group(2)}"
        if time.monotonic() > deadline:
            break
    master.kill()
    raise SystemExit("the master did not say where it listens")


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--byzantine", type=int, default=2)
    parser.add_argument("--rule", default="brsgd")
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-dir")
    parser.add_argument("--synthetic", action="store_true", help="a small made-up data set instead of FashionMNIST")
    parser.add_argument("--connect", help="host:port of a running master: only run the workers")
    parser.add_argument("--token", help="the master's shared secret, if it has one")
    parser.add_argument("--write-init", help="write the model's initial parameters (.npy) and exit")
    parser.add_argument("--brsgd", help="the brsgd executable (default: the repository's build, then PATH)")
    arguments = parser.parse_args(argv)
    arguments.rule_needs_f = any(rule["name"] == arguments.rule and "assumed_byzantine" in rule["parameters"]
                                 for rule in brsgd.rules())
    logging.basicConfig(level=logging.WARNING)

    torch.manual_seed(arguments.seed)
    model = cnn()
    if arguments.write_init:
        np.save(arguments.write_init, parameters_vector(model))
        print(f"wrote {arguments.write_init}: d = {parameters_vector(model).size}")
        return {}
    x_train, y_train, x_test, y_test = load_data(arguments.data_dir, arguments.synthetic, arguments.seed)
    started = time.perf_counter()
    if arguments.connect:
        run_workers(arguments.connect, arguments.workers, arguments.byzantine, x_train, y_train,
                    batch_size=arguments.batch_size, seed=arguments.seed, token=arguments.token)
        print(f"workers done in {time.perf_counter() - started:.1f} s")
        return {}
    binary = arguments.brsgd or find_brsgd()
    if binary is None:
        raise SystemExit("no brsgd executable found: build it (swift build -c release --product brsgd), "
                         "pass --brsgd, or run a master elsewhere and pass --connect")
    with tempfile.TemporaryDirectory() as scratch:
        init, saved = Path(scratch) / "init.npy", Path(scratch) / "w.npy"
        np.save(init, parameters_vector(model))
        master, address = start_master(binary, init, saved, arguments)
        try:
            run_workers(address, arguments.workers, arguments.byzantine, x_train, y_train,
                        batch_size=arguments.batch_size, seed=arguments.seed)
            master.wait(timeout=60)
        finally:
            if master.poll() is None:
                master.kill()
        load_parameters(model, np.load(saved))
    seconds = time.perf_counter() - started
    result = {"test_accuracy": accuracy(model, x_test, y_test), "seconds": seconds,
              "round_ms": 1000 * seconds / arguments.rounds}
    print(f"{arguments.rule}, {arguments.workers} workers ({arguments.byzantine} Byzantine), "
          f"{arguments.rounds} rounds: test accuracy {100 * result['test_accuracy']:.2f}% "
          f"in {seconds:.1f} s ({result['round_ms']:.1f} ms per round)")
    return result


if __name__ == "__main__":
    main()
