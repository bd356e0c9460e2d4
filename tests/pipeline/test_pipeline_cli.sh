#!/usr/bin/env bash
# `sidreasoner pipeline`: dry runs list the stage commands; bad presets, overrides and stages exit 2 with one
# line and leave no run directory behind.
set -euo pipefail
: "${SIDR_BIN:?}" "${SIDR_SOURCE_DIR:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$SIDR_SOURCE_DIR"

"$SIDR_BIN" pipeline --preset quick --out "$tmp/run" --dry-run 2> "$tmp/err"
for stage in data_check tokenizer stage1 sasrec_ce eval_valid eval_test; do
  grep -q "pipeline: stage $stage" "$tmp/err" || { echo "FAIL: dry run lacks stage $stage"; cat "$tmp/err"; exit 1; }
done
grep -q -- "--limit 1000" "$tmp/err" || { echo "FAIL: eval_valid override not applied"; exit 1; }
[ ! -e "$tmp/run" ] || { echo "FAIL: a dry run wrote the run directory"; exit 1; }

# The reasoning preset (with an RL stage added) parses every stage's command: the flags of synthesize, sft
# --stage 2, rl and evaluate's think modes exist (--check-args runs before a dry run lists anything).
"$SIDR_BIN" pipeline --preset reason --set 'rl={"algo": "sidreasoner", "steps": 2}' --out "$tmp/reason" --dry-run \
  2> "$tmp/err"
for stage in synthesize tokenizer stage1 stage2 rl eval_valid eval_valid_think eval_test_think_marginalised \
  eval_test_oracle eval_test_before_rl; do
  grep -q "pipeline: stage $stage\$" "$tmp/err" || { echo "FAIL: reason dry run lacks stage $stage"; cat "$tmp/err"; exit 1; }
done
[ ! -e "$tmp/reason" ] || { echo "FAIL: a dry run wrote the run directory"; exit 1; }

expect_error() {  # pattern, args...
  local pattern="$1"; shift
  set +e
  "$SIDR_BIN" pipeline "$@" > "$tmp/out" 2> "$tmp/err"
  local code=$?
  set -e
  if [ "$code" -ne 2 ] || [ "$(wc -l < "$tmp/err")" -ne 1 ] || ! grep -q -- "$pattern" "$tmp/err"; then
    echo "FAIL: pipeline $* -> exit $code, stderr:"; cat "$tmp/err"; exit 1
  fi
}
expect_error "preset 'no-such' not found" --preset no-such --out "$tmp/a"
expect_error "needs a local base model" --preset qwen3-1.7b --out "$tmp/a"
expect_error "expected KEY=VALUE" --preset quick --set nonsense --out "$tmp/a"
expect_error "unknown stage 'bogus'" --preset quick --from bogus --out "$tmp/a" --dry-run
expect_error "config 'fusion.weight' must be between 0 and 1 (exclusive), got 2" --preset cpu --set fusion.weight=2 --out "$tmp/a" --dry-run
expect_error "config 'fusion.mix' must be mean or product, got \"geometric\"" --preset cpu --set fusion.mix=geometric \
  --out "$tmp/a" --dry-run
expect_error "config 'eval.parts': expected a list of \"lm\" and \"single\", got \"lm\"" --preset cpu \
  --set eval.parts=lm --out "$tmp/a" --dry-run
expect_error "seed 7 repeats a member's seed" --preset cpu --set 'ensemble={"seeds": [7, 7]}' --out "$tmp/a" --dry-run
# A typo in a preset key or an override fails before the first stage runs: every stage's command is parsed first.
expect_error "stage stage1's command does not parse: sidreasoner sft" --preset quick --set sft.epochz=2 --out "$tmp/a"
expect_error "stage eval_valid.s command does not parse: .*(Could not convert: --beams = ten)" --preset quick --set eval.beams=ten --out "$tmp/a"
echo '{"name": "broken", "tokenizer": {}}' > "$tmp/broken.json"
expect_error "field 'model': missing or not an object" --preset "$tmp/broken.json" --out "$tmp/a"
[ ! -e "$tmp/a" ] || { echo "FAIL: a run directory was created for bad input"; exit 1; }
echo "ok: pipeline CLI"
