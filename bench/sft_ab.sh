#!/bin/bash
# Before/after training speed of two builds in one script run: the Stage 1 run of bench/sft_bench.sh (same data,
# tokenizer, model, batches; 1 process x 1 thread), alternating the binaries (A, B, A, B, ...) so that load on a
# shared machine hits both alike. Prints each run's median tokens/s (steps after the first) and whether the two
# binaries logged the same per-step numbers and saved the same weights (a refactor must not change them).
# Usage: bench/sft_ab.sh OLD_BIN NEW_BIN ; env: ROUNDS (default 3), CONFIG, STEPS, BATCH, MICRO, SAMPLES, THREADS.
set -euo pipefail
SRC="$(cd "$(dirname "$0")/.." && pwd)"
OLD="$1"
NEW="$2"
ROUNDS="${ROUNDS:-3}"
CONFIG="${CONFIG:-$SRC/configs/models/qwen3-3m.json}"
STEPS="${STEPS:-6}"
BATCH="${BATCH:-32}"
MICRO="${MICRO:-8}"
SAMPLES="${SAMPLES:-1024}"
THREADS="${THREADS:-1}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
DATA="$SRC/data/Amazon"
NAME=Industrial_and_Scientific

head -c 3000000 "$DATA/index/$NAME.item.json" > "$WORK/corpus.txt"
"$OLD" tokenizer train --corpus "$WORK/corpus.txt" --vocab-size 4096 --out "$WORK/tok" > /dev/null
TOK="$WORK/tok/tokenizer.json"

run() {  # label binary
  local out="$WORK/run-$1"
  OMP_WAIT_POLICY=PASSIVE "$2" sft --stage 1 --data "$DATA" --dataset "$NAME" --model "$CONFIG" --tokenizer "$TOK" \
    --out "$out" --epochs 1 --batch "$BATCH" --micro-batch "$MICRO" --max-samples "$SAMPLES" --max-eval-samples 8 \
    --max-steps "$STEPS" --nproc 1 --threads "$THREADS" --no-progress 2> "$WORK/log-$1"
  /usr/bin/python3 -c '
import json, statistics, sys
rates = [r["tokens_per_s"] for r in map(json.loads, open(sys.argv[1])) if r["type"] == "train"][1:]
print(f"{statistics.median(rates):.0f}")' "$out/metrics.jsonl"
}

echo "model $(basename "$CONFIG"), global batch $BATCH, micro-batch $MICRO, $STEPS steps, $THREADS thread(s), $ROUNDS rounds"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf "%-8s %-6s %10s %s\n" "round" "build" "tokens/s" "load(1m)"
for round in $(seq 1 "$ROUNDS"); do
  for build in old new; do
    bin="$OLD"; [ "$build" = new ] && bin="$NEW"
    rate=$(run "$build-$round" "$bin")
    printf "%-8s %-6s %10s %s\n" "$round" "$build" "$rate" "$(cut -d' ' -f1 /proc/loadavg)"
    echo "$build $rate" >> "$WORK/rates"
  done
done
/usr/bin/python3 - "$WORK" "$ROUNDS" <<'EOF'
import json, statistics, sys
work, rounds = sys.argv[1], int(sys.argv[2])
rates = {"old": [], "new": []}
for line in open(f"{work}/rates"):
    build, rate = line.split()
    rates[build].append(float(rate))
for build, r in rates.items():
    print(f"{build}: median {statistics.median(r):.0f} tokens/s, min {min(r):.0f}, max {max(r):.0f}")
print(f"new / old (medians): {statistics.median(rates['new']) / statistics.median(rates['old']):.3f}")
def steps(path):
    return [r for r in map(json.loads, open(path)) if r["type"] == "train"]
for key in ("grad_norm", "lr", "tokens", "label_tokens", "loss"):
    worst = max(abs(a[key] - b[key]) for i in range(1, rounds + 1)
                for a, b in zip(steps(f"{work}/run-old-{i}/metrics.jsonl"), steps(f"{work}/run-new-{i}/metrics.jsonl")))
    print(f"per-step {key}: max |old - new| {worst:.3g}")
import glob
same = all(open(glob.glob(f"{work}/run-old-{i}/checkpoints/*/weights.pt")[0], "rb").read() ==
           open(glob.glob(f"{work}/run-new-{i}/checkpoints/*/weights.pt")[0], "rb").read() for i in range(1, rounds + 1))
print(f"checkpoint weights.pt byte-identical between builds: {same}")
EOF
