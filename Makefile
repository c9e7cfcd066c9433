# Kexue entry points. `make test` is the test command of the README and of CI (.ci/run).
SWIFT ?= swift
# Extra SwiftPM options for build and test, e.g. SWIFTPM_FLAGS="--scratch-path .build-mine"
SWIFTPM_FLAGS ?=
export SWIFT SWIFTPM_FLAGS

.PHONY: setup build test demo tools-venv

# System packages, pretrained model and data sets into KEXUE_HOME (default ~/.cache/kexue).
setup:
	bash scripts/setup.sh

build:
	$(SWIFT) build -c release $(SWIFTPM_FLAGS)

# Optimised tests; prints build time and test time separately.
test: setup
	bash scripts/test.sh

# The main demo: fine-tune MiniLM on Rotten Tomatoes and print test accuracy (under 10 minutes).
demo: setup
	bash scripts/demo.sh

# Python virtual environment for golden fixtures and peer benchmarks only (never a test dependency).
tools-venv:
	bash tools/make_venv.sh
