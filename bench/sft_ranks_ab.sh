#!/bin/bash
# Before/after speed of two builds on 2 data-parallel ranks with mixed sample lengths, in one script run: the
# reason preset's Stage 1 mix (sequence-style T1 beside item paragraphs T6 and narratives T7, which are ~10x
# longer), alternating the binaries (A, B, A, B) so that load on a shared machine hits both alike. The case of the
# micro-batch planner's rank balancing (src/train/batching.cpp): before it, one rank got the 64 longest rows of
# every step padded to a narrative's length and the other the 64 shortest.
# Usage: bench/sft_ranks_ab.sh OLD_BIN NEW_BIN ; env: ROUNDS (2), STEPS (12), NPROC (2).
set -euo pipefail
SRC="$(cd "$(dirname "$0")/.." && pwd)"
OLD="$1"
NEW="$2"
ROUNDS="${ROUNDS:-2}"
STEPS="${STEPS:-12}"
NPROC="${NPROC:-2}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
DATA="$SRC/data/Amazon"
NAME=Industrial_and_Scientific

"$NEW" synthesize --data "$DATA" --dataset "$NAME" --out "$WORK/corpus" --seed 42 > /dev/null 2>&1
ITEMS="$WORK/corpus/index/$NAME.item_enhanced_v2.json"
USERS="$WORK/corpus/index/$NAME.integrated_narrative.csv"
"$NEW" tasks corpus --data "$DATA" --dataset "$NAME" --item-corpus "$ITEMS" --user-corpus "$USERS" --style sequence \
  --out "$WORK/corpus.txt" > /dev/null 2>&1
"$NEW" tokenizer train --corpus "$WORK/corpus.txt" --vocab-size 1024 --out "$WORK/tok" > /dev/null
run() {  # label binary -> unpadded tokens/s (median over the steps after the first)
  local out="$WORK/run-$1"
  rm -rf "$out"
  "$2" sft --stage 1 --data "$DATA" --dataset "$NAME" --model "$SRC/configs/models/qwen3-3m-dropout.json" \
    --tokenizer "$WORK/tok/tokenizer.json" --item-corpus "$ITEMS" --user-corpus "$USERS" --style sequence \
    --weights T1=1,T2=0,T3=0,T4=0,T5=0,T6=0.25,T7=0.02 --batch 128 --micro-batch 64 --epochs 10 --lr 0.002 \
    --max-eval-samples 8 --max-steps "$STEPS" --nproc "$NPROC" --no-progress --out "$out" 2> "$WORK/log-$1"
  /usr/bin/python3 -c '
import json, statistics, sys
rates = [r["tokens_per_s"] for r in map(json.loads, open(sys.argv[1])) if r["type"] == "train"][1:]
print(f"{statistics.median(rates):.0f} tokens/s")' "$out/metrics.jsonl"
}
echo "reason preset Stage 1 mix, global batch 128, micro-batch 64, $NPROC ranks, $STEPS steps, $ROUNDS rounds"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$ROUNDS"); do
  echo "round $r old: $(run "old$r" "$OLD")   (load $(cut -d' ' -f1 /proc/loadavg))"
  echo "round $r new: $(run "new$r" "$NEW")   (load $(cut -d' ' -f1 /proc/loadavg))"
done
