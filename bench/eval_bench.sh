#!/usr/bin/env bash
# Plain-mode evaluation speed: ours (sidreasoner evaluate: prompt once, cache expanded to the beams, trie
# constraint) vs the reference's algorithm in python3-torch (tests/eval/hf_style_eval.py: HF beam search with
# each prompt run B times, a per-row dict constraint, eager forward with a KV cache), same model, same prompts,
# same machine, same thread count, in this one script.
#
# Usage: bench/eval_bench.sh [OUR_LIMIT=0 (all 4,533 test users)] [PY_LIMIT=48] [THREADS=1]
# Env: SIDR_BIN (default build/sidreasoner). Model: a random Qwen3 of hidden 256, 4 layers (qwen3-3m shape) with a
# 2,000-token BPE + the 560 SID tokens. Prints a JSON summary (users/s, peak memory, ratio, think-mode rate).
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
export SIDR_SOURCE_DIR=$src
export SIDR_BIN=${SIDR_BIN:-$src/build/sidreasoner}
our_limit=${1:-0}
py_limit=${2:-48}
threads=${3:-1}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
data=$src/data/Amazon
ds=Industrial_and_Scientific

bash "$src/tests/eval/make_tiny_checkpoint.sh" "$tmp/model" 256 4 2000 0.02
common=(--model "$tmp/model" --data "$data" --dataset $ds --beams 10 --quiet --threads "$threads")

"$SIDR_BIN" evaluate "${common[@]}" --limit "$our_limit" --batch-size 16 --with-prompt-ids --out "$tmp/ours" > /dev/null
"$SIDR_BIN" evaluate "${common[@]}" --limit "$py_limit" --batch-size 8 --out "$tmp/ours_b8" > /dev/null
/usr/bin/python3 "$src/tests/eval/hf_style_eval.py" --model "$tmp/model" --prompts "$tmp/ours/predictions.json" \
  --catalog "$data/index/$ds.index.json" --beams 10 --limit "$py_limit" --batch-size 8 --threads "$threads" \
  --out "$tmp/py.json"
"$SIDR_BIN" evaluate "${common[@]}" --limit 16 --batch-size 8 --mode think --think-tokens 128 --out "$tmp/think" \
  > /dev/null

/usr/bin/python3 - "$tmp" <<'PY'
import json, sys
tmp = sys.argv[1]
ours = json.load(open(f"{tmp}/ours/metrics.json"))
ours8 = json.load(open(f"{tmp}/ours_b8/metrics.json"))
py = json.load(open(f"{tmp}/py.json"))
think = json.load(open(f"{tmp}/think/metrics.json"))
preds = json.load(open(f"{tmp}/ours/predictions.json"))
same = sum(p["predict"] == r["predict"] for p, r in zip(preds, py["rows"]))
print(json.dumps({
    "users_ours": ours["rows"], "ours_users_per_second": round(ours["users_per_second"], 2),
    "ours_seconds": round(ours["seconds"], 1), "ours_peak_memory_mib": round(ours["peak_memory_mib"]),
    "ours_batch8_users_per_second": round(ours8["users_per_second"], 2),
    "users_python": len(py["rows"]), "python_users_per_second": round(py["users_per_second"], 3),
    "python_peak_memory_mib": round(py["peak_memory_mib"]),
    "python_extrapolated_seconds_for_4533": round(4533 / py["users_per_second"]),
    "speedup": round(ours["users_per_second"] / py["users_per_second"], 1),
    "speedup_same_batch_8": round(ours8["users_per_second"] / py["users_per_second"], 1),
    "identical_prediction_lists": f"{same}/{len(py['rows'])}",
    "think_users_per_second_128_tokens": round(think["users_per_second"], 3),
    "think_mean_thought_tokens": think["mean_thought_tokens"],
    "threads": ours["threads"],
}, indent=2))
PY
