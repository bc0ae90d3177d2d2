#!/usr/bin/env bash
# The Python package's tests (python/tests), as `make test` runs them: a fresh virtual
# environment, the package installed from this checkout (its build step compiles the Swift
# C library with the local toolchain), pytest, and PyTorch and Flower where they can be had
# (PyTorch from the CPU wheel the machine carries, if any: the PyPI torch is the CUDA build).
# The tests that need a package that is missing skip and say why.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${BRSGD_TEST_VENV:-/tmp/brsgd-test-venv}"
python="${PYTHON:-python3}"
if [ ! -x "$venv/bin/python" ]; then
  if ! "$python" -m venv "$venv" 2>/dev/null; then
    echo "Installing python3-venv"
    sudo_cmd=""; [ "$(id -u)" = 0 ] || sudo_cmd=sudo
    $sudo_cmd apt-get update -qq && $sudo_cmd DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
    "$python" -m venv "$venv"
  fi
fi
pip="$venv/bin/python -m pip"
$pip install -q --upgrade pip >/dev/null
$pip install -q ./python pytest
if ! "$venv/bin/python" -c "import torch" 2>/dev/null; then
  wheel=$(find / -xdev -name 'torch-*+cpu*.whl' 2>/dev/null | head -n 1 || true)
  if [ -n "$wheel" ]; then $pip install -q "$wheel" || echo "PyTorch wheel $wheel did not install; its tests will skip"; fi
fi
"$venv/bin/python" -c "import flwr" 2>/dev/null || $pip install -q "flwr==1.42.0" || echo "Flower did not install; its tests will skip"
# The Flower deployment test (real SuperLink and SuperNode processes, about two minutes)
# runs once in `make test`: from the wheel, in Scripts/test-wheel.sh. Here it skips and says so.
BRSGD_SKIP_DEPLOYMENT="${BRSGD_SKIP_DEPLOYMENT:-1}" "$venv/bin/python" -m pytest -q -rs python/tests
