"""Generated protobuf and gRPC code for brsgd.v1 (Scripts/generate-python-protos.sh)."""
