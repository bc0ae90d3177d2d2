"""In-process brsgd.aggregate against NumPy's median and ByzFL's rules, same arrays, one run.

    python benchmarks/bench_aggregate.py [--workers 20] [--dimension 1000000] [--repeats 5] [--rules mean,median,brsgd]

G is m × d float32 (standard normal, seed 0), C-contiguous. Each line is the median wall
time of --repeats calls (after one warm-up call). ByzFL (pip install byzfl==0.0.11 --no-deps
plus torch and scipy) is loaded without its package __init__, which imports its benchmark
and so torchvision: an empty `byzfl` module whose __path__ is the installed directory, then
byzfl.aggregators. Its rules are timed on NumPy input and on torch tensors (its torch path).
f = m/5 wherever a rule takes f.

--rules times only those of brsgd's rules, with NumPy's mean and G.copy() as references (no
np.median, no ByzFL): a quick comparison of two builds of the library, run one after the
other with BRSGD_LIBRARY set to each (brsgd._native loads the library it names).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import time
import types

import numpy as np

import brsgd


def timed(call, repeats: int) -> float:
    call()
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def load_byzfl():
    spec = importlib.util.find_spec("byzfl")
    if spec is None or not spec.submodule_search_locations:
        return None
    package = types.ModuleType("byzfl")
    package.__path__ = list(spec.submodule_search_locations)
    sys.modules["byzfl"] = package
    import byzfl.aggregators.aggregators as aggregators  # noqa: E402

    return aggregators


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=20)
    parser.add_argument("--dimension", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--rules", help="comma-separated brsgd rules to time alone (default: every rule, NumPy, ByzFL)")
    arguments = parser.parse_args()
    only = arguments.rules.split(",") if arguments.rules else None
    m, d, repeats = arguments.workers, arguments.dimension, arguments.repeats
    f = m // 5
    G = np.random.default_rng(0).standard_normal((m, d), dtype=np.float32)
    print(f"m = {m}, d = {d:,}, float32, f = {f}; median of {repeats} calls; {os.cpu_count()} cores; "
          f"numpy {np.__version__}")
    rows: list[tuple[str, str, float]] = []

    def add(group, name, call):
        seconds = timed(call, repeats)
        rows.append((group, name, seconds))
        print(f"  {group:<14} {name:<34} {seconds * 1e3:10.1f} ms", flush=True)

    print(f"  library: {brsgd._native.library.path}")
    if only is None:
        add("numpy", "np.median(G, axis=0)", lambda: np.median(G, axis=0))
    add("numpy", "np.mean(G, axis=0)", lambda: np.mean(G, axis=0))
    add("numpy", "G.copy() (one pass of G)", lambda: G.copy())
    ours = [("mean", {}), ("median", {}), ("trimmed-mean", {"assumed_byzantine": f}),
            ("krum", {"assumed_byzantine": f}), ("multi-krum", {"assumed_byzantine": f}),
            ("brsgd", {}), ("geometric-median", {"iterations": 3, "smoothing": 0.1}),
            ("bulyan", {"assumed_byzantine": (m - 3) // 4}),
            ("centered-clipping", {"iterations": 1, "clipping_radius": 100.0})]
    if only is not None:
        unknown = set(only) - {rule for rule, _ in ours}
        if unknown:
            parser.error(f"--rules: no benchmark for {', '.join(sorted(unknown))}")
        ours = [(rule, parameters) for rule, parameters in ours if rule in only]
    for rule, parameters in ours:
        label = rule + "".join(f" {k}={v}" for k, v in parameters.items())
        add("brsgd", label, lambda: brsgd.aggregate(G, rule, **parameters))
    if only is not None:
        return
    aggregators = load_byzfl()
    if aggregators is None:
        print("  ByzFL is not installed: pip install --no-deps byzfl==0.0.11 (with torch, scipy)")
        return
    import torch

    torch.set_num_threads(os.cpu_count() or 1)
    T = torch.from_numpy(G)
    def byzfl_rules():
        # Fresh objects per input type: CenteredClipping keeps its last centre between calls.
        return [("Average()", aggregators.Average()), ("Median()", aggregators.Median()),
                (f"TrMean(f={f})", aggregators.TrMean(f=f)), (f"Krum(f={f})", aggregators.Krum(f=f)),
                (f"MultiKrum(f={f})", aggregators.MultiKrum(f=f)),
                ("GeometricMedian(nu=0.1, T=3)", aggregators.GeometricMedian(nu=0.1, T=3)),
                ("CenteredClipping(L=1, tau=100)", aggregators.CenteredClipping(L=1, tau=100.0))]

    for name, rule in byzfl_rules():
        add("byzfl numpy", name, lambda: rule(G))
    for name, rule in byzfl_rules():
        add("byzfl torch", name, lambda: rule(T))


if __name__ == "__main__":
    main()
