#!/bin/bash
# `sidreasoner rl` end to end on a tiny random checkpoint over the shipped data: both algorithms run and log every
# metric; kill -9 in the middle and --resume give byte-identical weights and the same metrics; `rl reward` prints
# the step rule's values; bad options are one-line errors with exit code 2.
set -euo pipefail
: "${SIDR_BIN:?}" "${SIDR_SOURCE_DIR:?}"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
# The 5-item fixture: beams of 4 over 5 SIDs hit often, so the ranking reward gives real gradients.
DATA="$SIDR_SOURCE_DIR/tests/fixtures/tasks/Amazon"
DS=Office_Products
cat "$DATA"/index/$DS.item.json "$DATA"/train/*.csv > "$TMP/corpus.txt"
"$SIDR_BIN" tokenizer train --corpus "$TMP/corpus.txt" --vocab-size 400 --out "$TMP/tok0" > /dev/null
"$SIDR_BIN" tokenizer add-sid-tokens --tokenizer "$TMP/tok0" --sid-index "$DATA/index/$DS.index.json" \
  --out "$TMP/tok" > /dev/null
size=$(/usr/bin/python3 -c "
import json; t = json.load(open('$TMP/tok/tokenizer.json'))
print(max([a['id'] for a in t['added_tokens']] + list(t['model']['vocab'].values())) + 1)")
cat > "$TMP/config.json" <<JSON
{"model_type": "qwen3", "vocab_size": $size, "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2,
 "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 8, "rms_norm_eps": 1e-06, "rope_theta": 10000,
 "initializer_range": 0.2, "max_position_embeddings": 4096, "tie_word_embeddings": true, "torch_dtype": "float32",
 "sidr_dropout": 0.3}
JSON
# With dropout (as the presets' models have): RL runs without it (a reference forward with dropout made the first
# KL non-zero and a resumed run differ from an uninterrupted one).
"$SIDR_BIN" model init --config "$TMP/config.json" --out "$TMP/model" --seed 1 > /dev/null
cp "$TMP/tok/tokenizer.json" "$TMP/tok/tokenizer_config.json" "$TMP/model/"

# rl reward: the values of hand-made completions (the target: the catalog's first SID).
truth=$(head -n 1 "$DATA/info/${DS}_5_2016-10-2018-11.txt" | cut -f1)
printf '%s\n' "<think>\\nwhy\\n</think>\\n\\n$truth" "no think $truth" "</think><a_9999><b_1><c_1>" |
  "$SIDR_BIN" rl reward --data "$DATA" --dataset "$DS" --ground-truth "$truth" > "$TMP/rewards.txt"
[ "$(tr '\n' ' ' < "$TMP/rewards.txt")" = "1.1 0 0 " ] || { echo "FAIL: rl reward printed $(cat "$TMP/rewards.txt")"; exit 1; }

ARGS=(rl --algo minionerec --model "$TMP/model" --data "$DATA" --dataset "$DS" --prompts 2 --group 4
      --lr 1e-3 --threads 1 --no-progress --save-steps 2 --seed 3)
"$SIDR_BIN" "${ARGS[@]}" --steps 8 --out "$TMP/straight" 2> "$TMP/straight.log"
"$SIDR_BIN" "${ARGS[@]}" --steps 8 --out "$TMP/killed" 2> "$TMP/killed.log" &
pid=$!
for _ in $(seq 1 3000); do
  n=$(grep -c '"type":"train"' "$TMP/killed/metrics.jsonl" 2>/dev/null || true)
  [ "${n:-0}" -ge 5 ] && break
  sleep 0.01
done
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
[ ! -e "$TMP/killed/final_checkpoint" ] || { echo "FAIL: the run finished before the kill"; exit 1; }
echo "killed after $(grep -c '"type":"train"' "$TMP/killed/metrics.jsonl") steps; checkpoints: $(ls "$TMP/killed/checkpoints" | tr '\n' ' ')"
"$SIDR_BIN" "${ARGS[@]}" --steps 8 --out "$TMP/killed" --resume 2> "$TMP/resumed.log"
cmp "$TMP/straight/final_checkpoint/model.safetensors" "$TMP/killed/final_checkpoint/model.safetensors" ||
  { echo "FAIL: the resumed run's weights differ"; exit 1; }
/usr/bin/python3 - "$TMP/straight/metrics.jsonl" "$TMP/killed/metrics.jsonl" <<'PY'
import json, sys
timing = {"rollout_s", "reference_s", "update_s", "rollout_tokens_per_s"}
def load(p):
    return [{k: v for k, v in json.loads(l).items() if k not in timing} for l in open(p)]
a, b = load(sys.argv[1]), load(sys.argv[2])
if a != b:
    sys.exit(f"FAIL: metrics differ ({len(a)} vs {len(b)} records)")
train = [r for r in a if r["type"] == "train"]
assert len(train) == 8, len(train)
for key in ("reward_mean", "reward_std", "kl", "entropy", "completion_length", "valid_sid_share",
            "distinct_per_group", "loss", "grad_norm", "lr"):
    assert all(key in r for r in train), key
# Beams through the trie: every completion a distinct catalog SID.
assert all(r["valid_sid_share"] == 1.0 and r["distinct_per_group"] == 1.0 for r in train), train[0]
assert train[0]["kl"] == 0.0 and train[-1]["kl"] > 1e-6, (train[0]["kl"], train[-1]["kl"])
# Hits and misses in the groups: the ranking reward moved the weights (not only the weight decay).
assert any(r["reward_std"] > 0 for r in train) and any(r["grad_norm"] > 0 for r in train), train
PY
echo "ok: kill -9 + --resume = uninterrupted (weights byte for byte, metrics)"

# Two c10d ranks (prompts split, gradients all-reduced) = one rank, to float rounding.
DDP=(rl --algo minionerec --model "$TMP/model" --data "$DATA" --dataset "$DS" --prompts 2 --group 4 --lr 1e-3
     --steps 3 --threads 1 --no-progress)
"$SIDR_BIN" "${DDP[@]}" --nproc 1 --out "$TMP/one" 2> "$TMP/one.log" || { echo "FAIL: rl --nproc 1"; cat "$TMP/one.log"; exit 1; }
"$SIDR_BIN" "${DDP[@]}" --nproc 2 --out "$TMP/two" 2> "$TMP/two.log" || { echo "FAIL: rl --nproc 2"; cat "$TMP/two.log"; exit 1; }
/usr/bin/python3 - "$TMP/one/final_checkpoint/model.safetensors" "$TMP/two/final_checkpoint/model.safetensors" <<'PY'
import sys
sys.path.insert(0, __import__("os").environ["SIDR_SOURCE_DIR"] + "/tests/python")
from torch_peer import read_safetensors
a, b = read_safetensors(sys.argv[1]), read_safetensors(sys.argv[2])
start = read_safetensors(__import__("os").path.dirname(sys.argv[1]) + "/../../model/model.safetensors")
diff = max((a[k] - b[k]).abs().max().item() for k in a)
moved = max((a[k] - start[k]).abs().max().item() for k in a)
print(f"2 ranks vs 1: max weight difference {diff:.2e} (the weights moved by {moved:.2e})")
assert diff < 1e-5 and moved > 1e-4, (diff, moved)
PY

# The sasrec reward: 5 beams over the fixture's 4 distinct SIDs (items 2 and 3 share one; the last item wins)
# score every SID once, so the rewards of a group are SASRec's log-probabilities of 4 of the 5 items: their
# exponentials sum to 1 less item 2's share (strictly between 0 and 1), and they are not all equal.
"$SIDR_BIN" baseline sasrec --data "$DATA" --dataset "$DS" --epochs 2 --no-progress --out "$TMP/sasrec" > /dev/null
"$SIDR_BIN" rl --algo minionerec --model "$TMP/model" --data "$DATA" --dataset "$DS" --prompts 2 --group 5 \
  --reward sasrec --sasrec "$TMP/sasrec" --steps 2 --threads 1 --no-progress --out "$TMP/sr-sasrec" \
  --dump-rollouts "$TMP/sasrec-rollouts.jsonl" 2> "$TMP/sasrec.log"
/usr/bin/python3 - "$TMP/sasrec-rollouts.jsonl" <<'PY'
import json, math, sys
for line in open(sys.argv[1]):
    step = json.loads(line)
    at = 0
    for g in step["group_sizes"]:
        assert g == 4, step["group_sizes"]
        rewards = step["rewards"][at:at + g]
        total = sum(math.exp(r) for r in rewards)
        assert 0 < total < 1 - 1e-6 and max(rewards) < 0 and max(rewards) > min(rewards), rewards
        at += g
print("ok: sasrec rewards are SASRec's log-probabilities of the catalog")
PY

# SIDReasoner: sampled reasoning rollouts, step rule, greedy validation.
"$SIDR_BIN" rl --algo sidreasoner --model "$TMP/model" --data "$DATA" --dataset "$DS" --prompts 2 \
  --group 4 --max-new-tokens 12 --steps 2 --eval-rows 1 --threads 1 --no-progress --out "$TMP/sr" 2> "$TMP/sr.log"
# Validation before the first step and after the last (--eval-steps 0).
[ "$(grep -c '"type":"eval"' "$TMP/sr/metrics.jsonl")" = 2 ] || { echo "FAIL: not 2 validation records"; exit 1; }
[ "$(grep -c '"type":"train"' "$TMP/sr/metrics.jsonl")" = 2 ] || { echo "FAIL: not 2 train records"; exit 1; }
[ -f "$TMP/sr/final_checkpoint/tokenizer.json" ] || { echo "FAIL: final_checkpoint lacks the tokenizer"; exit 1; }
# The model has dropout; RL runs without it: before the first update the policy is the reference, KL exactly 0
# (with dropout in the policy's forward it was ~0.02 on the reason preset's model).
# No validation here: it once left the policy in eval mode, which hid the dropout of a run without it.
"$SIDR_BIN" rl --algo sidreasoner --model "$TMP/model" --data "$DATA" --dataset "$DS" --prompts 2 \
  --group 4 --max-new-tokens 12 --steps 1 --threads 1 --no-progress --out "$TMP/sr-noval" 2> "$TMP/sr-noval.log"
/usr/bin/python3 - "$TMP/sr-noval/metrics.jsonl" <<'PY' || { echo "FAIL: the first SIDReasoner step's KL is not 0"; exit 1; }
import json, sys
train = [r for r in map(json.loads, open(sys.argv[1])) if r["type"] == "train"]
assert len(train) == 1 and train[0]["kl"] == 0.0, train
PY

# Bad options: one line, exit 2, nothing written.
for bad in "--algo ppo" "--reward cosine" "--rollout greedy" "--group 0" "--prompts 0"; do
  set +e
  # shellcheck disable=SC2086
  "$SIDR_BIN" rl --model "$TMP/model" --data "$DATA" --dataset "$DS" --out "$TMP/bad" $bad 2> "$TMP/err.txt"
  code=$?
  set -e
  [ "$code" = 2 ] || { echo "FAIL: $bad exited $code"; cat "$TMP/err.txt"; exit 1; }
  [ "$(wc -l < "$TMP/err.txt")" = 1 ] || { echo "FAIL: $bad printed more than one line"; cat "$TMP/err.txt"; exit 1; }
  [ ! -e "$TMP/bad" ] || { echo "FAIL: $bad wrote $TMP/bad"; exit 1; }
done
echo "ok"
