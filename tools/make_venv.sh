#!/usr/bin/env bash
# Creates the tools virtual environment: PyTorch and HF libraries for golden fixtures and peer
# benchmarks. Never a run-time or test-time dependency of Kexue.
#
#   tools/make_venv.sh          -> ${KEXUE_HOME:-~/.cache/kexue}/venv-tools
#
# torch: PyPI serves only the CUDA build of torch for Linux (torch 2.13.0: a 527 MB wheel plus
# several GB of nvidia-*/cuda-* wheels). With --no-deps that wheel does NOT import
# ("libcudart.so.13: cannot open shared object file"), so there is no light way to it from PyPI.
# Where a CPU wheel of the same version is in a pip find-links folder (this workplace's images
# ship torch-2.13.0+cpu in /opt/wheels, 192 MB), we install that; otherwise the full CUDA build,
# which runs fine on the CPU. Either way the version is 2.13.0; benchmark output records it.
# Idempotent: a stamp file holding the hash of the pins skips all work when nothing changed.
set -euo pipefail

TORCH_VERSION=2.13.0
here="$(cd "$(dirname "$0")" && pwd)"
venv="${KEXUE_HOME:-$HOME/.cache/kexue}/venv-tools"
stamp="$venv/.kexue-stamp"
want="$(cat "$0" "$here/requirements-tools.txt" | sha256sum | cut -d' ' -f1)"

if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  echo "tools venv up to date: $venv"
  exit 0
fi

# Debian's own python3 needs python3-venv for `-m venv` (pyenv's python has it built in).
python3 -c 'import ensurepip' 2>/dev/null || apt-get install -y python3-venv
python3 -m venv "$venv"
pip=("$venv/bin/python" -m pip install --disable-pip-version-check --progress-bar off)

cpu_wheel=""
for dir in ${KEXUE_TORCH_WHEELS:-} ${PIP_FIND_LINKS:-} /opt/wheels; do
  for w in "$dir"/torch-"$TORCH_VERSION"+cpu-*.whl; do
    [[ -f "$w" ]] && { cpu_wheel="$w"; break 2; }
  done
done
if [[ -n "$cpu_wheel" ]]; then
  echo "installing CPU torch from $cpu_wheel"
  "${pip[@]}" "$cpu_wheel"
else
  echo "no torch-$TORCH_VERSION+cpu wheel found; installing the CUDA build from PyPI (several GB)"
  "${pip[@]}" "torch==$TORCH_VERSION"
fi
# torch is pinned as a constraint so nothing below replaces the build chosen above.
installed_torch="$("$venv/bin/python" -c 'import torch; print(torch.__version__)')"
"${pip[@]}" -r "$here/requirements-tools.txt" -c <(echo "torch==$installed_torch")

"$venv/bin/python" - <<'PY'
import torch, transformers, tokenizers, captum, safetensors, sentence_transformers, numpy
c = torch.randn(3, 3) @ torch.randn(3, 3)
assert c.shape == (3, 3) and torch.isfinite(c).all()
print("torch", torch.__version__, "threads", torch.get_num_threads(),
      "| transformers", transformers.__version__, "| tokenizers", tokenizers.__version__,
      "| captum", captum.__version__, "| safetensors", safetensors.__version__,
      "| sentence-transformers", sentence_transformers.__version__, "| numpy", numpy.__version__)
PY
"$venv/bin/python" -m pip freeze > "$venv/freeze.txt"
echo "$want" > "$stamp"
echo "tools venv ready: $venv (versions in $venv/freeze.txt)"
