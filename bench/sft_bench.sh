#!/bin/bash
# Stage 1 training speed on the shipped data: `sidreasoner sft` vs the same model, samples and batches in PyTorch
# eager (bench/sft_peer.py, logits over every position as the reference), in one script.
# Usage: bench/sft_bench.sh [build/sidreasoner] ; env: CONFIG (model config), STEPS, BATCH, MICRO, SAMPLES, TOK.
set -euo pipefail
SRC="$(cd "$(dirname "$0")/.." && pwd)"
BIN="${1:-$SRC/build/sidreasoner}"
CONFIG="${CONFIG:-$SRC/configs/models/qwen3-3m.json}"
STEPS="${STEPS:-6}"
BATCH="${BATCH:-32}"
MICRO="${MICRO:-8}"
SAMPLES="${SAMPLES:-1024}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
DATA="$SRC/data/Amazon"
NAME=Industrial_and_Scientific

if [ -z "${TOK:-}" ]; then
  head -c 3000000 "$DATA/index/$NAME.item.json" > "$WORK/corpus.txt"
  "$BIN" tokenizer train --corpus "$WORK/corpus.txt" --vocab-size 4096 --out "$WORK/tok" > /dev/null
  TOK="$WORK/tok/tokenizer.json"
fi

# ours: median tokens/s over the steps after the first, peak RSS (largest process) from GNU time
ours() {  # label, extra args...
  local label="$1"; shift
  local out="$WORK/run-$label"
  env "${ENVV[@]}" /usr/bin/time -f "%M" -o "$WORK/rss-$label" "$BIN" sft --stage 1 --data "$DATA" --dataset "$NAME" \
    --model "$CONFIG" --tokenizer "$TOK" --out "$out" --epochs 1 --batch "$BATCH" --micro-batch "$MICRO" \
    --max-samples "$SAMPLES" --max-eval-samples 8 --max-steps "$STEPS" --no-progress "$@" 2> "$WORK/log-$label"
  /usr/bin/python3 -c '
import json, statistics, sys
rates = [r["tokens_per_s"] for r in map(json.loads, open(sys.argv[1])) if r["type"] == "train"][1:]
print(f"{statistics.median(rates):.0f} {int(open(sys.argv[2]).read().split()[-1]) / 1024:.0f}")' \
    "$out/metrics.jsonl" "$WORK/rss-$label"
}
peer() {  # threads
  env "${ENVV[@]}" /usr/bin/python3 "$SRC/bench/sft_peer.py" --config "$CONFIG" --samples "$WORK/samples.jsonl" \
    --batch "$BATCH" --micro-batch "$MICRO" --steps "$STEPS" --threads "$1" --pad "$PAD" |
    /usr/bin/python3 -c 'import json,sys; r=json.loads(sys.stdin.read()); print("%.0f %.0f" % (r["tokens_per_s"], r["peak_rss_mb"]))'
}

ENVV=(OMP_WAIT_POLICY=PASSIVE)
read -r r11 m11 < <(ours o11 --nproc 1 --threads 1 --save-samples "$WORK/samples.jsonl")
PAD=$(/usr/bin/python3 -c "
import json
for t in json.load(open('$TOK'))['added_tokens']:
    if t['content'] == '<|im_end|>': print(t['id'])")
echo "model $(basename "$CONFIG"), $(wc -l < "$WORK/samples.jsonl") Stage 1 samples, global batch $BATCH, micro-batch $MICRO, $STEPS steps"
grep -E "^model" "$WORK/log-o11" || true
printf "%-44s %12s %10s\n" "run" "tokens/s" "peak MB"
ENVV=(OMP_WAIT_POLICY=PASSIVE)
printf "%-44s %12s %10s\n" "ours 1 process x 1 thread (PASSIVE)" "$r11" "$m11"
read -r r m < <(peer 1); printf "%-44s %12s %10s\n" "pytorch eager 1 thread (PASSIVE)" "$r" "$m"
read -r r m < <(ours o21 --nproc 2 --threads 1); printf "%-44s %12s %10s\n" "ours 2 ranks x 1 thread (PASSIVE)" "$r" "$m/rank"
read -r r m < <(ours o12 --nproc 1 --threads 2); printf "%-44s %12s %10s\n" "ours 1 process x 2 threads (PASSIVE)" "$r" "$m"
read -r r m < <(peer 2); printf "%-44s %12s %10s\n" "pytorch eager 2 threads (PASSIVE)" "$r" "$m"
ENVV=(OMP_WAIT_POLICY=ACTIVE)
read -r r m < <(ours o12a --nproc 1 --threads 2); printf "%-44s %12s %10s\n" "ours 1 process x 2 threads (ACTIVE)" "$r" "$m"
if [ -n "${FULL:-}" ]; then
  read -r r m < <(peer 2); printf "%-44s %12s %10s\n" "pytorch eager 2 threads (ACTIVE)" "$r" "$m"
fi
