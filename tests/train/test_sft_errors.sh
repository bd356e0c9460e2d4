#!/bin/bash
# Bad input to `sidreasoner sft`: exit code 2, one error line naming the option or file, no run directory left behind.
source "$(dirname "$0")/sft_common.sh"
expect_error() {  # pattern, args...
  local pattern="$1"; shift
  set +e
  "$SIDR_BIN" "$@" > "$TMP/out" 2> "$TMP/err"
  local code=$?
  set -e
  # The error is one line, the last on stderr (after progress lines when the data was already read).
  if [ "$code" -ne 2 ] || ! tail -n 1 "$TMP/err" | grep -q -- "^error: .*$pattern"; then
    echo "FAIL: sidreasoner $* -> exit $code, stderr:"; cat "$TMP/err"; exit 1
  fi
}
expect_error "option --stage" sft --stage 3 --data "$FIX" --dataset Office_Products --model "$CFG" --tokenizer "$TOK" --out "$TMP/a"
expect_error "option --model" sft --data "$FIX" --dataset Office_Products --model "$TMP/missing" --out "$TMP/a"
expect_error "option --tokenizer" sft --data "$FIX" --dataset Office_Products --model "$CFG" --out "$TMP/a"
expect_error "option --micro-batch" "${SFT_ARGS[@]}" --batch 4 --micro-batch 8 --out "$TMP/a"
expect_error "option --max-minutes" "${SFT_ARGS[@]}" --max-minutes -1 --out "$TMP/a"
expect_error "option --augment: crop must be a probability" "${SFT_ARGS[@]}" --style sequence --augment crop=2 --out "$TMP/a"
expect_error "option --augment: .*--style sequence" "${SFT_ARGS[@]}" --style compact --augment crop=0.3 --out "$TMP/a"
expect_error "option --ema" "${SFT_ARGS[@]}" --ema 1 --out "$TMP/a"
[ ! -e "$TMP/a" ] || { echo "FAIL: a run directory was created for bad options"; exit 1; }
"$SIDR_BIN" "${SFT_ARGS[@]}" --nproc 1 --batch 8 --max-steps 1 --out "$TMP/run" 2> /dev/null
expect_error "pass --resume" "${SFT_ARGS[@]}" --nproc 1 --batch 8 --out "$TMP/run"
OTHER_SEED=("${SFT_ARGS[@]}")
for i in "${!OTHER_SEED[@]}"; do [ "${OTHER_SEED[$i]}" = "--seed" ] && OTHER_SEED[$((i + 1))]=8; done
expect_error "option 'seed'" "${OTHER_SEED[@]}" --nproc 1 --batch 8 --out "$TMP/run" --resume
echo "ok: bad input gives one line and exit 2"
