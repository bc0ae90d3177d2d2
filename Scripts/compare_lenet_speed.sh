#!/usr/bin/env bash
# Side-by-side LeNet-5 training speed: brsgd (release) against PyTorch, batch 32 and 64,
# 1 and 2 threads, interleaved so that both see the same machine load. Prints one line
# per run; run several rounds and compare medians (these VMs vary by ±20–30%).
#
# Usage: Scripts/compare_lenet_speed.sh [rounds=3] [seconds=5]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-3}"
seconds="${2:-5}"
swift build -c release --product brsgd >/dev/null
for round in $(seq "$rounds"); do
  for batch in 32 64; do
    for threads in 1 2; do
      echo "round $round: $(.build/release/brsgd bench train --model lenet --batch-size "$batch" --threads "$threads" --seconds "$seconds")"
      echo "round $round: $(python3 Scripts/bench_pytorch_lenet.py --batch-sizes "$batch" --threads "$threads" --seconds "$seconds")"
    done
  done
done
