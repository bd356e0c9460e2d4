#!/usr/bin/env bash
# Runs every built libFuzzer target for a short bounded time (FUZZ_SECONDS each, default 20).
set -euo pipefail
build=${1:-build-san}
seconds=${FUZZ_SECONDS:-20}
shopt -s nullglob
ran=0
for fuzzer in "$build"/tests/fuzz/fuzz_*; do
  [ -x "$fuzzer" ] || continue
  corpus=$(mktemp -d)
  seeds="$(dirname "$0")/../tests/fuzz/seeds/$(basename "$fuzzer")"
  if [ -d "$seeds" ]; then cp "$seeds"/* "$corpus"/ 2>/dev/null || true; fi
  echo "fuzz: $(basename "$fuzzer") for ${seconds}s"
  "$fuzzer" -max_total_time="$seconds" -max_len=4096 -print_final_stats=0 "$corpus" 2>&1 | tail -n 3
  rm -rf "$corpus"
  ran=$((ran + 1))
done
echo "fuzz: $ran target(s) ran without a crash"
