#!/usr/bin/env python3
"""Times our aggregation rules against ByzFL 0.0.11 and NumPy on the same shapes, in the same minute.

For each (m, d) it runs `brsgd bench aggregate --format json` (our rules and the single-threaded
streaming pass, measured in one process), then, right after, ByzFL's aggregators (PyTorch
tensors) and NumPy's median and mean on a float32 m x d matrix of standard normals, the
distribution our benchmark draws from, and prints one table per shape: milliseconds, our
ratio to the streaming pass, and each peer's time over ours. With --same-bytes it also saves
the Python matrix as .npy and checks `brsgd aggregate`'s median and mean of it against NumPy's.

Setup (once):
    python3 -m venv /tmp/peers-venv
    /tmp/peers-venv/bin/pip install $(find / -name 'torch-*+cpu*.whl' 2>/dev/null | head -1)
    /tmp/peers-venv/bin/pip install --no-deps byzfl==0.0.11 && /tmp/peers-venv/bin/pip install numpy scipy
    swift build -c release --product brsgd
Run from the package root:
    /tmp/peers-venv/bin/python Scripts/bench_peers.py --shapes 20x61706,20x1000000,100x1000000,20x10000000

ByzFL's package __init__ imports its benchmark, which needs torchvision; its aggregators need
only numpy, torch and scipy, so they are loaded without running that __init__.
"""
import argparse
import importlib
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import types

# `brsgd bench aggregate` / `brsgd aggregate` option names, in one place so a rename is one edit.
BENCH_COMMAND = ["bench", "aggregate"]
AGGREGATE_COMMAND = ["aggregate"]
FLAGS = {
    "m": "--m",
    "d": "--d",
    "f": "--byzantine",          # the f the rules assume
    "rules": "--rules",
    "runs": "--runs",
    "format": "--format",
    "rule": "--rule",
    "input": "--input",
    "output": "--output",
}
OUR_RULES = ["brsgd", "median", "trimmed-mean", "krum", "multi-krum", "geometric-median", "bulyan",
             "centered-clipping", "mean"]


def load_byzfl_aggregators():
    """byzfl.aggregators without byzfl/__init__.py (which imports torchvision)."""
    spec = importlib.util.find_spec("byzfl")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("byzfl is not installed (pip install byzfl==0.0.11)")
    package = types.ModuleType("byzfl")
    package.__path__ = list(spec.submodule_search_locations)
    sys.modules["byzfl"] = package
    return importlib.import_module("byzfl.aggregators")


def median_ms(fn, runs):
    fn()  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def ours(brsgd, m, d, f, runs):
    command = [brsgd, *BENCH_COMMAND, FLAGS["m"], str(m), FLAGS["d"], str(d), FLAGS["f"], str(f),
               FLAGS["rules"], ",".join(OUR_RULES), FLAGS["runs"], str(runs), FLAGS["format"], "json"]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    rows = json.loads(out)
    return {row["rule"]: row for row in rows}


def peers(m, d, f, runs, seed):
    import numpy as np
    import torch
    agg = load_byzfl_aggregators()
    rng = np.random.default_rng(seed)
    g = rng.standard_normal((m, d), dtype=np.float32)
    t = torch.from_numpy(g)
    # ByzFL's counterparts of our rules. Centered clipping with our L = 3 and tau = 10 (ByzFL
    # starts from zero, ours from the median: one pass more for us). ByzFL's geometric median
    # has no stopping tolerance and always runs T steps: its default T = 3, nu = 0.1, about the
    # steps ours takes on these matrices before its tolerance stops it (ours reports them).
    candidates = {
        "median": lambda: agg.Median(),
        "trimmed-mean": lambda: agg.TrMean(f=f),
        "krum": lambda: agg.Krum(f=f),
        "multi-krum": lambda: agg.MultiKrum(f=f),
        "geometric-median": lambda: agg.GeometricMedian(nu=0.1, T=3),
        "centered-clipping": lambda: agg.CenteredClipping(m=None, L=3, tau=10.0),
        "mean": lambda: agg.Average(),
    }
    if hasattr(agg, "Bulyan"):
        candidates["bulyan"] = lambda: agg.Bulyan(f=f)
    byzfl = {}
    for name, make in candidates.items():
        try:
            rule = make()
        except Exception as error:  # an aggregator missing or renamed in this version
            byzfl[name] = "n/a"
            print(f"  ByzFL {name}: {type(error).__name__}: {error}", file=sys.stderr)
            continue
        byzfl[name] = median_ms(lambda: rule(t), runs)
    numpy_times = {
        "median": median_ms(lambda: np.median(g, axis=0), runs),
        "mean": median_ms(lambda: g.mean(axis=0), runs),
    }
    return g, byzfl, numpy_times


