#!/usr/bin/env bash
# Regenerates Sources/BrSGDTransportGRPC/Generated/ from Protos/brsgd/v1/training.proto.
#
# Builds the two protoc plugins from the package mirror (or GitHub) in a scratch directory
# outside the repository, then runs protoc (apt-get install -y protobuf-compiler). The
# generated code is committed: the build never runs protoc (the GRPCProtobufGenerator
# build plugin would compile protoc itself, ~15 minutes per clean build).
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
