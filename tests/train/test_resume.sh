#!/bin/bash
# kill -9 in the middle of an epoch, --resume, and compare with an uninterrupted run: the same weights (bit for bit,
# one thread) and the same metrics.jsonl apart from the timings.
source "$(dirname "$0")/sft_common.sh"
ARGS=("${SFT_ARGS[@]}" --epochs 4 --batch 4 --micro-batch 2 --save-steps 2 --nproc 1)

"$SIDR_BIN" "${ARGS[@]}" --out "$TMP/straight" 2> "$TMP/straight.log"
steps=$(grep -c '"type":"train"' "$TMP/straight/metrics.jsonl")
echo "uninterrupted run: $steps steps"
[ "$steps" -ge 12 ] || { echo "FAIL: too few steps ($steps) to kill a run in the middle"; exit 1; }

"$SIDR_BIN" "${ARGS[@]}" --out "$TMP/killed" 2> "$TMP/killed.log" &
pid=$!
target=$((steps / 2 + 1))
for _ in $(seq 1 3000); do
  n=$(grep -c '"type":"train"' "$TMP/killed/metrics.jsonl" 2>/dev/null || true)
  [ "${n:-0}" -ge "$target" ] && break
  sleep 0.01
done
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
[ ! -e "$TMP/killed/final_checkpoint" ] || { echo "FAIL: the run finished before the kill"; exit 1; }
done_steps=$(grep -c '"type":"train"' "$TMP/killed/metrics.jsonl")
echo "killed after $done_steps of $steps steps; checkpoints: $(ls "$TMP/killed/checkpoints" | tr '\n' ' ')"
[ "$done_steps" -lt "$steps" ] || { echo "FAIL: nothing left to resume"; exit 1; }

"$SIDR_BIN" "${ARGS[@]}" --out "$TMP/killed" --resume 2> "$TMP/resumed.log"
cmp "$TMP/straight/final_checkpoint/model.safetensors" "$TMP/killed/final_checkpoint/model.safetensors" ||
  { echo "FAIL: resumed weights differ: max diff $(max_weight_diff "$TMP/straight/final_checkpoint/model.safetensors" "$TMP/killed/final_checkpoint/model.safetensors")"; exit 1; }
/usr/bin/python3 - "$TMP/straight/metrics.jsonl" "$TMP/killed/metrics.jsonl" <<'PY'
import json, sys
def load(p):
    rows = [json.loads(l) for l in open(p)]
    for r in rows:
        r.pop("tokens_per_s", None)
    return rows
a, b = load(sys.argv[1]), load(sys.argv[2])
if a != b:
    sys.exit(f"FAIL: metrics differ ({len(a)} vs {len(b)} records)")
PY
for f in config.json tokenizer.json tokenizer_config.json generation_config.json; do
  [ -f "$TMP/killed/final_checkpoint/$f" ] || { echo "FAIL: final_checkpoint lacks $f"; exit 1; }
done
echo "ok: resumed run equals the uninterrupted run"
