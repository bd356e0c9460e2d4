# Shared setup of the sft script tests: a tokenizer trained on the fixture and a tiny model config.
# Sets: FIX (dataset root), TMP (deleted on exit), TOK (tokenizer.json), CFG (model config), SFT_ARGS.
set -euo pipefail
: "${SIDR_BIN:?}" "${SIDR_SOURCE_DIR:?}"
FIX="$SIDR_SOURCE_DIR/tests/fixtures/tasks/Amazon"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
cat "$FIX"/index/Office_Products.item.json "$FIX"/train/*.csv > "$TMP/corpus.txt"
"$SIDR_BIN" tokenizer train --corpus "$TMP/corpus.txt" --vocab-size 400 --out "$TMP/tok" > /dev/null
TOK="$TMP/tok/tokenizer.json"
CFG="$TMP/model.json"
cat > "$CFG" <<'JSON'
{"model_type": "qwen3", "vocab_size": 400, "hidden_size": 64, "intermediate_size": 128,
 "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16,
 "rms_norm_eps": 1e-6, "rope_theta": 10000.0, "initializer_range": 0.02, "max_position_embeddings": 2048,
 "tie_word_embeddings": true, "torch_dtype": "float32"}
JSON
SFT_ARGS=(sft --stage 1 --data "$FIX" --dataset Office_Products --model "$CFG" --tokenizer "$TOK"
          --lr 1e-3 --warmup 2 --seed 7 --threads 1 --no-progress)

# Max |difference| between the tensors of two model.safetensors files (an independent reader, python3-torch).
max_weight_diff() {
  "${SIDR_PYTHON:-/usr/bin/python3}" - "$1" "$2" <<'PY'
import json, struct, sys, torch
def read(path):
    raw = open(path, "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        assert info["dtype"] == "F32", info["dtype"]
        b, e = info["data_offsets"]
        out[name] = torch.frombuffer(bytearray(raw[8 + n + b:8 + n + e]), dtype=torch.float32).reshape(info["shape"])
    return out
a, b = read(sys.argv[1]), read(sys.argv[2])
assert a.keys() == b.keys(), (sorted(a), sorted(b))
print(max((a[k] - b[k]).abs().max().item() for k in a))
PY
}
