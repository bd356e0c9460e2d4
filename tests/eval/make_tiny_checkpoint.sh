#!/usr/bin/env bash
# Builds a random checkpoint with a tokenizer holding the shipped dataset's SID tokens:
#   make_tiny_checkpoint.sh OUT_DIR [hidden] [layers] [bpe_vocab] [init_range]
# BPE trained on catalog titles, SID tokens added in the reference order, a Qwen3 of the given width.
set -euo pipefail
bin=${SIDR_BIN:?}
src=${SIDR_SOURCE_DIR:?}
out=$1
hidden=${2:-32}
layers=${3:-2}
bpe_vocab=${4:-400}
init_range=${5:-0.5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
data=$src/data/Amazon
head -n 300 "$data/info/Industrial_and_Scientific_5_2016-10-2018-11.txt" | cut -f2 > "$work/corpus.txt"
"$bin" tokenizer train --corpus "$work/corpus.txt" --vocab-size "$bpe_vocab" --out "$work/tok0" > /dev/null
"$bin" tokenizer add-sid-tokens --tokenizer "$work/tok0" --sid-index "$data/index/Industrial_and_Scientific.index.json" \
  --out "$work/tok" > /dev/null
size=$("${SIDR_PYTHON:-/usr/bin/python3}" -c "
import json; t = json.load(open('$work/tok/tokenizer.json'))
print(max([a['id'] for a in t['added_tokens']] + list(t['model']['vocab'].values())) + 1)")
heads=4
cat > "$work/config.json" <<JSON
{"model_type": "qwen3", "vocab_size": $size, "hidden_size": $hidden, "intermediate_size": $((hidden * 3)),
 "num_hidden_layers": $layers, "num_attention_heads": $heads, "num_key_value_heads": 2,
 "head_dim": $((hidden / heads)), "rms_norm_eps": 1e-06, "rope_theta": 10000, "initializer_range": $init_range,
 "max_position_embeddings": 4096, "tie_word_embeddings": true, "attention_bias": false, "torch_dtype": "float32"}
JSON
"$bin" model init --config "$work/config.json" --out "$out" --seed 1 > /dev/null
cp "$work/tok/tokenizer.json" "$work/tok/tokenizer_config.json" "$out/"
