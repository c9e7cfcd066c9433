# Tools venv (PyTorch, HF, captum) for golden fixtures and peer benchmarks only.
.PHONY: tools-venv
tools-venv:
	bash tools/make_venv.sh
