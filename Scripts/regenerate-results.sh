#!/usr/bin/env bash
# Regenerates every published experiment under docs/results from an empty folder, by the
# commands the README gives (each grid's runs, tables and figures; nothing is resumed from an
# older build's records). Run it on a quiet machine: the grids use every core.
#
# Usage: Scripts/regenerate-results.sh [part ...]
#   parts: table1 demo modern convex robustness robustness-nnm single-worker
#   (default: all of them, in that order). Table 1 is timed (`time`), and its progress log kept.
set -euo pipefail
cd "$(dirname "$0")/.."
make release >/dev/null
brsgd=.build/release/brsgd
results=docs/results
parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(table1 demo modern convex robustness robustness-nnm single-worker)

fresh() { rm -rf "$results/$1"; mkdir -p "$results/$1"; }

for part in "${parts[@]}"; do
  echo "== $part ($(date -u '+%Y-%m-%d %H:%M:%S') UTC)"
  case "$part" in
    table1)
      fresh table1
      { time "$brsgd" reproduce table1 --seeds 3 --output-dir "$results/table1" ; } 2> >(tee "$results/table1/progress.log" >&2)
      ;;
    demo)
      fresh demo
      "$brsgd" demo --output-dir "$results/demo"
      ;;
    modern)
      fresh modern
      "$brsgd" reproduce table1 --attacks alie,ipm --fractions 0.25 \
        --add-rules trimmed-mean,multi-krum,geometric-median,centered-clipping --output-dir "$results/modern"
      ;;
    convex)
      fresh convex
      fresh convex-alie
      "$brsgd" reproduce convex --output-dir "$results/convex"
      "$brsgd" reproduce convex --attack alie --output-dir "$results/convex-alie"
      ;;
    robustness)
      fresh robustness
      "$brsgd" reproduce robustness --output-dir "$results/robustness"
      ;;
    robustness-nnm)
      # brsgd-robust with nearest-neighbour mixing in front (the base experiment's rule), IID, one
      # seed, at 25% and 45% under the attacks that broke it there.
      base=$(mktemp)
      cp "$results/robustness-nnm/base.json" "$base"
      fresh robustness-nnm
      cp "$base" "$results/robustness-nnm/base.json"
      "$brsgd" reproduce robustness --config "$results/robustness-nnm/base.json" --rules nnm+brsgd-robust \
        --attacks sign-flip,alie,ipm,foe,mimic,ipm-opt --fractions 0.25,0.45 --heterogeneity iid --seeds 1 \
        --output-dir "$results/robustness-nnm"
      ;;
    single-worker)
      # brsgd's side of the single-worker comparison; PyTorch's, when a Python with torch is
      # given as $PYTHON: Scripts/train_pytorch_lenet.py --threads 1 --seeds 1 2 3 4 5.
      for seed in 1 2 3 4 5; do
        suffix=$([ "$seed" = 1 ] && echo "" || echo "-seed$seed")
        "$brsgd" train --workers 1 --epochs 5 --batch-size 64 --lr 0.03 --seed "$seed" --quiet \
          --output "$results/single-worker/single-worker$suffix.json"
      done
      if [ -n "${PYTHON:-}" ]; then
        "$PYTHON" Scripts/train_pytorch_lenet.py --threads 1 --seeds 1 2 3 4 5 > "$results/single-worker/pytorch.jsonl"
      fi
      ;;
    *) echo "unknown part: $part" >&2; exit 64 ;;
  esac
done
