#!/usr/bin/env bash
# One SIDReasoner GRPO step, C++ against a PyTorch-eager peer doing the same work on the same checkpoint
# (bench/rl_peer.py replays the C++ run's rollouts HF-style, then the same reference pass and update):
#   bench/rl_bench.sh [binary]     env: HIDDEN (64), LAYERS (2), STEPS (3), PROMPTS (4), GROUP (16), NEW (64)
# Both run on one thread, so wall time is CPU time; the report is ratios (peer time / ours) per phase:
# rollout tokens/s, reference log-probs, update, whole step. Timings on a loaded machine are not results.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
export SIDR_BIN=${1:-$here/build/sidreasoner}
export SIDR_SOURCE_DIR=$here
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
bash "$here/tests/eval/make_tiny_checkpoint.sh" "$TMP/model" "${HIDDEN:-64}" "${LAYERS:-2}" 400 0.02
"$SIDR_BIN" rl --algo sidreasoner --model "$TMP/model" --data "$here/data/Amazon" \
  --dataset Industrial_and_Scientific --max-rows 64 --prompts "${PROMPTS:-4}" --group "${GROUP:-16}" \
  --max-new-tokens "${NEW:-64}" --steps "${STEPS:-3}" --lr 1e-5 --threads 1 --no-progress --save-steps 1000 \
  --out "$TMP/run" --dump-rollouts "$TMP/rollouts.jsonl" 2> "$TMP/run.log"
pad=$(/usr/bin/python3 -c "
import json; t = json.load(open('$TMP/model/tokenizer.json'))
print(next(a['id'] for a in t['added_tokens'] if a['content'] == '<|im_end|>'))")
/usr/bin/python3 "$here/bench/rl_peer.py" --model "$TMP/model" --rollouts "$TMP/rollouts.jsonl" --pad "$pad" \
  --threads 1 > "$TMP/peer.json"
/usr/bin/python3 - "$TMP/run/metrics.jsonl" "$TMP/peer.json" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
train = [r for r in rows if r["type"] == "train"]
ours = {k: sum(r[k] for r in train) for k in ("rollout_s", "reference_s", "update_s")}
tokens = sum(r["completion_length"] * r["completions"] for r in train)
peer = json.load(open(sys.argv[2]))
assert peer["steps"] == len(train) and abs(peer["generated_tokens"] - tokens) < 0.5, (peer, tokens)
ours_step = sum(ours.values())
peer_step = peer["rollout_s"] + peer["reference_s"] + peer["update_s"]
print(f"{len(train)} steps, {tokens:.0f} completion tokens")
print(f"rollout tokens/s: ours {tokens / ours['rollout_s']:.0f}, peer {tokens / peer['rollout_s']:.0f}, "
      f"ratio {peer['rollout_s'] / ours['rollout_s']:.2f}x")
for k in ("reference_s", "update_s"):
    print(f"{k[:-2]}: ours {ours[k]:.3f} s, peer {peer[k]:.3f} s, ratio {peer[k] / ours[k]:.2f}x")
print(f"whole step: ours {ours_step / len(train):.3f} s, peer {peer_step / len(train):.3f} s, "
      f"ratio {peer_step / ours_step:.2f}x")
print(f"ours split: rollout {ours['rollout_s'] / ours_step:.0%}, reference {ours['reference_s'] / ours_step:.0%}, "
      f"update {ours['update_s'] / ours_step:.0%}")
PY
