#!/bin/bash
# OpenBLAS's default kernel against the one the CPU's flags allow: doctor's sgemm rate and Stage 1 SFT tokens/s
# under each, in one script (repeat it to see the noise). Usage: bench/blas_kernel_bench.sh [build/sidreasoner]
# env: KERNEL (default: what `doctor` says the CPU allows), STEPS, SAMPLES.
set -euo pipefail
SRC="$(cd "$(dirname "$0")/.." && pwd)"
BIN="${1:-$SRC/build/sidreasoner}"
KERNEL="${KERNEL:-$(SIDR_BLAS_AUTO=0 "$BIN" doctor | sed -n 's/^cpu allows *//p')}"
STEPS="${STEPS:-6}"
SAMPLES="${SAMPLES:-512}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
DATA="$SRC/data/Amazon"
NAME=Industrial_and_Scientific
head -c 3000000 "$DATA/index/$NAME.item.json" > "$WORK/corpus.txt"
SIDR_BLAS_AUTO=0 "$BIN" tokenizer train --corpus "$WORK/corpus.txt" --vocab-size 4096 --out "$WORK/tok" > /dev/null
run() {  # label, env...
  local label="$1"; shift
  local g=$(env -u OPENBLAS_CORETYPE "$@" SIDR_BLAS_AUTO=0 "$BIN" doctor --gemm-probe)
  env -u OPENBLAS_CORETYPE "$@" SIDR_BLAS_AUTO=0 "$BIN" sft --stage 1 --data "$DATA" --dataset "$NAME" \
    --model "$SRC/configs/models/qwen3-3m.json" --tokenizer "$WORK/tok/tokenizer.json" --out "$WORK/$label" \
    --epochs 1 --batch 32 --micro-batch 8 --max-samples "$SAMPLES" --max-eval-samples 8 --max-steps "$STEPS" \
    --no-progress 2> "$WORK/log-$label"
  local t=$(/usr/bin/python3 -c '
import json, statistics, sys
rates = [r["tokens_per_s"] for r in map(json.loads, open(sys.argv[1])) if r["type"] == "train"][1:]
print(f"{statistics.median(rates):.0f}")' "$WORK/$label/metrics.jsonl")
  echo "$label: sgemm 1024 $g GFLOP/s, sft $t tokens/s (median over steps 2..$STEPS)"
}
echo "$(grep -m1 'model name' /proc/cpuinfo); load $(cut -d' ' -f1-3 /proc/loadavg)"
run default
run "$KERNEL" OPENBLAS_CORETYPE="$KERNEL"
run default-again
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