def check_same_bytes(brsgd, g):
    """Our median and mean of the saved matrix against NumPy's (float32 result)."""
    import numpy as np
    with tempfile.TemporaryDirectory() as directory:
        source = os.path.join(directory, "G.npy")
        np.save(source, g)
        for rule, reference in (("median", np.median(g, axis=0)), ("mean", g.mean(axis=0, dtype=np.float32))):
            target = os.path.join(directory, f"{rule}.npy")
            subprocess.run([brsgd, *AGGREGATE_COMMAND, FLAGS["rule"], rule, FLAGS["input"], source,
                            FLAGS["output"], target], check=True, capture_output=True)
            ours_result = np.load(target)
            worst = float(np.max(np.abs(ours_result.astype(np.float64) - reference.astype(np.float64))))
            print(f"  same bytes: our {rule} vs NumPy's, max |difference| = {worst:.3g}")


def fmt(x, spec):
    return format(x, spec) if isinstance(x, (int, float)) else str(x)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--brsgd", default=".build/release/brsgd", help="the brsgd executable")
    parser.add_argument("--shapes", default="20x61706,20x1000000", help="comma-separated m x d")
    parser.add_argument("--byzantine", type=int, default=4, help="f for the rules that take it")
    parser.add_argument("--runs", type=int, default=7, help="timed calls per rule (median reported)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--same-bytes", action="store_true",
                        help="also compare brsgd aggregate's median and mean with NumPy's on the saved matrix")
    args = parser.parse_args()
    for shape in args.shapes.split(","):
        m, d = (int(x) for x in shape.lower().split("x"))
        print(f"\nm = {m}, d = {d}, f = {args.byzantine}, {args.runs} runs, {os.cpu_count()} cores "
              f"({time.strftime('%H:%M:%S')})")
        our = ours(args.brsgd, m, d, args.byzantine, args.runs)
        g, byzfl, numpy_times = peers(m, d, args.byzantine, args.runs, args.seed)
        stream = next(iter(our.values()))["stream_pass_ms"]
        print(f"{'rule':<20}{'ours ms':>10}{'x stream':>10}{'ByzFL ms':>12}{'ByzFL/ours':>12}"
              f"{'NumPy ms':>11}{'NumPy/ours':>12}")
        print(f"{'stream pass':<20}{stream:>10.2f}{1.0:>10.2f}")
        for name in OUR_RULES:
            row = our.get(name)
            if row is None:
                continue
            theirs = byzfl.get(name, "-")
            np_ms = numpy_times.get(name, "-")
            ratio = lambda x: fmt(x / row["median_ms"], ".1f") if isinstance(x, float) else "-"
            print(f"{name:<20}{row['median_ms']:>10.2f}{row['ratio']:>10.2f}{fmt(theirs, '.2f'):>12}"
                  f"{ratio(theirs):>12}{fmt(np_ms, '.2f'):>11}{ratio(np_ms):>12}")
        if args.same_bytes:
            check_same_bytes(args.brsgd, g)
        del g


if __name__ == "__main__":
    main()
