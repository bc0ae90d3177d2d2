"""The two tasks of the app: FashionMNIST with a small PyTorch CNN, and NumPy linear
regression (small and fast: what the repository's deployment test runs).

Both give the ClientApp a ``train(arrays, node, config)`` and the ServerApp an initial model
and an ``evaluate(arrays)``. PyTorch is imported only by the FashionMNIST task.
"""

from __future__ import annotations

import functools
import gzip
from pathlib import Path
from typing import Any

import numpy as np

# FashionMNIST's training-set pixel mean and standard deviation (after /255).
MEAN, STD = 0.2860, 0.3530
FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
         "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")


class MissingDataError(FileNotFoundError):
    """The FashionMNIST files are not where the run or node config says."""


def read_idx(path: Path) -> np.ndarray:
    """An IDX file (gzip-compressed), as the array it holds."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


@functools.lru_cache(maxsize=2)
def fashion_mnist(directory: str | Path) -> tuple[np.ndarray, ...]:
    """(x_train, y_train, x_test, y_test): images normalised, float32, N × 1 × 28 × 28."""
    directory = Path(directory)
    missing = [name for name in FILES if not (directory / name).is_file()]
    if missing:
        raise MissingDataError(
            f"FashionMNIST not found: {directory} lacks {', '.join(missing)}. Set data-dir in "
            "the run config (flwr run . --run-config 'data-dir=\"/path\"') or in the node's "
            "config (flower-supernode --node-config 'data-dir=\"/path\"') to a directory "
            "holding the four IDX files (Debian: apt-get install dataset-fashion-mnist puts "
            "them in /usr/share/datasets/fashion-mnist).")

    def images(name: str) -> np.ndarray:
        return ((read_idx(directory / name).astype(np.float32) / 255 - MEAN) / STD)[:, None]

    def labels(name: str) -> np.ndarray:
        return read_idx(directory / name).astype(np.int64)

    return images(FILES[0]), labels(FILES[1]), images(FILES[2]), labels(FILES[3])


def _torch():
    import torch
    from torch import nn

    return torch, nn


def cnn():
    """A small LeNet-style CNN for 28 × 28 grey images (d = 44,534)."""
    torch, nn = _torch()
    return nn.Sequential(
        nn.Conv2d(1, 8, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),      # 8 × 14 × 14
        nn.Conv2d(8, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),  # 16 × 5 × 5
        nn.Linear(400, 100), nn.ReLU(), nn.Linear(100, 10))


def _arrays_of(model) -> dict[str, np.ndarray]:
    return {name: value.detach().cpu().numpy().copy() for name, value in model.state_dict().items()}


def _load(model, arrays: dict[str, np.ndarray]) -> None:
    torch, _ = _torch()
    model.load_state_dict({name: torch.from_numpy(np.array(value)) for name, value in arrays.items()})


class FashionMNISTTask:
    def __init__(self, config: dict[str, Any]):
        self.config = config

    def examples(self) -> int:
        return int(self.config["samples-per-node"])

    def initial(self, seed: int) -> dict[str, np.ndarray]:
        torch, _ = _torch()
        torch.manual_seed(seed)
        return _arrays_of(cnn())

    def train(self, arrays: dict[str, np.ndarray], partition: int, partitions: int,
              data_dir: str, seed: int) -> tuple[dict[str, np.ndarray], dict[str, float]]:
        torch, nn = _torch()
        x_train, y_train, _, _ = fashion_mnist(data_dir)
        # This node's share: every partitions-th sample from its own offset, at most
        # samples-per-node of them.
        share = np.arange(partition, len(x_train), partitions)[: int(self.config["samples-per-node"])]
        x, y = torch.from_numpy(x_train[share]), torch.from_numpy(y_train[share])
        model = cnn()
        _load(model, arrays)
        optimizer = torch.optim.SGD(model.parameters(), lr=float(self.config["learning-rate"]))
        loss_fn = nn.CrossEntropyLoss()
        generator = torch.Generator().manual_seed(seed)
        batch = int(self.config["batch-size"])
        model.train()
        total, count = 0.0, 0
        for _ in range(int(self.config["local-epochs"])):
            order = torch.randperm(len(x), generator=generator)
            for start in range(0, len(x), batch):
                index = order[start:start + batch]
                optimizer.zero_grad()
                loss = loss_fn(model(x[index]), y[index])
                loss.backward()
                optimizer.step()
                total += float(loss) * len(index)
                count += len(index)
        return _arrays_of(model), {"train-loss": total / max(count, 1), "num-examples": len(x)}

    def evaluate(self, arrays: dict[str, np.ndarray]) -> dict[str, float]:
        torch, nn = _torch()
        _, _, x_test, y_test = fashion_mnist(self.config["data-dir"])
        model = cnn()
        _load(model, arrays)
        model.eval()
        with torch.no_grad():
            logits = model(torch.from_numpy(x_test))
            loss = float(nn.functional.cross_entropy(logits, torch.from_numpy(y_test)))
            accuracy = float((logits.argmax(1).numpy() == y_test).mean())
        return {"test-accuracy": accuracy, "test-loss": loss}


class LinearRegressionTask:
    """y = X·w* + noise, w* fixed (seed 1234, d = 20); each node holds 64 samples of its own
    and takes 10 gradient steps (η = 0.1) from the global model. The server knows w*."""

    DIMENSION, SAMPLES, STEPS, LR = 20, 64, 10, 0.1
    TRUE_WEIGHTS = np.random.default_rng(1234).standard_normal(DIMENSION).astype(np.float32)

    def __init__(self, config: dict[str, Any]):
        self.config = config

    def examples(self) -> int:
        return self.SAMPLES

    def initial(self, seed: int) -> dict[str, np.ndarray]:
        return {"w": np.zeros(self.DIMENSION, dtype=np.float32)}

    def train(self, arrays: dict[str, np.ndarray], partition: int, partitions: int,
              data_dir: str, seed: int) -> tuple[dict[str, np.ndarray], dict[str, float]]:
        rng = np.random.default_rng(partition)
        X = rng.standard_normal((self.SAMPLES, self.DIMENSION)).astype(np.float32)
        y = X @ self.TRUE_WEIGHTS + 0.1 * rng.standard_normal(self.SAMPLES).astype(np.float32)
        w = np.array(arrays["w"], dtype=np.float32)
        for _ in range(self.STEPS):
            w -= np.float32(self.LR) * (X.T @ (X @ w - y) / self.SAMPLES)
        return {"w": w}, {"train-loss": float(np.mean((X @ w - y) ** 2)), "num-examples": self.SAMPLES}

    def evaluate(self, arrays: dict[str, np.ndarray]) -> dict[str, float]:
        return {"distance-to-w*": float(np.linalg.norm(arrays["w"] - self.TRUE_WEIGHTS))}


TASKS = {"fashion-mnist": FashionMNISTTask, "linear-regression": LinearRegressionTask}


def task(config: dict[str, Any]):
    name = str(config["task"])
    if name not in TASKS:
        raise ValueError(f"task must be one of {', '.join(TASKS)}, got {name!r}")
    return TASKS[name](config)
