#!/bin/bash
# Data parallel: 2 local ranks (Gloo over loopback, 1 thread each) reach the weights of 1 process with the same global
# batch, and report the same losses.
source "$(dirname "$0")/sft_common.sh"
ARGS=("${SFT_ARGS[@]}" --epochs 2 --batch 8 --micro-batch 2)

"$SIDR_BIN" "${ARGS[@]}" --nproc 1 --out "$TMP/one" 2> "$TMP/one.log"
"$SIDR_BIN" "${ARGS[@]}" --nproc 2 --out "$TMP/two" 2> "$TMP/two.log"
grep -q "2 rank(s)" "$TMP/two.log" || { echo "FAIL: the 2-rank run did not run 2 ranks"; cat "$TMP/two.log"; exit 1; }
diff=$(max_weight_diff "$TMP/one/final_checkpoint/model.safetensors" "$TMP/two/final_checkpoint/model.safetensors")
echo "max |weight difference| 1 rank vs 2 ranks: $diff"
/usr/bin/python3 - "$diff" "$TMP/one/metrics.jsonl" "$TMP/two/metrics.jsonl" <<'PY'
import json, sys
if not float(sys.argv[1]) <= 1e-5:
    sys.exit(f"FAIL: weights differ by {sys.argv[1]}")
a = [json.loads(l) for l in open(sys.argv[2])]
b = [json.loads(l) for l in open(sys.argv[3])]
assert len(a) == len(b) and len(a) > 2, (len(a), len(b))
for x, y in zip(a, b):
    for key in ("loss", "valid_loss", "title2sid_loss", "grad_norm"):
        if key in x and abs(x[key] - y[key]) > 1e-4 * max(1.0, abs(x[key])):
            sys.exit(f"FAIL: {key} differs at step {x['step']}: {x[key]} vs {y[key]}")
    assert x.get("label_tokens") == y.get("label_tokens")
print("ok: 2 ranks == 1 rank")
PY
