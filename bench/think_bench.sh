#!/usr/bin/env bash
# Think-mode decoding speed, in one run on one checkpoint: users/s of plain mode, think-reference (one greedy
# thought, continued into the SID beams), think-marginalised (K sampled thoughts, each continued into the
# beams) and a python3-torch peer doing the reference's two passes (bench/think_peer.py: HF-style greedy
# thought, then a fresh prefill and HF-style constrained beams) on the same think prompts.
# Targets (issue 17): marginalised within 6x of plain; think-reference >= 10x the peer.
#
# Usage: bench/think_bench.sh [LIMIT=64] [PY_LIMIT=16] [THINK_TOKENS=64] [THOUGHTS=5] [THREADS=1]
# Env: SIDR_BIN (default build/sidreasoner); MODEL=DIR to time a trained checkpoint instead of a random one of
# the qwen3-3m shape (hidden 256, 4 layers, 2,000-token BPE + the SID tokens). A random model never closes its
# thought, so every thought runs the whole budget (the worst case for think mode).
# Prints a JSON summary. Timing on a loaded machine means nothing: compare the ratios of one quiet run.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
export SIDR_SOURCE_DIR=$src
export SIDR_BIN=${SIDR_BIN:-$src/build/sidreasoner}
limit=${1:-64}
py_limit=${2:-16}
think_tokens=${3:-64}
thoughts=${4:-5}
threads=${5:-1}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
data=$src/data/Amazon
ds=Industrial_and_Scientific

model=${MODEL:-}
if [[ -z $model ]]; then
  bash "$src/tests/eval/make_tiny_checkpoint.sh" "$tmp/model" 256 4 2000 0.02
  model=$tmp/model
fi
common=(--model "$model" --data "$data" --dataset $ds --beams 10 --quiet --threads "$threads")
think=(--mode think --think-tokens "$think_tokens" --batch-size 4)

"$SIDR_BIN" evaluate "${common[@]}" --limit "$limit" --batch-size 8 --out "$tmp/plain" > /dev/null
"$SIDR_BIN" evaluate "${common[@]}" "${think[@]}" --limit "$limit" --with-prompt-ids --out "$tmp/ref" > /dev/null
"$SIDR_BIN" evaluate "${common[@]}" "${think[@]}" --limit "$limit" --think-decode marginalised \
  --thoughts "$thoughts" --out "$tmp/marg" > /dev/null
/usr/bin/python3 "$src/bench/think_peer.py" --model "$model" --prompts "$tmp/ref/predictions.json" \
  --catalog "$data/index/$ds.index.json" --beams 10 --think-tokens "$think_tokens" --limit "$py_limit" \
  --batch-size 4 --threads "$threads" --out "$tmp/peer.json"
# Ours on exactly the peer's users too (a rate over few users is noisier than over many).
"$SIDR_BIN" evaluate "${common[@]}" "${think[@]}" --limit "$py_limit" --out "$tmp/ref_small" > /dev/null

/usr/bin/python3 - "$tmp" <<'PY'
import json, sys
tmp = sys.argv[1]
m = {k: json.load(open(f"{tmp}/{k}/metrics.json")) for k in ["plain", "ref", "marg", "ref_small"]}
peer = json.load(open(f"{tmp}/peer.json"))
ours = json.load(open(f"{tmp}/ref_small/predictions.json"))
same = sum(o["predict"] == p["predict"] for o, p in zip(ours, peer["rows"]))
ups = {k: v["users_per_second"] for k, v in m.items()}
print(json.dumps({
    "users": m["plain"]["rows"], "peer_users": len(peer["rows"]), "threads": m["plain"]["threads"],
    "think_tokens": m["ref"]["think_tokens"], "mean_thought_tokens": m["ref"]["mean_thought_tokens"],
    "thoughts": m["marg"]["thoughts"], "mean_distinct_thoughts": m["marg"]["mean_distinct_thoughts"],
    "plain_users_per_second": round(ups["plain"], 3),
    "think_reference_users_per_second": round(ups["ref"], 3),
    "think_marginalised_users_per_second": round(ups["marg"], 3),
    "peer_two_pass_users_per_second": round(peer["users_per_second"], 4),
    "think_reference_same_users_per_second": round(ups["ref_small"], 3),
    "marginalised_slowdown_vs_plain": round(ups["plain"] / ups["marg"], 2),
    "reference_slowdown_vs_plain": round(ups["plain"] / ups["ref"], 2),
    "think_reference_speedup_vs_peer": round(ups["ref_small"] / peer["users_per_second"], 1),
    "identical_prediction_lists_vs_peer": f"{same}/{len(peer['rows'])}",
}, indent=2))
PY
