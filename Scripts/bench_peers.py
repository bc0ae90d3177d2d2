#!/usr/bin/env python3
"""Times our aggregation rules against ByzFL 0.0.11 and NumPy on the same arrays, in the same minute.

For each (m, d) it draws one float32 m x d matrix of standard normals (NumPy, --seed), saves it
as .npy and runs `brsgd bench aggregate --input` on that file (our rules and the single-threaded
streaming pass over the same matrix, measured in one process, the pass timed around each rule),
then times ByzFL's aggregators (PyTorch tensors sharing the array's memory) and NumPy's median
and mean on the very same array. It prints one table per shape: milliseconds, each time over our
streaming pass of that rule, and each peer's time over ours; --markdown prints one Markdown table
for all shapes instead, and --json FILE keeps every number (--from-json FILE prints them again).
f, for the rules that take it, is m // 5 unless --byzantine says otherwise (4 at m = 20, 20 at
m = 100). With --same-bytes it also checks `brsgd aggregate`'s median and mean of the saved
matrix against NumPy's.

Setup (once):
    python3 -m venv /tmp/peers-venv
    /tmp/peers-venv/bin/pip install $(find / -name 'torch-*+cpu*.whl' 2>/dev/null | head -1)
    /tmp/peers-venv/bin/pip install --no-deps byzfl==0.0.11 && /tmp/peers-venv/bin/pip install numpy scipy
    swift build -c release --product brsgd
Run from the package root:
    /tmp/peers-venv/bin/python Scripts/bench_peers.py --shapes 20x61706,20x1000000,100x1000000,20x10000000

ByzFL's package __init__ imports its benchmark, which needs torchvision; its aggregators need
only numpy, torch and scipy, so they are loaded without running that __init__. ByzFL 0.0.11 has
no Bulyan and no counterpart of BrSGD or brsgd-robust: those rows show a dash.
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

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from machine_info import machine_info  # noqa: E402

# PyTorch's OpenMP threads spin after each parallel region; while our benchmark runs in its own
# process they would spin on the same two cores. Passive waiting keeps them asleep (set before
# torch is imported; an explicit setting in the environment wins).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

# `brsgd bench aggregate` / `brsgd aggregate` option names, in one place so a rename is one edit.
BENCH_COMMAND = ["bench", "aggregate"]
AGGREGATE_COMMAND = ["aggregate"]
FLAGS = {
    "input": "--input",
    "f": "--assumed-byzantine",  # the f the rules assume
    "rules": "--rules",
    "runs": "--runs",
    "format": "--format",
    "rule": "--rule",
    "output": "--output",
}
OUR_RULES = ["brsgd", "brsgd-robust", "median", "trimmed-mean", "krum", "multi-krum", "geometric-median",
             "bulyan", "centered-clipping", "mean"]


def load_byzfl_aggregators():
    """byzfl.aggregators without byzfl/__init__.py (which imports torchvision)."""
    if "byzfl.aggregators" in sys.modules:  # loaded for an earlier shape
        return sys.modules["byzfl.aggregators"]
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


def load_average():
    try:
        return os.getloadavg()[0]
    except OSError:
        return None


def ours(brsgd, path, f, runs):
    command = [brsgd, *BENCH_COMMAND, FLAGS["input"], path, FLAGS["f"], str(f),
               FLAGS["rules"], ",".join(OUR_RULES), FLAGS["runs"], str(runs), FLAGS["format"], "json"]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return {row["rule"]: row for row in json.loads(out)}


def peers(g, f, runs):
    """ByzFL's and NumPy's times on the array g, by our rule names."""
    import numpy as np
    import torch
    agg = load_byzfl_aggregators()
    t = torch.from_numpy(g)  # shares g's memory: the same array
    # ByzFL's counterparts of our rules. Centered clipping with our L = 3 and tau = 10 (ByzFL
    # starts from zero, ours from the median: one pass more for us). ByzFL's geometric median
    # has no stopping tolerance and always runs T steps: its default T = 3, nu = 0.1.
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
            print(f"  ByzFL {name}: {type(error).__name__}: {error}", file=sys.stderr)
            continue
        byzfl[name] = median_ms(lambda: rule(t), runs)
    numpy_times = {
        "median": median_ms(lambda: np.median(g, axis=0), runs),
        "mean": median_ms(lambda: g.mean(axis=0), runs),
    }
    return byzfl, numpy_times


def check_same_bytes(brsgd, path, g):
    """Our median and mean of the saved matrix against NumPy's (float32 result)."""
    import numpy as np
    with tempfile.TemporaryDirectory() as directory:
        for rule, reference in (("median", np.median(g, axis=0)), ("mean", g.mean(axis=0, dtype=np.float32))):
            target = os.path.join(directory, f"{rule}.npy")
            subprocess.run([brsgd, *AGGREGATE_COMMAND, FLAGS["rule"], rule, "--input", path,
                            FLAGS["output"], target], check=True, capture_output=True)
            ours_result = np.load(target)
            worst = float(np.max(np.abs(ours_result.astype(np.float64) - reference.astype(np.float64))))
            print(f"  same bytes: our {rule} vs NumPy's, max |difference| = {worst:.3g}")


