#!/usr/bin/env python3
"""PyTorch reference for `brsgd train --workers 1`: the same LeNet-5, FashionMNIST from
the same IDX files (pixels / 255, then standardised with the training split's mean 0.2860 and
standard deviation 0.3530, as brsgd does by default; --raw keeps [0, 1] pixels, as
`brsgd train --no-normalize`), plain SGD, same batch size and learning rate, a shuffled epoch
per pass, test accuracy after each epoch. Prints one JSON line per seed.

Usage: python3 Scripts/train_pytorch_lenet.py [--epochs 5] [--batch-size 64] [--lr 0.03] [--seeds 1 2 3] [--raw]
Needs: pip install torch numpy (CPU wheels are enough).
"""
import argparse, gzip, json, time
import numpy as np
import torch
from torch import nn

def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)

def lenet():
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))

def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data-dir", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=0.03)
    p.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--raw", action="store_true", help="train on raw [0, 1] pixels (brsgd's --no-normalize)")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    d = a.data_dir
    xtr = torch.tensor(idx(f"{d}/train-images-idx3-ubyte.gz"), dtype=torch.float32).unsqueeze(1) / 255
    ytr = torch.tensor(idx(f"{d}/train-labels-idx1-ubyte.gz"), dtype=torch.long)
    xte = torch.tensor(idx(f"{d}/t10k-images-idx3-ubyte.gz"), dtype=torch.float32).unsqueeze(1) / 255
    yte = torch.tensor(idx(f"{d}/t10k-labels-idx1-ubyte.gz"), dtype=torch.long)
    if not a.raw:
        xtr, xte = (xtr - 0.2860) / 0.3530, (xte - 0.2860) / 0.3530
    for seed in a.seeds:
        torch.manual_seed(seed)
        model = lenet()
        opt = torch.optim.SGD(model.parameters(), lr=a.lr)
        loss_fn = nn.CrossEntropyLoss()
        accs, start = [], time.time()
        for _ in range(a.epochs):
            order = torch.randperm(len(xtr))
            model.train()
            for i in range(0, len(xtr), a.batch_size):
                idxs = order[i:i + a.batch_size]
                opt.zero_grad()
                loss_fn(model(xtr[idxs]), ytr[idxs]).backward()
                opt.step()
            model.eval()
            with torch.no_grad():
                accs.append(float((model(xte).argmax(1) == yte).float().mean()))
        print(json.dumps({"seed": seed, "test_accuracy": accs, "seconds": round(time.time() - start, 1),
                          "normalize": not a.raw, "torch": torch.__version__}), flush=True)

if __name__ == "__main__":
    main()
