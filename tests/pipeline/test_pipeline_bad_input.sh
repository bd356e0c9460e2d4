#!/usr/bin/env bash
# `sidreasoner pipeline` at the edges (issue 22): a malformed or unknown preset key, a bad --set, an unknown
# --from stage and an --out that cannot be written exit 2 with one line naming the key, file or option, and
# leave nothing behind; SIGTERM to the pipeline reaches the running stage, which the pipeline waits for.
set -euo pipefail
: "${SIDR_BIN:?}" "${SIDR_SOURCE_DIR:?}"
tmp=$(mktemp -d)
pipeline_pid=
cleanup() {
  [ -z "$pipeline_pid" ] || kill -9 "$pipeline_pid" 2> /dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
cd "$SIDR_SOURCE_DIR"

expect_error() {  # pattern, args...
  local pattern="$1"; shift
  set +e
  "$SIDR_BIN" pipeline "$@" > "$tmp/out" 2> "$tmp/err"
  local code=$?
  set -e
  if [ "$code" -ne 2 ] || [ "$(wc -l < "$tmp/err")" -ne 1 ] || ! grep -q -- "$pattern" "$tmp/err"; then
    echo "FAIL: pipeline $* -> exit $code (want 2, one line matching: $pattern), stderr:"; cat "$tmp/err"; exit 1
  fi
}

# eval.splits of the wrong type was a json type_error with exit 1 (no key named).
expect_error "^error: config 'eval.splits': expected a list of \"train\", \"valid\" and \"test\" (each once), got \"test\"$" \
  --preset quick --set eval.splits=test --dry-run
expect_error "config 'eval.splits': .*got \[\"test\",\"tset\"\]" --preset quick --set 'eval.splits=["test","tset"]' --dry-run
expect_error "config 'eval.splits': .*got \[\"test\",\"test\"\]" --preset quick --set 'eval.splits=["test","test"]' --dry-run
# Unknown keys were ignored: a misspelt section through --set, and in a preset file.
expect_error "^error: --set 'sfft.lr=1': unknown key 'sfft' (known: " --preset quick --set sfft.lr=1 --dry-run
expect_error "^error: --set 'seed=7': unknown key 'seed'" --preset quick --set seed=7 --dry-run
expect_error "^error: --set 'model.cfg=x.json': unknown key 'model.cfg'" --preset quick --set model.cfg=x.json --dry-run
/usr/bin/python3 - "$SIDR_SOURCE_DIR/configs/presets/quick.json" "$tmp/typo.json" <<'PY'
import json, sys
preset = json.load(open(sys.argv[1]))
preset["evall"] = {"beams": 3}
json.dump(preset, open(sys.argv[2], "w"))
PY
expect_error "^error: $tmp/typo.json: field 'evall': unknown key 'evall'" --preset "$tmp/typo.json" --dry-run
# A value of the wrong type that no check names: the preset file at least, exit 2.
expect_error "^error: .*configs/presets/cpu.json with its --set overrides: a value has the wrong type" \
  --preset cpu --set 'sft.seed="x"' --dry-run
expect_error "'sft' must be an object" --preset quick --set sft=3 --dry-run

# --from of an unknown stage, without --dry-run: refused before the run directory exists.
expect_error "^error: --from: unknown stage 'nosuch'" --preset quick --from nosuch --out "$tmp/run"
[ ! -e "$tmp/run" ] || { echo "FAIL: a refused --from wrote $tmp/run"; ls -la "$tmp/run"; exit 1; }
# An --out that cannot be created: refused before any stage runs.
expect_error "^error: --out: /proc/sidr_x: cannot create anything in /proc" --preset quick --out /proc/sidr_x
touch "$tmp/file"
expect_error "^error: --out: $tmp/file: $tmp/file is not a directory" --preset quick --out "$tmp/file"

# SIGTERM: a small run on the test fixture whose stage1 trains for long; the pipeline is stopped during stage1.
fix="$SIDR_SOURCE_DIR/tests/fixtures/tasks/Amazon"
cat > "$tmp/model.json" <<'JSON'
{"model_type": "qwen3", "vocab_size": 400, "hidden_size": 32, "intermediate_size": 64,
 "num_hidden_layers": 1, "num_attention_heads": 2, "num_key_value_heads": 1, "head_dim": 16,
 "rms_norm_eps": 1e-6, "rope_theta": 10000.0, "initializer_range": 0.02, "max_position_embeddings": 2048,
 "tie_word_embeddings": true, "torch_dtype": "float32"}
JSON
cat > "$tmp/long.json" <<JSON
{"name": "long", "tokenizer": {"vocab_size": 300}, "model": {"config": "$tmp/model.json"},
 "sft": {"epochs": 1000, "batch": 4, "micro_batch": 4, "patience": 0, "max_eval_samples": 4, "lr": 0.001,
         "threads": 2, "nproc": 1},
 "eval": {"beams": 2, "limit": 2}}
JSON
"$SIDR_BIN" pipeline --preset "$tmp/long.json" --data "$fix" --dataset Office_Products --out "$tmp/long" \
  > "$tmp/long.out" 2> "$tmp/long.err" &
pipeline_pid=$!
for _ in $(seq 600); do  # until stage1 has trained a step (metrics.jsonl has a record)
  [ -s "$tmp/long/stage1/metrics.jsonl" ] && break
  kill -0 "$pipeline_pid" 2> /dev/null || { echo "FAIL: the pipeline ended early"; cat "$tmp/long.err"; exit 1; }
  sleep 0.5
done
[ -s "$tmp/long/stage1/metrics.jsonl" ] || { echo "FAIL: stage1 never trained a step"; cat "$tmp/long.err"; exit 1; }
# The stage and what runs under it (with 2 threads sft re-runs itself as one rank under its launcher).
stage_pids=$(cat /proc/"$pipeline_pid"/task/*/children)
[ -n "$stage_pids" ] || { echo "FAIL: no running stage under the pipeline"; exit 1; }
for pid in $stage_pids; do stage_pids="$stage_pids $(cat /proc/"$pid"/task/*/children 2> /dev/null || true)"; done
kill -TERM "$pipeline_pid"
set +e
wait "$pipeline_pid"
code=$?
set -e
pipeline_pid=
[ "$code" -eq 143 ] || { echo "FAIL: pipeline exit $code after SIGTERM (want 143)"; cat "$tmp/long.err"; exit 1; }
grep -q "^pipeline: stopped by signal 15 during stage stage1 (its exit code 143); rerun the same command" \
  "$tmp/long.err" || { echo "FAIL: no stop line"; cat "$tmp/long.err"; exit 1; }
for pid in $stage_pids; do
  if kill -0 "$pid" 2> /dev/null; then echo "FAIL: stage process $pid outlived the pipeline"; exit 1; fi
done
# The stage saved where it stopped (sft on SIGTERM), and the timings record the interruption.
ls -d "$tmp/long/stage1/checkpoints/step-"* > /dev/null 2>&1 ||
  { echo "FAIL: stage1 left no checkpoint"; cat "$tmp/long.err"; exit 1; }
grep -q '"status": "interrupted (signal 15, stage exit 143)"' "$tmp/long/timings.json" ||
  { echo "FAIL: timings.json does not record the interruption"; cat "$tmp/long/timings.json"; exit 1; }
# Rerunning continues stage1 from its checkpoint (--resume added; the recorded command stays the same).
"$SIDR_BIN" pipeline --preset "$tmp/long.json" --data "$fix" --dataset Office_Products --out "$tmp/long" --dry-run \
  2> "$tmp/again.err"
grep -q '^  \$ sidreasoner sft .*--resume$' "$tmp/again.err" ||
  { echo "FAIL: the rerun does not resume stage1"; cat "$tmp/again.err"; exit 1; }
echo "ok: pipeline bad input and SIGTERM"