def fmt(x, spec):
    return format(x, spec) if isinstance(x, (int, float)) else "-"


def over(x, y):
    return x / y if isinstance(x, (int, float)) and isinstance(y, (int, float)) and y > 0 else None


def print_shape(result):
    print(f"\nm = {result['m']}, d = {result['d']}, f = {result['f']}, {result['runs']} runs "
          f"({result['time']}, load {fmt(result['load_before'], '.1f')} -> {fmt(result['load_after'], '.1f')})")
    print(f"{'rule':<20}{'ours ms':>10}{'x stream':>10}{'ByzFL ms':>11}{'ByzFL/ours':>12}"
          f"{'NumPy ms':>11}{'NumPy/ours':>12}")
    for name in OUR_RULES:
        row = result["ours"].get(name)
        if row is None:
            continue
        theirs, np_ms = result["byzfl"].get(name), result["numpy"].get(name)
        print(f"{name:<20}{row['median_ms']:>10.2f}{row['ratio']:>10.2f}{fmt(theirs, '.2f'):>11}"
              f"{fmt(over(theirs, row['median_ms']), '.1f'):>12}{fmt(np_ms, '.2f'):>11}"
              f"{fmt(over(np_ms, row['median_ms']), '.1f'):>12}")
    streams = [row["stream_pass_ms"] for row in result["ours"].values()]
    print(f"{'stream pass (1 core)':<20}{min(streams):>8.2f}–{max(streams):.2f} ms")


def ms(x):
    return f"{x:.2f} ms" if x < 10 else f"{x:.1f} ms" if x < 1000 else f"{x:,.0f} ms"


def print_markdown(results):
    """One table: a row per rule, per shape our ms (x stream), ByzFL's and NumPy's ms (x ours)."""
    shapes = [f"m = {r['m']}, d = {r['d']:,}" for r in results]
    print("| rule | " + " | ".join(shapes) + " |")
    print("|:--|" + "--:|" * len(results))
    for name in OUR_RULES:
        cells = []
        for r in results:
            row = r["ours"].get(name)
            if row is None:
                cells.append("—")
                continue
            cpu = f"; CPU {row['cpu_ratio']:.1f}×" if "cpu_ratio" in row else ""
            parts = [f"**{ms(row['median_ms'])} ({row['ratio']:.2f}×{cpu})**"]
            for label, table in (("ByzFL", r["byzfl"]), ("NumPy", r["numpy"])):
                theirs = table.get(name)
                if isinstance(theirs, (int, float)):
                    parts.append(f"{label} {ms(theirs)} ({theirs / row['median_ms']:.1f}× ours)")
            cells.append("<br>".join(parts))
        print(f"| {name} | " + " | ".join(cells) + " |")
    streams = []
    for r in results:
        times = [row["stream_pass_ms"] for row in r["ours"].values()]
        streams.append(f"{min(times):.2f}–{max(times):.2f} ms")
    print("| *stream pass, 1 core* | " + " | ".join(streams) + " |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--brsgd", default=".build/release/brsgd", help="the brsgd executable")
    parser.add_argument("--shapes", default="20x61706,20x1000000", help="comma-separated m x d")
    parser.add_argument("--byzantine", type=int, default=None, help="f for the rules that take it (default m // 5)")
    parser.add_argument("--runs", type=int, default=7, help="timed calls per rule (median reported)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--markdown", action="store_true", help="print one Markdown table for all shapes")
    parser.add_argument("--json", help="write every number to this file")
    parser.add_argument("--from-json", help="print the tables of an earlier --json file instead of measuring")
    parser.add_argument("--same-bytes", action="store_true",
                        help="also compare brsgd aggregate's median and mean with NumPy's on the saved matrix")
    args = parser.parse_args()
    if args.from_json:
        with open(args.from_json) as file:
            results = json.load(file)
        if args.markdown:
            print_markdown(results)
        else:
            for result in results:
                print_shape(result)
        return
    import numpy as np
    results = []
    with tempfile.TemporaryDirectory() as directory:
        for shape in args.shapes.split(","):
            m, d = (int(x) for x in shape.lower().split("x"))
            f = args.byzantine if args.byzantine is not None else m // 5
            g = np.random.default_rng(args.seed).standard_normal((m, d), dtype=np.float32)
            path = os.path.join(directory, "G.npy")
            np.save(path, g)
            result = {"m": m, "d": d, "f": f, "runs": args.runs, "time": time.strftime("%Y-%m-%d %H:%M:%S"),
                      "load_before": load_average(), "cores": os.cpu_count()}
            result["ours"] = ours(args.brsgd, path, f, args.runs)
            result["byzfl"], result["numpy"] = peers(g, f, args.runs)
            result["load_after"] = load_average()
            result["machine"] = machine_info()
            results.append(result)
            if not args.markdown:
                print_shape(result)
            if args.same_bytes:
                check_same_bytes(args.brsgd, path, g)
            del g
            os.remove(path)
    if args.markdown:
        print_markdown(results)
    if args.json:
        with open(args.json, "w") as file:
            json.dump(results, file, indent=1)


if __name__ == "__main__":
    main()
