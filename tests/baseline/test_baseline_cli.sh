#!/usr/bin/env bash
# `sidreasoner baseline sasrec` on the shipped data: a short run writes a complete run directory; bad input
# exits 2 with one line naming the file, line and field, and leaves no output directory behind.
set -euo pipefail
BIN=${SIDR_BIN:?}
SRC=${SIDR_SOURCE_DIR:?}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# expect_error CODE PATTERN -- command...: exit code and a one-line message matching PATTERN.
expect_error() {
  local code=$1 pattern=$2; shift 3
  set +e; "$@" >"$WORK/out.txt" 2>"$WORK/err.txt"; local rc=$?; set -e
  [ "$rc" -eq "$code" ] || fail "exit $rc (want $code) for: $* :: $(cat "$WORK/err.txt")"
  grep -qE "$pattern" "$WORK/err.txt" || fail "message '$(cat "$WORK/err.txt")' does not match '$pattern'"
}

# 1. A two-epoch run on the real data writes every file, and metrics.json agrees with predictions.json.
"$BIN" baseline sasrec --data "$SRC/data/Amazon" --dataset Industrial_and_Scientific --loss bce --epochs 2 \
  --no-progress --out "$WORK/run" > "$WORK/stdout.txt"
for f in config.json metrics.json metrics.jsonl predictions.json model.pt; do
  [ -s "$WORK/run/$f" ] || fail "missing $f"
done
grep -q "HR@10" "$WORK/stdout.txt" || fail "no metrics printed"
[ "$(wc -l < "$WORK/run/metrics.jsonl")" -eq 2 ] || fail "metrics.jsonl should have one line per epoch"
/usr/bin/python3 - "$WORK/run" <<'PY'
import json, math, sys
run = sys.argv[1]
metrics = json.load(open(f"{run}/metrics.json"))
preds = json.load(open(f"{run}/predictions.json"))
assert len(preds) == 4533 == metrics["rows"], len(preds)
# calc.py's scoring of the written predictions must reproduce metrics.json for K <= 10.
for k in (1, 3, 5, 10):
    hit = ndcg = 0.0
    for p in preds:
        assert len(p["predict"]) == 10 and len(set(p["predict"])) == 10
        target = p["output"].strip(' \n"')
        ranks = [i for i, s in enumerate(p["predict"]) if s == target]
        if ranks and ranks[0] < k:
            hit += 1
            ndcg += 1 / math.log2(ranks[0] + 2)
    assert abs(hit / len(preds) - metrics[f"HR@{k}"]) < 1e-12, (k, hit / len(preds), metrics[f"HR@{k}"])
    assert abs(ndcg / len(preds) - metrics[f"NDCG@{k}"]) < 1e-12
for key in ("train_s", "valid_s", "test_s", "total_s"):
    assert metrics["timing"][key] >= 0
print("metrics.json agrees with predictions.json")
PY

# 1b. evaluate --sasrec refuses bad options and a damaged SASRec run (its scores are checked against an
# independent forward in test_sasrec_parity.py).
bash "$SRC/tests/eval/make_tiny_checkpoint.sh" "$WORK/lm"
expect_error 2 "sasrec-weight" -- "$BIN" evaluate --model "$WORK/lm" --sasrec "$WORK/run" --sasrec-weight 1 \
  --data "$SRC/data/Amazon" --dataset Industrial_and_Scientific --out "$WORK/bad7"
expect_error 2 "sasrec-mix must be mean or product" -- "$BIN" evaluate --model "$WORK/lm" --sasrec "$WORK/run" \
  --sasrec-mix geometric --data "$SRC/data/Amazon" --dataset Industrial_and_Scientific --out "$WORK/bad7b"
expect_error 2 "sasrec-temperature must be a positive number" -- "$BIN" evaluate --model "$WORK/lm" \
  --sasrec "$WORK/run" --sasrec-temperature 0 --data "$SRC/data/Amazon" --dataset Industrial_and_Scientific \
  --out "$WORK/bad7c"
