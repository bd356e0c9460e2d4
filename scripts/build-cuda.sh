#!/usr/bin/env bash
# Builds sidreasoner against the libtorch inside a CUDA PyTorch (pip's wheel, say) into build-cuda/:
#   scripts/build-cuda.sh [TARGET...]        (default: every target)
# Environment: PYTHON (default python3) imports that torch; BUILD (default build-cuda); KEEP_GOING=1 reports every
# compile error in one pass; SIDR_DEPS_PREFIX, for a
# machine without the Debian packages of scripts/install-deps.sh: a folder the .deb files were unpacked into
# (scripts/fetch-cuda-deps.sh makes one on a Debian machine). CUDA's toolkit (nvcc) must be installed; NCCL's
# header is taken from the toolkit or from the nvidia-nccl wheel beside torch (CMakeLists.txt).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
BUILD=${BUILD:-build-cuda}
torch_cmake=$("$PYTHON" -c 'import torch; print(torch.utils.cmake_prefix_path)')
torch_cuda=$("$PYTHON" -c 'import torch; print(torch.version.cuda or "")')
[ -n "$torch_cuda" ] || { echo "build-cuda: $PYTHON's torch ($torch_cmake) has no CUDA" >&2; exit 1; }
prefix_path="$torch_cmake"
if [ -n "${SIDR_DEPS_PREFIX:-}" ]; then
  deps=$(cd "$SIDR_DEPS_PREFIX" && pwd)
  lib=$deps/usr/lib/x86_64-linux-gnu
  prefix_path="$deps/usr;$prefix_path"
  # pkg-config (pkgconf) from the folder too, reading only its .pc files and rooting their paths in it.
  export PATH=$deps/usr/bin:$PATH LD_LIBRARY_PATH=$lib:${LD_LIBRARY_PATH:-}
  export PKG_CONFIG_LIBDIR=$lib/pkgconfig:$deps/usr/share/pkgconfig PKG_CONFIG_SYSROOT_DIR=$deps
fi
cuda_root=${CUDAToolkit_ROOT:-/usr/local/cuda}
[ -d "$cuda_root" ] && export PATH=$cuda_root/bin:$PATH
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
echo "build-cuda: torch $("$PYTHON" -c 'import torch; print(torch.__version__)') (CUDA $torch_cuda) from $torch_cmake"
cmake -S . -B "$BUILD" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefix_path" \
  -DCUDAToolkit_ROOT="$cuda_root"
targets=()
for t in "$@"; do targets+=(--target "$t"); done
keep_going=()  # KEEP_GOING=1: report every compile error in one pass (ninja -k 0)
[ -n "${KEEP_GOING:-}" ] && [ ${#generator[@]} -gt 0 ] && keep_going=(-- -k 0)
cmake --build "$BUILD" -j "$(nproc)" "${targets[@]}" "${keep_going[@]}"
