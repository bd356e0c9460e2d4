#!/bin/bash
# CLI edges of the model commands: bad input gives one line and exit code 2, nothing half-written.
set -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
expect() {  # expect CODE PATTERN -- command...
  local code=$1 pattern=$2
  shift 3
  out=$("$@" 2>&1)
  got=$?
  if [[ $got -ne $code || ! "$out" =~ $pattern ]]; then
    echo "FAIL: $* -> exit $got, output: $out (wanted exit $code matching '$pattern')"
    fail=1
  else
    echo "ok   $*"
  fi
}
cfg="$SIDR_SOURCE_DIR/configs/models/qwen3-3m.json"
sed -e 's/"hidden_size": 256/"hidden_size": 32/' -e 's/"intermediate_size": 768/"intermediate_size": 48/' \
  -e 's/"head_dim": 64/"head_dim": 8/' "$cfg" > "$tmp/tiny.json"
expect 0 "wrote" -- "$SIDR_BIN" model init --config "$tmp/tiny.json" --out "$tmp/m" --vocab-size 40
expect 0 "^[0-9 ]+$" -- "$SIDR_BIN" generate --model "$tmp/m" --ids "1 2 3" --max-new-tokens 3 --temperature 0.8 --top-k 5 --seed 1
lines=$("$SIDR_BIN" score --model "$tmp/m" --ids "1 2 3 4" | wc -l)
[[ $lines -eq 3 ]] || { echo "FAIL: score printed $lines lines, wanted 3"; fail=1; }
expect 2 "token id 40 is outside" -- "$SIDR_BIN" score --model "$tmp/m" --ids "1 40"
expect 2 "'x' is not a token id" -- "$SIDR_BIN" generate --model "$tmp/m" --ids "1 x"
expect 2 "hidden_size" -- bash -c "sed '/hidden_size/d' '$tmp/tiny.json' > '$tmp/bad.json'; '$SIDR_BIN' model init --config '$tmp/bad.json' --out '$tmp/bad'"
[[ ! -e "$tmp/bad" ]] || { echo "FAIL: a failed init left $tmp/bad"; fail=1; }
expect 2 "unknown device 'tpu'" -- "$SIDR_BIN" score --model "$tmp/m" --ids "1 2" --device tpu
# Text mode: --prompt encodes with DIR/tokenizer.json and decodes the output; it must agree with the id path
# through `tokenizer encode` / `generate --ids` / `tokenizer decode`.
for i in $(seq 1 40); do echo "the quick brown fox $i jumps over the lazy dog number $((i * 7))"; done > "$tmp/corpus.txt"
"$SIDR_BIN" tokenizer train --corpus "$tmp/corpus.txt" --vocab-size 300 --out "$tmp/tok" > /dev/null || { echo "FAIL: tokenizer train"; fail=1; }
"$SIDR_BIN" model init --config "$tmp/tiny.json" --out "$tmp/t" --vocab-size 300 > /dev/null
cp "$tmp/tok/"* "$tmp/t/"
ids=$(echo "the quick brown" | "$SIDR_BIN" tokenizer encode --tokenizer "$tmp/t/tokenizer.json")
out_ids=$("$SIDR_BIN" generate --model "$tmp/t" --ids "$ids" --max-new-tokens 5 --no-stop)
want=$(echo "$out_ids" | "$SIDR_BIN" tokenizer decode --tokenizer "$tmp/t/tokenizer.json")
got=$("$SIDR_BIN" generate --model "$tmp/t" --prompt "the quick brown" --max-new-tokens 5 --no-stop)
if [[ -z "$ids" || "$got" != "$want" ]]; then echo "FAIL: --prompt gave '$got', id path gave '$want' (ids '$ids')"; fail=1; else echo "ok   generate --prompt == encode/generate --ids/decode ('$got')"; fi
expect 2 "tokenizer.json not found" -- "$SIDR_BIN" generate --model "$tmp/m" --prompt "hi"
expect 2 "exactly one of --ids and --prompt" -- "$SIDR_BIN" generate --model "$tmp/t" --prompt "hi" --ids "1"

head -c 300 "$tmp/m/model.safetensors" > "$tmp/cut" && mv "$tmp/cut" "$tmp/m/model.safetensors"
expect 2 "model.safetensors.*(truncated|header)" -- "$SIDR_BIN" score --model "$tmp/m" --ids "1 2"
expect 2 "not a checkpoint directory" -- "$SIDR_BIN" score --model "$tmp/none" --ids "1 2"
exit $fail
