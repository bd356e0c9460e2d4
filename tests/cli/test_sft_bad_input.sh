#!/usr/bin/env bash
# `sidreasoner sft` at the edges (issue 22):
#  - a refused resume writes nothing (sft_config.json, train_options.json keep their bytes), and every
#    result-changing option is compared (max-samples, weights, style, weight-decay, max-grad-norm, ...);
#  - torch errors are one line naming the file, exit 2, no backtrace: a truncated optimizer.pt on --resume, an
#    impossible model config;
#  - an --out that cannot be created is refused before any work;
#  - a full disk while checkpointing is one line, exit 1, leaving the previous checkpoint intact;
#  - SIGTERM finishes the step, saves a checkpoint and exits 143; the run resumes from it; temporary checkpoint
#    folders a killed run left are removed by the next run.
source "$(dirname "$0")/../train/sft_common.sh"
run_pid=
trap '[ -z "$run_pid" ] || kill -9 "$run_pid" 2> /dev/null || true; rm -rf "$TMP"' EXIT

expect_error() {  # pattern, args... (the last stderr line is the error, one line, exit 2, no backtrace)
  local pattern="$1"; shift
  set +e
  "$SIDR_BIN" "$@" > "$TMP/out" 2> "$TMP/err"
  local code=$?
  set -e
  if [ "$code" -ne 2 ] || ! tail -n 1 "$TMP/err" | grep -q -- "$pattern" || grep -q "frame #\|Exception raised" "$TMP/err"; then
    echo "FAIL: sidreasoner $* -> exit $code (want 2 and: $pattern), stderr:"; cat "$TMP/err"; exit 1
  fi
}
with() {  # option value: SFT_ARGS with that option's value replaced, or appended
  local out=("${SFT_ARGS[@]}") found=0
  for i in "${!out[@]}"; do
    if [ "${out[$i]}" = "$1" ]; then out[$((i + 1))]=$2; found=1; fi
  done
  [ "$found" = 1 ] || out+=("$1" "$2")
  ARGS=("${out[@]}" --nproc 1 --batch 8)
}

expect_error "^error: --out: /proc/sidr_x: cannot create anything in /proc" "${SFT_ARGS[@]}" --out /proc/sidr_x

