#!/usr/bin/env python3
"""Make the PyTorch reference fixture for NeuralEngine's LeNet-5 test.

Builds the same LeNet-5 as `Model.lenet5()` as an `nn.Sequential` (so its state_dict
keys and order are the engine's flat parameter layout: per layer the weight, then the
bias; conv weights [out][in][kh][kw], dense weights [out][in]), initialises it with
PyTorch's default scheme under a fixed seed, takes a fixed batch of 4 random 28×28
images with labels, and computes the mean softmax cross-entropy and its gradient in
float64 from the float32 weights and inputs.

Writes Tests/NeuralEngineTests/Fixtures/:
  lenet5_fixture.json  metadata: torch version, batch size, labels, loss, parameter blocks
  lenet5_fixture.bin   little-endian float32: parameters (d), inputs (4·784), gradient (d)

Usage: python3 Scripts/make_lenet_fixture.py   (needs torch; CPU is enough)
"""
import json
import pathlib

import numpy as np
import torch
from torch import nn

OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests" / "NeuralEngineTests" / "Fixtures"
BATCH = 4


def lenet5() -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(),
        nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, 10),
    )


def main() -> None:
    torch.manual_seed(20240601)
    model = lenet5()  # float32 weights from PyTorch's default initialisation
    inputs = torch.randn(BATCH, 1, 28, 28, dtype=torch.float32)
    labels = torch.tensor([3, 0, 7, 9], dtype=torch.int64)

    flat_parameters = torch.cat([p.detach().reshape(-1) for p in model.parameters()])
    blocks, offset = [], 0
    for name, p in model.named_parameters():
        blocks.append({"name": name, "offset": offset, "shape": list(p.shape)})
        offset += p.numel()
    assert offset == 61706, offset

    # Reference values in float64 from exactly the float32 weights and inputs.
    reference = model.double()
    loss = nn.CrossEntropyLoss()(reference(inputs.double()), labels)
    loss.backward()
    gradient = torch.cat([p.grad.reshape(-1) for p in reference.parameters()])

    OUT.mkdir(parents=True, exist_ok=True)
    payload = np.concatenate([
        flat_parameters.numpy().astype("<f4"),
        inputs.reshape(-1).numpy().astype("<f4"),
        gradient.numpy().astype("<f4"),
    ])
    payload.tofile(OUT / "lenet5_fixture.bin")
    meta = {
        "description": "LeNet-5 mean softmax cross-entropy and gradient from PyTorch (float64), "
                       "made by Scripts/make_lenet_fixture.py",
        "torchVersion": torch.__version__,
        "parameterCount": offset,
        "batchSize": BATCH,
        "inputSize": 784,
        "labels": labels.tolist(),
        "loss": loss.item(),
        "binaryLayout": ["parameters", "inputs", "gradient"],
        "parameterBlocks": blocks,
    }
    (OUT / "lenet5_fixture.json").write_text(json.dumps(meta, indent=2) + "\n")
    print(f"loss {loss.item():.8f}, |gradient| {gradient.norm().item():.6f}, wrote {OUT}")


if __name__ == "__main__":
    main()
