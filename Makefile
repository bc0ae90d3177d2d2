# brsgd — two commands on a fresh Debian/Ubuntu machine:
#   make demo   build in release mode and run the main job on its defaults
#   make test   run the test suite (what CI runs)
# Each installs the system packages it needs when they are missing.

SYSTEM_PACKAGES := libopenblas-dev zlib1g-dev dataset-fashion-mnist
SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test deps release bench clean

deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages:$$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

release: deps
	$(SWIFT) build -c release --product brsgd

demo: release
	.build/release/brsgd demo

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

bench: release
	.build/release/brsgd bench aggregate --m 20 --d 1000000 --rules brsgd,median,krum,mean

clean:
	rm -rf .build
