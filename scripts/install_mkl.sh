#!/usr/bin/env bash
# Optional: Intel MKL as Kexue's BLAS (`make mkl`). Debian ships MKL 2020.4 in its non-free
# component as `libmkl-rt` (about 750 MB installed); this adds that component for the Debian
# archive only and installs the package. Kexue then loads libmkl_rt.so at run time (sequential,
# reproducible mode) in place of OpenBLAS; `KEXUE_BLAS=openblas` switches back without
# uninstalling. Nothing in the build or the tests needs it.
set -euo pipefail
libs=$(ldconfig -p 2>/dev/null || true)   # not piped into grep -q: pipefail would see ldconfig's SIGPIPE
if grep -q 'libmkl_rt\.so' <<<"$libs" && grep -q 'libmkl_gnu_thread\.so' <<<"$libs"; then
    echo "install_mkl: libmkl_rt.so is already installed"; exit 0
fi
[ "$(id -u)" = 0 ] || { echo "install_mkl: run as root (apt-get)" >&2; exit 1; }
. /etc/os-release
list=/etc/apt/sources.list.d/kexue-nonfree.sources
policy=$(apt-cache policy libmkl-rt 2>/dev/null || true)
if ! grep -q 'Candidate: [0-9]' <<<"$policy"; then
    cat > "$list" <<SOURCES
Types: deb
URIs: http://deb.debian.org/debian
Suites: ${VERSION_CODENAME}
Components: non-free
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
    echo "install_mkl: added Debian non-free ($list)"
    apt-get update -qq
fi
# The package asks whether MKL should replace the system's libblas.so.3; keep OpenBLAS there.
echo "libmkl-rt libmkl-rt/use-as-default-blas-lapack boolean false" | debconf-set-selections
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libmkl-rt libmkl-gnu-thread libgomp1
echo "install_mkl: done; \`kexue bench matmul\` now reports Intel MKL in its env.blas"
