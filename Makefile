# brsgd — on a fresh Debian/Ubuntu machine:
#   make demo      build brsgd in release mode and run the main job on its defaults
#   make test      build everything, the networked commands included, and run every test, the
#                  Python package's too: installed from source, then as the wheel of `make wheel`
#                  in a fresh venv with no Swift on PATH (what CI runs)
#   make network   build brsgd with its networked commands (master, worker, cluster) in release
#                  mode, into .build-network/release/brsgd
#   make wheel     build python/dist/brsgd-…-manylinux_…_x86_64.whl: the Python package with the
#                  Swift runtime linked into its library, installable where there is no Swift
#   make test-default-build   the tests of brsgd built without its networked commands (own scratch path)
#   make benchmarks  measure the published benchmark set and regenerate docs/benchmarks.md
#   make results     regenerate every published experiment under docs/results
# Each installs the system packages it needs when they are missing.
#
# The networked commands run training over gRPC, and compiling gRPC, SwiftNIO, BoringSSL and
# swift-protobuf is most of a first build; they come with the package's Networking trait
# (Package.swift), which is off by default. So `make demo` (and `make release`, `make bench`)
# builds brsgd without them, and `make network` builds the full brsgd in a scratch path of its
# own, so that neither build undoes the other (a trait changes the flags of every target).
# `make test` builds in debug mode with the trait on, so every test is compiled and run.
# `make demo`, `release` and `bench` also set BRSGD_WITHOUT_GRPC=1, which leaves the gRPC
# packages out of the package graph (Package.swift): SwiftPM then has nothing of them to
# fetch, load or plan, which is about 15 s of a first build on two cores.

SYSTEM_PACKAGES := zlib1g-dev dataset-fashion-mnist
SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
NETWORK_BUILD := .build-network
# The traits `make test` turns on: all of them, so that no test is left out.
TEST_TRAITS := Networking

.PHONY: demo test test-default-build wheel deps release network bench benchmarks results clean

deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages:$$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

# brsgd without the networked commands: no gRPC, SwiftNIO, BoringSSL or swift-protobuf.
release: deps
	BRSGD_WITHOUT_GRPC=1 $(SWIFT) build -c release --product brsgd

demo: release
	.build/release/brsgd demo

# brsgd with master, worker and cluster (the Networking trait): .build-network/release/brsgd.
network: deps
	$(SWIFT) build -c release --product brsgd --traits Networking --scratch-path $(NETWORK_BUILD)

test: deps
	$(SWIFT) build --build-tests --traits $(TEST_TRAITS)
	$(SWIFT) test --skip-build --traits $(TEST_TRAITS)
	bash Scripts/test-python.sh
	bash Scripts/build-wheel.sh
	bash Scripts/test-wheel.sh

# The Python package as a wheel that needs no Swift where it is installed (the runtime linked
# statically into libBrSGDAggregationC.so, built in .build-wheel; auditwheel gives the tag).
wheel:
	bash Scripts/build-wheel.sh

# The debug build without the trait and without the gRPC packages (as `make demo` builds
# brsgd): it compiles, and `brsgd --help` and the left-out commands say how to get master,
# worker and cluster. It builds in .build-default: after a trait build in .build, the same path
# fails on stale modules (missing CNIOAtomics).
test-default-build: deps
	BRSGD_WITHOUT_GRPC=1 $(SWIFT) build --build-tests --scratch-path .build-default
	BRSGD_WITHOUT_GRPC=1 $(SWIFT) test --skip-build --scratch-path .build-default --filter NetworkCommandAvailabilityTests

bench: release
	.build/release/brsgd bench aggregate --workers 20 --dimension 1000000 --rules brsgd,median,krum,mean

# The published benchmark set (training against PyTorch, aggregation against NumPy and ByzFL),
# measured on this machine and rendered into docs/benchmarks.md: on a quiet machine.
benchmarks: release
	bash Scripts/run-benchmarks.sh

# Every published experiment under docs/results, regenerated from empty folders (hours).
results: release
	bash Scripts/regenerate-results.sh

clean:
	rm -rf .build $(NETWORK_BUILD) .build-wheel python/dist
