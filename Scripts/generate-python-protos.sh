#!/usr/bin/env bash
# Regenerates python/src/brsgd/v1/training_pb2{,_grpc}.py{,i} from Protos/brsgd/v1/training.proto.
#
# The generated code is committed: installing the Python package never runs protoc.
# grpcio-tools is pinned so the stubs need protobuf 6 (what Flower 1.42 accepts: protobuf
# < 7) and grpcio >= the tools' version; python/pyproject.toml states the same bounds.
# The proto package brsgd.v1 becomes the Python package brsgd.v1, so the generated
# `from brsgd.v1 import training_pb2` resolves inside the brsgd package.
set -euo pipefail
cd "$(dirname "$0")/.."
GRPCIO_TOOLS_VERSION=1.78.2
VENV=${VENV:-/tmp/brsgd-protogen-python}
PYTHON=${PYTHON:-python3}

if [ ! -x "$VENV/bin/python" ]; then "$PYTHON" -m venv "$VENV"; fi
"$VENV/bin/pip" install -q "grpcio-tools==$GRPCIO_TOOLS_VERSION"
OUT=python/src
"$VENV/bin/python" -m grpc_tools.protoc --proto_path=Protos \
  --python_out="$OUT" --pyi_out="$OUT" --grpc_python_out="$OUT" \
  brsgd/v1/training.proto
grep -h "Protobuf Python Version\|GRPC_GENERATED_VERSION =" "$OUT"/brsgd/v1/training_pb2.py "$OUT"/brsgd/v1/training_pb2_grpc.py
