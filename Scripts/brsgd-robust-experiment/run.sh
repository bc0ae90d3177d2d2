#!/usr/bin/env bash
# The measurements behind brsgd-robust: real LeNet-5 gradients (PyTorch, make_gradients.py),
# crafted Byzantine rows, every rule's ‖output − honest mean‖ / ‖honest mean‖ (Experiment.swift),
# and the cost per aggregation. Builds a small package of RobustAggregation + the experiment
# only (no gRPC), in a scratch directory.
#   Scripts/brsgd-robust-experiment/run.sh [scratch-dir]   (needs python3 with torch and numpy)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"; repo="$(cd "$here/../.." && pwd)"
work="${1:-${TMPDIR:-/tmp}/brsgd-robust-experiment}"
mkdir -p "$work/S" "$work/Exp/PreaggExperiment" "$work/grads"
ln -sfn "$repo/Sources/RobustAggregation" "$work/S/RobustAggregation"
cp "$here/Experiment.swift" "$work/Exp/PreaggExperiment/Experiment.swift"
cat > "$work/Package.swift" <<'SWIFT'
// swift-tools-version: 6.1
import PackageDescription
let package = Package(
    name: "brsgd-robust-experiment",
    targets: [
        .target(name: "RobustAggregation", path: "S/RobustAggregation"),
        .executableTarget(name: "PreaggExperiment", dependencies: ["RobustAggregation"], path: "Exp/PreaggExperiment"),
    ],
    swiftLanguageModes: [.v6])
SWIFT
for split in iid dir; do
  [ -f "$work/grads/$split-s1000-mom.f32" ] || python3 "$here/make_gradients.py" "$split" "$work/grads" 30,300,1000
done
(cd "$work" && swift build -c release --product PreaggExperiment)
for f in iid-s300-mom iid-s1000-mom dir-s300-mom dir-s1000-mom iid-s300-grad dir-s300-grad; do
  "$work/.build/release/PreaggExperiment" "$work/grads/$f.f32" 5,9 \
    "mean,median,trimmed-mean,cc tau=1,cc tau=10,brsgd,brsgd-robust,arc+brsgd-robust,bkt2+brsgd-robust,nnm+brsgd"
done
"$work/.build/release/PreaggExperiment" bench 61706
"$work/.build/release/PreaggExperiment" bench 1000000