"$SIDR_BIN" "${SFT_ARGS[@]}" --nproc 1 --batch 8 --max-steps 1 --out "$TMP/run" 2> /dev/null
cp "$TMP/run/sft_config.json" "$TMP/sft_config.before"
cp "$TMP/run/train_options.json" "$TMP/train_options.before"
ckpt="$TMP/run/checkpoints/step-00000001"
for case in "--lr 0.005:lr" "--max-samples 3:max_samples" "--weights T1=1:weights" "--style compact:style" \
            "--weight-decay 0.5:weight_decay" "--max-grad-norm 0.5:max_grad_norm" "--cutoff 100:cutoff" \
            "--patience 9:patience" "--epochs 3:epochs"; do
  option=${case%%:*}; key=${case##*:}
  with ${option% *} "${option#* }"
  expect_error "^error: $ckpt/options.json: option '$key' was .* when the run started but is .* now" \
    "${ARGS[@]}" --resume --out "$TMP/run"
  cmp -s "$TMP/sft_config.before" "$TMP/run/sft_config.json" ||
    { echo "FAIL: a resume refused for $key rewrote sft_config.json"; exit 1; }
  cmp -s "$TMP/train_options.before" "$TMP/run/train_options.json" ||
    { echo "FAIL: a resume refused for $key rewrote train_options.json"; exit 1; }
done
expect_error "pass --resume" "${SFT_ARGS[@]}" --nproc 1 --batch 8 --out "$TMP/run"
cmp -s "$TMP/sft_config.before" "$TMP/run/sft_config.json" || { echo "FAIL: a refused run rewrote sft_config.json"; exit 1; }

# A full disk while checkpointing (a 100 KiB file-size limit, SIGXFSZ ignored: writes fail with EFBIG): one
# line, exit 1 (a failed write is not bad input), no temporary folder left, the previous checkpoint intact and
# resumable. Torch's own file writer aborted the process here (exit 134, "terminate called ...").
cp -r "$TMP/run" "$TMP/full"
set +e
bash -c 'trap "" XFSZ; ulimit -f 100; exec "$@"' _ "$SIDR_BIN" "${SFT_ARGS[@]}" --nproc 1 --batch 8 --max-steps 1 \
  --resume --out "$TMP/full" > "$TMP/out" 2> "$TMP/err"
code=$?
set -e
if [ "$code" -ne 1 ] || ! tail -n 1 "$TMP/err" | grep -q "^internal error: $TMP/full/checkpoints/step-00000002.*: write failed (disk full?)" ||
   grep -q "frame #\|terminate called" "$TMP/err"; then
  echo "FAIL: a full disk while checkpointing -> exit $code, stderr:"; cat "$TMP/err"; exit 1
fi
[ -z "$(find "$TMP/full" -name '*.tmp.*')" ] || { echo "FAIL: a failed checkpoint left"; find "$TMP/full" -name '*.tmp.*'; exit 1; }
for f in weights.pt optimizer.pt rng.pt state.json; do
  cmp -s "$TMP/run/checkpoints/step-00000001/$f" "$TMP/full/checkpoints/step-00000001/$f" ||
    { echo "FAIL: the previous checkpoint's $f changed"; exit 1; }
done
"$SIDR_BIN" "${SFT_ARGS[@]}" --nproc 1 --batch 8 --max-steps 1 --resume --out "$TMP/full" 2> "$TMP/err" ||
  { echo "FAIL: resume after a failed checkpoint write"; cat "$TMP/err"; exit 1; }
[ -d "$TMP/full/checkpoints/step-00000002" ] || { echo "FAIL: no step-2 checkpoint after the resume"; exit 1; }

# A truncated optimizer state: one line naming the file (torch's message without its backtrace).
cp -r "$TMP/run" "$TMP/trunc"
head -c 100 "$TMP/run/checkpoints/step-00000001/optimizer.pt" > "$TMP/trunc/checkpoints/step-00000001/optimizer.pt"
expect_error "^error: $TMP/trunc/checkpoints/step-00000001/optimizer.pt: cannot read: " \
  "${SFT_ARGS[@]}" --nproc 1 --batch 8 --max-steps 1 --resume --out "$TMP/trunc"
head -c 100 "$TMP/run/checkpoints/step-00000001/weights.pt" > "$TMP/trunc/checkpoints/step-00000001/weights.pt"
expect_error "^error: $TMP/trunc/checkpoints/step-00000001/weights.pt: cannot read: " \
  "${SFT_ARGS[@]}" --nproc 1 --batch 8 --max-steps 1 --resume --out "$TMP/trunc"

# A model config torch cannot build: one line naming the config file.
sed 's/"hidden_size": 64/"hidden_size": 1000000000/' "$CFG" > "$TMP/bad_model.json"
with --model "$TMP/bad_model.json"
expect_error "^error: $TMP/bad_model.json: cannot build the model: .*alloc" "${ARGS[@]}" --max-steps 1 --out "$TMP/bad_model"

# SIGTERM: the step in progress finishes, a checkpoint of it is saved, exit 143; --resume continues from it.
mkdir -p "$TMP/sig/checkpoints/step-00000007.tmp.999999999" "$TMP/sig/final_checkpoint.tmp.999999998"
with --epochs 1000
"$SIDR_BIN" "${ARGS[@]}" --patience 0 --max-eval-samples 2 --out "$TMP/sig" > "$TMP/sig.out" 2> "$TMP/sig.err" &
run_pid=$!
for _ in $(seq 600); do
  [ -s "$TMP/sig/metrics.jsonl" ] && break
  kill -0 "$run_pid" 2> /dev/null || { echo "FAIL: sft ended early"; cat "$TMP/sig.err"; exit 1; }
  sleep 0.2
done
kill -TERM "$run_pid"
set +e
wait "$run_pid"
code=$?
set -e
run_pid=
[ "$code" -eq 143 ] || { echo "FAIL: sft exit $code after SIGTERM (want 143)"; cat "$TMP/sig.err"; exit 1; }
grep -q "stopped by a signal after [0-9]* steps; checkpoint saved; continue with --resume (exit 143)" "$TMP/sig.err" ||
  { echo "FAIL: no stop line"; cat "$TMP/sig.err"; exit 1; }
[ ! -e "$TMP/sig/checkpoints/step-00000007.tmp.999999999" ] && [ ! -e "$TMP/sig/final_checkpoint.tmp.999999998" ] ||
  { echo "FAIL: a stale temporary folder survived the next run"; ls -R "$TMP/sig"; exit 1; }
last=$(ls -d "$TMP"/sig/checkpoints/step-* | grep -v '\.tmp\.' | tail -n 1)
steps=$(grep -c '"type":"train"' "$TMP/sig/metrics.jsonl")
/usr/bin/python3 - "$last/state.json" "$steps" <<'PY'
import json, sys
state = json.load(open(sys.argv[1]))
assert state["global_step"] == int(sys.argv[2]), (state["global_step"], sys.argv[2])
PY
"$SIDR_BIN" "${ARGS[@]}" --patience 0 --max-eval-samples 2 --out "$TMP/sig" --resume --max-steps 1 2> "$TMP/resume.err" ||
  { echo "FAIL: resume after SIGTERM"; cat "$TMP/resume.err"; exit 1; }
[ "$(grep -c '"type":"train"' "$TMP/sig/metrics.jsonl")" -eq $((steps + 1)) ] ||
  { echo "FAIL: the resumed run did not continue after step $steps"; cat "$TMP/sig/metrics.jsonl"; exit 1; }
echo "ok: sft bad input, resume checks and SIGTERM"
