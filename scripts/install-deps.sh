#!/usr/bin/env bash
# Installs every Debian 12 package the project needs. Idempotent: does nothing when all are present.
# Uses sudo only when not root.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libtorch-dev libgloo-dev libopenblas0-pthread   # tensors; OpenBLAS: without it GEMM is ~20x slower
  libpcre2-dev libutf8proc-dev nlohmann-json3-dev libcli11-dev libfmt-dev libspdlog-dev libcpp-httplib-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  python3-torch                                   # the independent reference in tests (/usr/bin/python3)
  libfaiss-dev python3-faiss python3-sklearn      # k-means for SID construction; its python peers in benches
  zlib1g-dev                                      # data prepare reads .json.gz
  wrk chromium                                    # serving: load test, the web page in a real browser
  clang libclang-rt-14-dev                        # libFuzzer targets and sanitizers
  nodejs npm                                      # tokenizer and chat-template oracles (tests only)
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# nodejs/npm may come from elsewhere (the machine image); accept any working node + npm.
if command -v node >/dev/null && command -v npm >/dev/null; then
  filtered=()
  for p in "${missing[@]}"; do [[ "$p" == nodejs || "$p" == npm ]] || filtered+=("$p"); done
  missing=("${filtered[@]+"${filtered[@]}"}")
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
