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
head -c 300 "$tmp/m/model.safetensors" > "$tmp/cut" && mv "$tmp/cut" "$tmp/m/model.safetensors"
expect 2 "model.safetensors.*(truncated|header)" -- "$SIDR_BIN" score --model "$tmp/m" --ids "1 2"
expect 2 "not a checkpoint directory" -- "$SIDR_BIN" score --model "$tmp/none" --ids "1 2"
exit $fail
