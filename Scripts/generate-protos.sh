#!/usr/bin/env bash
# Regenerates Sources/BrSGDTransportGRPC/Generated/ from Protos/brsgd/v1/training.proto.
#
# Builds the two protoc plugins (protoc-gen-grpc-swift-2 of grpc-swift-protobuf 2.4.1 and,
# from the swift-protobuf it resolves, protoc-gen-swift) in a scratch directory outside the
# repository, then runs protoc. The generated code is committed: the build never runs protoc
# (the GRPCProtobufGenerator build plugin would compile protoc itself, ~15 minutes per clean
# build). Run it after every change to the .proto, and Scripts/generate-python-protos.sh too.
#
# How to run it (Debian, as on the project's machines):
#   apt-get update && apt-get install -y protobuf-compiler     # protoc 3.21
#   bash Scripts/generate-protos.sh                            # SCRATCH=/tmp/other to move the plugins' build
# The clone of grpc-swift-protobuf comes from GitHub, or from a local package mirror where git
# rewrites github.com addresses to one (url.<mirror>.insteadOf). The first run builds the
# plugins in release mode: about 8 minutes on 2 shared cores; later runs reuse them (a second
# run takes ~20 s). It prints the versions that generated the code (the resolved swift-protobuf
# and grpc-swift-2 too); Generated/README.md names them.
set -euo pipefail
cd "$(dirname "$0")/.."
SCRATCH=${SCRATCH:-/tmp/brsgd-protogen}
GRPC_SWIFT_PROTOBUF_VERSION=2.4.1
SOURCE=${GRPC_SWIFT_PROTOBUF_URL:-https://github.com/grpc/grpc-swift-protobuf.git}

command -v protoc >/dev/null || { echo "protoc not found: apt-get install -y protobuf-compiler" >&2; exit 1; }
mkdir -p "$SCRATCH"
if [ ! -d "$SCRATCH/grpc-swift-protobuf" ]; then
  git clone -q --branch "$GRPC_SWIFT_PROTOBUF_VERSION" "$SOURCE" "$SCRATCH/grpc-swift-protobuf"
fi
checkout=$(git -C "$SCRATCH/grpc-swift-protobuf" describe --tags --exact-match 2>/dev/null || echo unknown)
if [ "$checkout" != "$GRPC_SWIFT_PROTOBUF_VERSION" ]; then
  echo "$SCRATCH/grpc-swift-protobuf is at $checkout, not $GRPC_SWIFT_PROTOBUF_VERSION: remove it or set SCRATCH" >&2
  exit 1
fi
# grpc-swift-protobuf depends on swift-protobuf, so one checkout builds both plugins.
(cd "$SCRATCH/grpc-swift-protobuf" &&
  swift build -c release --product protoc-gen-grpc-swift-2 &&
  swift build -c release --product protoc-gen-swift)
BIN="$SCRATCH/grpc-swift-protobuf/.build/release"

OUT=Sources/BrSGDTransportGRPC/Generated
mkdir -p "$OUT"
protoc \
  --plugin=protoc-gen-swift="$BIN/protoc-gen-swift" \
  --plugin=protoc-gen-grpc-swift="$BIN/protoc-gen-grpc-swift-2" \
  --proto_path=Protos \
  --swift_out="$OUT" --swift_opt=Visibility=Internal \
  --grpc-swift_out="$OUT" --grpc-swift_opt=Visibility=Internal,Server=true,Client=true \
  brsgd/v1/training.proto
echo "generated: $(ls "$OUT"/brsgd/v1)"
echo "with $(protoc --version), grpc-swift-protobuf $GRPC_SWIFT_PROTOBUF_VERSION and, as resolved:"
(cd "$SCRATCH/grpc-swift-protobuf" && swift package show-dependencies 2>/dev/null | grep -oE "(swift-protobuf|grpc-swift-2)<[^>]*>" | sort -u) || true
