# Kexue entry points. `make test` is the test command of the README and of CI (.ci/run).
SWIFT ?= swift
# Extra SwiftPM options for build and test, e.g. SWIFTPM_FLAGS="--scratch-path .build-mine"
SWIFTPM_FLAGS ?=
export SWIFT SWIFTPM_FLAGS

.PHONY: setup build test demo demo-full tools-venv check-render mkl

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

# BERT-of-Theseus short form: MiniLM 6 → 3 on a 2,000-sentence subset, 1 seed (the full run:
# SEEDS="1 2 3 4 5" bash scripts/theseus_experiment.sh).
demo-full: setup build
	LIMIT=2000 SEEDS=1 NAME=theseus-demo bash scripts/theseus_experiment.sh

# Optional: Intel MKL (Debian non-free libmkl-rt) as the BLAS; Kexue loads it at run time when present.
mkl:
	bash scripts/install_mkl.sh

# Python virtual environment for golden fixtures and peer benchmarks only (never a test dependency).
tools-venv:
	bash tools/make_venv.sh

# The HTML report in headless Chromium: green/red pixels where the coloured words are (also part of
# `make test`; installs Debian's chromium when missing). KEXUE_BIN and MODEL override the defaults.
check-render: build
	KEXUE_BIN="$$($(SWIFT) build -c release --show-bin-path $(SWIFTPM_FLAGS))/kexue" bash scripts/check_html_render.sh
