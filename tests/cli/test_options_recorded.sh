#!/usr/bin/env bash
# Options declared once (issue 23): every flag of `sidreasoner sft --help`, `evaluate --help` and
# `baseline sasrec --help` whose option changes a result is in the run record (sft_config.json; the "options" of
# metrics.json and of SASRec's config.json) after a tiny run, with the value given on the command line. The flags
# that change no result are named here, so a new flag must either be recorded or be added to that list on purpose.
source "$(dirname "$0")/../train/sft_common.sh"
data=$SIDR_SOURCE_DIR/data/Amazon
ds=Industrial_and_Scientific

# Compares one command's --help with its record: help file, record JSON, not-recorded flags, then the command
# line as given. A recorded flag the command line lacks fails unless it is in the optional list (4th argument,
# checked for presence only).
check_recorded() {
  /usr/bin/python3 - "$@" <<'PY'
import json, re, sys
help_file, record_file, not_recorded, optional, *args = sys.argv[1:]
not_recorded, optional = set(not_recorded.split()), set(optional.split())
record = json.load(open(record_file))
record = record.get("options", record)
flags = []
for line in open(help_file):
    m = re.match(r"\s+(?:-\w,)?(--[a-z][a-z0-9-]*)", line)
    if m and m.group(1) != "--help":
        flags.append(m.group(1))
given = {}
i = 0
while i < len(args):
    if i + 1 < len(args) and not args[i + 1].startswith("--"):
        given.setdefault(args[i], []).append(args[i + 1]); i += 2
    else:
        given.setdefault(args[i], []).append(True); i += 1
failures = []
for flag in flags:
    key = flag[2:].replace("-", "_")
    if flag in not_recorded:
        if key in record: failures.append(f"{flag} is recorded but listed as changing no result")
        continue
    if key not in record:
        failures.append(f"{flag}: no {key!r} in {record_file}"); continue
    if flag not in given:
        if flag not in optional: failures.append(f"{flag}: give it a value in this test")
        continue
    want, got = given[flag], record[key]
    if isinstance(got, list): ok = got == want
    elif isinstance(got, bool): ok = want == [True] and got is True
    elif isinstance(got, (int, float)): ok = abs(float(want[-1]) - got) <= 1e-12 * max(1.0, abs(got))
    else: ok = got == want[-1]
    if not ok: failures.append(f"{flag}: given {want}, recorded {got!r}")
unknown = set(given) - set(flags)
if unknown: failures.append(f"flags given but not in --help: {sorted(unknown)}")
if len(flags) < 15: failures.append(f"only {len(flags)} flags read from {help_file}")
for f in failures: print("FAIL:", f)
sys.exit(1 if failures else 0)
PY
}

# sft: one step of Stage 1 on the fixture with every option given a non-default value (where one is allowed).
sft_args=(--stage 1 --data "$FIX" --dataset Office_Products --model "$CFG" --tokenizer "$TOK" --out "$TMP/sft"
  --epochs 1 --lr 0.002 --warmup 2 --patience 1 --batch 8 --micro-batch 4 --schedule cosine --weight-decay 0.01
  --max-grad-norm 0.5 --cutoff 512 --seed 7 --save-steps 1 --keep-checkpoints 1 --max-steps 1 --max-minutes 30
  --max-samples 20 --max-eval-samples 3 --eval-batch 4 --style sequence --weights T1=1 --plain-weight 0
  --augment crop=0.2 --ema 0.5 --item-corpus "$FIX/index/Office_Products.item_enhanced_v2.json"
  --user-corpus "$FIX/index/Office_Products.integrated_narrative.csv" --general "$FIX/general/chats.jsonl"
  --no-progress --device cpu --dtype float32 --threads 1 --nproc 1)
"$SIDR_BIN" sft --help > "$TMP/sft_help.txt"
"$SIDR_BIN" sft "${sft_args[@]}" > /dev/null 2> "$TMP/sft_err" || { cat "$TMP/sft_err"; exit 1; }
check_recorded "$TMP/sft_help.txt" "$TMP/sft/sft_config.json" \
  "--out --keep-checkpoints --save-samples --resume --no-progress" "" "${sft_args[@]}"

# evaluate: a marginalised think decode on a tiny checkpoint, ensembled with itself, with a narrative CSV.
bash "$SIDR_SOURCE_DIR/tests/eval/make_tiny_checkpoint.sh" "$TMP/model"
/usr/bin/python3 - "$data/test/${ds}_5_2016-10-2018-11.csv" "$TMP/narrative.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))[:2]
with open(sys.argv[2], "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["user_id", "history_item_sid", "item_sid", "reasoning_path"])
    for r in rows:
        w.writerow([r["user_id"], r["history_item_sid"], r["item_sid"], "More lab supplies come next."])
PY
eval_args=(--model "$TMP/model" --ensemble "$TMP/model" --ensemble-mix product --sasrec-weight 0.4
  --sasrec-mix product --sasrec-temperature 2 --data "$data" --dataset $ds --split test --mode think
  --prompt-style training --style compact --beams 3 --out "$TMP/eval" --limit 2 --batch-size 2 --think-tokens 4
  --think-decode marginalised --thoughts 2 --thought-search sample --thought-temperature 0.9
  --think-pool-plain 0.2 --narrative "$TMP/narrative.csv" --beam-sampling --temperature 0.7 --top-k 5
  --top-p 0.9 --seed 3 --with-scores --no-progress --device cpu --dtype float32 --threads 1)
"$SIDR_BIN" evaluate --help > "$TMP/eval_help.txt"
"$SIDR_BIN" evaluate "${eval_args[@]}" > /dev/null 2> "$TMP/eval_err" || { cat "$TMP/eval_err"; exit 1; }
# --sasrec and --sasrec-ensemble need a trained SASRec run: checked for presence only.
check_recorded "$TMP/eval_help.txt" "$TMP/eval/metrics.json" "--out --with-scores --with-prompt-ids --no-progress" \
  "--sasrec --sasrec-ensemble" "${eval_args[@]}"
# baseline sasrec: one epoch on the fixture, every option given a non-default value.
sasrec_args=(--data "$FIX" --dataset Office_Products --out "$TMP/sasrec" --loss ce --epochs 1 --patience 3
  --max-minutes 30 --batch-size 16 --lr 0.002 --weight-decay 0.0001 --hidden 16 --heads 2 --dropout 0.1
  --max-len 8 --seed 3 --threads 1 --top 5 --no-progress)
"$SIDR_BIN" baseline sasrec --help > "$TMP/sasrec_help.txt"
"$SIDR_BIN" baseline sasrec "${sasrec_args[@]}" > /dev/null 2> "$TMP/sasrec_err" || { cat "$TMP/sasrec_err"; exit 1; }
check_recorded "$TMP/sasrec_help.txt" "$TMP/sasrec/config.json" "--out --no-progress" "" "${sasrec_args[@]}"
echo "PASS"
