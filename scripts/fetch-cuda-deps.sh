#!/usr/bin/env bash
# On a Debian 12 machine: downloads the Debian packages a CUDA build needs besides PyTorch (the libraries of
# DESIGN.md, GoogleTest, pkgconf) and unpacks them into DIR (default .cuda-deps), for a GPU machine that lacks
# them: copy DIR there and run SIDR_DEPS_PREFIX=DIR scripts/build-cuda.sh.
set -euo pipefail
out=${1:-.cuda-deps}
packages=(libpcre2-dev libpcre2-8-0 libpcre2-16-0 libpcre2-32-0 libpcre2-posix3 libutf8proc-dev libutf8proc2
          nlohmann-json3-dev libfmt-dev libfmt9 libcli11-dev libgtest-dev pkgconf pkgconf-bin libpkgconf3)
debs=$(mktemp -d)
trap 'rm -rf "$debs"' EXIT
(cd "$debs" && apt-get download "${packages[@]}" >/dev/null 2>&1) || { echo "fetch-cuda-deps: apt-get download failed" >&2; exit 1; }
mkdir -p "$out"
for f in "$debs"/*.deb; do dpkg -x "$f" "$out"; done
echo "fetch-cuda-deps: ${#packages[@]} packages unpacked into $out ($(du -sh "$out" | cut -f1))"
