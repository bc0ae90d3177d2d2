#!/usr/bin/env bash
# The published benchmark set, measured and rendered in one go: `make benchmarks`.
#
# Writes machine-readable results into docs/benchmarks/ (each with its machine: CPU, cores,
# load, commit, date) and regenerates docs/benchmarks.md and the README's comparison rows from
# them (Scripts/render_benchmarks.py). Peers are measured in the same run, interleaved with
# brsgd, so the ratios compare like with like:
#   - training: `brsgd bench train` (LeNet-5, one thread, batch 8 and 64, every kernel path this
#     CPU has; two threads at batch 64) against PyTorch's same loop (Scripts/bench_pytorch_lenet.py);
#   - aggregation: `brsgd bench aggregate` against NumPy and ByzFL on the same matrix
#     (Scripts/bench_peers.py; m = 20, d = 61,706 and 10⁶).
# Run it on a quiet machine. PyTorch comes from the CPU wheel the machine carries (the PyPI
# torch is the CUDA build); without it, or without ByzFL, those columns say "not measured".
#
# Usage: Scripts/run-benchmarks.sh        (ROUNDS=3 SECONDS_PER_RUN=4 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${ROUNDS:-3}"
seconds="${SECONDS_PER_RUN:-4}"
out=docs/benchmarks
brsgd=.build/release/brsgd
make release >/dev/null

venv="${BRSGD_BENCH_VENV:-/tmp/brsgd-bench-venv}"
if [ ! -x "$venv/bin/python" ]; then python3 -m venv "$venv"; fi
py="$venv/bin/python"
"$py" -m pip install -q numpy scipy >/dev/null
"$py" -c "import byzfl" 2>/dev/null || "$py" -m pip install -q --no-deps "byzfl==0.0.11" >/dev/null \
  || echo "ByzFL did not install: its column will say not measured"
if ! "$py" -c "import torch" 2>/dev/null; then
  wheel=$(find / -xdev -name 'torch-*+cpu*.whl' 2>/dev/null | head -n 1 || true)
  if [ -n "$wheel" ]; then "$py" -m pip install -q "$wheel" >/dev/null || true; fi
fi
has_torch=$("$py" -c "import torch; print(1)" 2>/dev/null || echo 0)

rm -rf "$out"
mkdir -p "$out"
paths=""
for path in avx512 avx2; do
  if BRSGD_KERNELS=$path "$brsgd" --version >/dev/null 2>&1; then paths="$paths $path"; fi
done
pytorch() {
  [ "$has_torch" = 1 ] && OMP_WAIT_POLICY=PASSIVE "$py" Scripts/bench_pytorch_lenet.py --format json --seconds "$seconds" "$@" >> "$out/train.jsonl"
  return 0
}
for round in $(seq "$rounds"); do
  echo "training, round $round of $rounds"
  for batch in 8 64; do
    for path in $paths; do
      BRSGD_KERNELS=$path "$brsgd" bench train --batch-size "$batch" --threads 1 --seconds "$seconds" --format json >> "$out/train.jsonl"
    done
    pytorch --batch-sizes "$batch" --threads 1
  done
  "$brsgd" bench train --batch-size 64 --threads 2 --seconds "$seconds" --format json >> "$out/train.jsonl"
  pytorch --batch-sizes 64 --threads 2
done
echo "training, the reference path"
BRSGD_KERNELS=reference "$brsgd" bench train --batch-size 8 --threads 1 --seconds "$seconds" --format json >> "$out/train.jsonl"

echo "aggregation against NumPy and ByzFL"
if [ "$has_torch" = 1 ]; then
  "$py" Scripts/bench_peers.py --brsgd "$brsgd" --shapes 20x61706,20x1000000 --runs 7 --json "$out/aggregate.json" >/dev/null
else
  echo "PyTorch missing: ByzFL cannot run; aggregation not measured against peers" >&2
fi

python3 Scripts/render_benchmarks.py "$out" docs/benchmarks.md README.md
echo "wrote docs/benchmarks.md and the README's comparison rows"
