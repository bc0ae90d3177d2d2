#!/usr/bin/env bash
# The wheel of `make wheel` on a machine without Swift, as `make test` runs it: a fresh
# virtual environment, PATH stripped of every directory that holds a `swift`, no
# LD_LIBRARY_PATH, the wheel installed with pytest (and PyTorch from the machine's CPU wheel,
# Flower 1.42, where they can be had), then the Python tests — copied out of the checkout, so
# that neither the package's sources nor a built brsgd are within their reach. The tests that
# need the `brsgd` command line report as skipped. The Flower deployment test runs here
# (python/tests/test_flower_deployment.py: a SuperLink and SuperNodes on loopback).
#
#   bash Scripts/test-wheel.sh [python/dist/brsgd-….whl]    (default: the one in python/dist)
set -euo pipefail
cd "$(dirname "$0")/.."
wheel="${1:-$(ls python/dist/brsgd-*.whl 2>/dev/null | head -n 1 || true)}"
if [ -z "$wheel" ] || [ ! -f "$wheel" ]; then
  echo "error: no wheel (run make wheel first, or pass its path)" >&2
  exit 1
fi
wheel=$(realpath "$wheel")
python=$(command -v "${PYTHON:-python3}")
venv="${BRSGD_WHEEL_TEST_VENV:-/tmp/brsgd-wheel-venv}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r python/tests "$work/tests"
cp -r python/examples "$work/examples"

# PATH without the toolchain: every entry that holds a swift executable goes.
stripped=""
IFS=: read -r -a entries <<<"$PATH"
for entry in "${entries[@]}"; do
  [ -n "$entry" ] && [ ! -e "$entry/swift" ] && stripped="${stripped:+$stripped:}$entry"
done
run() { env -u LD_LIBRARY_PATH -u BRSGD_LIBRARY -u BRSGD_CLI BRSGD_SKIP_DEPLOYMENT=0 PATH="$venv/bin:$stripped" "$@"; }
if run bash -c 'command -v swift'; then
  echo "error: swift is still on PATH" >&2
  exit 1
fi

rm -rf "$venv"
run "$python" -m venv "$venv"
pip="$venv/bin/python -m pip"
run $pip install -q --upgrade pip >/dev/null
start=$(date +%s%N)
run $pip install -q "$wheel"
echo "installed $(basename "$wheel") ($(du -k "$wheel" | cut -f1) KiB) in $(( ($(date +%s%N) - start) / 1000000 )) ms"
library=$(run "$venv/bin/python" -c "import brsgd._native as n; print(n.library.path)")
echo "library: $library"
if ldd "$library" | grep -i -e swift -e "not found"; then
  echo "error: the installed library needs a Swift library or a missing one (above)" >&2
  exit 1
fi
run $pip install -q pytest
torch_wheel=$(find / -xdev -name 'torch-*+cpu*.whl' 2>/dev/null | head -n 1 || true)
if [ -n "$torch_wheel" ]; then run $pip install -q "$torch_wheel" || echo "PyTorch did not install; its tests will skip"; fi
run $pip install -q "flwr==1.42.0" || echo "Flower did not install; its tests will skip"
cd "$work"
run "$venv/bin/python" -m pytest -q -rs -p no:cacheprovider tests