expect_error 2 "give --sasrec first" -- "$BIN" evaluate --model "$WORK/lm" --sasrec-ensemble "$WORK/run" \
  --data "$SRC/data/Amazon" --dataset Industrial_and_Scientific --out "$WORK/bad7d"
expect_error 2 "nowhere/config.json: not found" -- "$BIN" evaluate --model "$WORK/lm" --sasrec "$WORK/run" \
  --sasrec-ensemble "$WORK/nowhere" --data "$SRC/data/Amazon" --dataset Industrial_and_Scientific --out "$WORK/bad7e"
expect_error 2 "nowhere/config.json: not found" -- "$BIN" evaluate --model "$WORK/lm" --sasrec "$WORK/nowhere" \
  --data "$SRC/data/Amazon" --dataset Industrial_and_Scientific --out "$WORK/bad9"
mkdir "$WORK/cut" && cp "$WORK/run/config.json" "$WORK/cut/" && head -c 3000 "$WORK/run/model.pt" > "$WORK/cut/model.pt"
expect_error 2 "cut/model.pt: cannot load" -- "$BIN" evaluate --model "$WORK/lm" --sasrec "$WORK/cut" \
  --data "$SRC/data/Amazon" --dataset Industrial_and_Scientific --out "$WORK/bad10"
for d in bad7 bad7b bad7c bad7d bad7e bad8 bad9 bad10; do [ ! -e "$WORK/$d" ] || fail "$d was written despite the error"; done

# 2. Bad options: exit 2, nothing written.
expect_error 2 "loss" -- "$BIN" baseline sasrec --data "$SRC/data/Amazon" --loss mse --out "$WORK/bad1"
expect_error 2 "epochs must be at least 1" -- "$BIN" baseline sasrec --data "$SRC/data/Amazon" --epochs 0 --out "$WORK/bad2"
expect_error 2 "heads must divide" -- "$BIN" baseline sasrec --data "$SRC/data/Amazon" --heads 5 --out "$WORK/bad3"
expect_error 2 "out" -- "$BIN" baseline sasrec --data "$SRC/data/Amazon"
expect_error 2 "index.json" -- "$BIN" baseline sasrec --data "$WORK/nowhere" --out "$WORK/bad4"

# 3. Bad data: an item id outside the catalog, and a broken history list, name file, line and field.
mkdir -p "$WORK/data"
cp -r "$SRC/data/Amazon/index" "$SRC/data/Amazon/info" "$SRC/data/Amazon/train" "$SRC/data/Amazon/valid" "$WORK/data/"
mkdir -p "$WORK/data/test"
CSV=Industrial_and_Scientific_5_2016-10-2018-11.csv
head -3 "$SRC/data/Amazon/test/$CSV" > "$WORK/data/test/$CSV"
printf 'u1,"[\x27t\x27]",t,[5],99999,"[\x27<a_1><b_1><c_1>\x27]",<a_1><b_1><c_1>\n' >> "$WORK/data/test/$CSV"
expect_error 2 "test/$CSV:4.*item_id.*99999" -- "$BIN" baseline sasrec --data "$WORK/data" --out "$WORK/bad5"
head -3 "$SRC/data/Amazon/test/$CSV" > "$WORK/data/test/$CSV"
printf 'u1,"[\x27t\x27]",t,[5; 6],7,"[\x27<a_1><b_1><c_1>\x27]",<a_1><b_1><c_1>\n' >> "$WORK/data/test/$CSV"
expect_error 2 "test/$CSV:4.*history_item_id" -- "$BIN" baseline sasrec --data "$WORK/data" --out "$WORK/bad6"
for d in bad1 bad2 bad3 bad4 bad5 bad6; do
  [ ! -e "$WORK/$d" ] || fail "$d was written despite the error"
done
[ -z "$(ls "$WORK" | grep -E '^bad.*tmp' || true)" ] || fail "temporary directory left behind"
echo "baseline CLI: all checks passed"
