#!/usr/bin/env bash
# `sidreasoner evaluate` and tokenizer loading at the edges (issue 22): each case exits 2 with one line naming the
# option, file, row or token, before any work and with nothing written:
#  --out that cannot be created, --limit -1, a CLI11 parse error, a test target outside the catalog, a SID token
#  the checkpoint's tokenizer lacks, a tokenizer.json missing a byte token or an added token before others.
set -euo pipefail
bin=${SIDR_BIN:?}
src=${SIDR_SOURCE_DIR:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
data=$src/data/Amazon
ds=Industrial_and_Scientific
csv=${ds}_5_2016-10-2018-11.csv

bash "$src/tests/eval/make_tiny_checkpoint.sh" "$tmp/model"
eval_args=(evaluate --data "$data" --dataset $ds --limit 2 --beams 2 --quiet --threads 1)

expect_error() {  # pattern, args...
  local pattern="$1"; shift
  set +e
  "$bin" "$@" > "$tmp/stdout" 2> "$tmp/err"
  local code=$?
  set -e
  if [ "$code" -ne 2 ] || [ "$(wc -l < "$tmp/err")" -ne 1 ] || ! grep -q -- "$pattern" "$tmp/err"; then
    echo "FAIL: sidreasoner $* -> exit $code (want 2, one line matching: $pattern), stderr:"; cat "$tmp/err"; exit 1
  fi
}

# --out: refused before decoding (it was exit 1, "filesystem error", after the whole evaluation).
expect_error "^error: --out: /proc/sidr_x: cannot create anything in /proc (" \
  "${eval_args[@]}" --model "$tmp/model" --out /proc/sidr_x
touch "$tmp/a_file"
expect_error "^error: --out: $tmp/a_file: $tmp/a_file is not a directory$" \
  "${eval_args[@]}" --model "$tmp/model" --out "$tmp/a_file"
# --limit -1 was taken as 2^64 - 1 (every row) and ran.
expect_error "^error: --limit: must not be negative (0 = all), got -1$" "${eval_args[@]}" --model "$tmp/model" --limit -1 --out "$tmp/o"
# CLI11's errors are one line (they had a second: "Run with --help for more information.").
expect_error "^error: Could not convert: --batch-size = x$" "${eval_args[@]}" --model "$tmp/model" --batch-size x --out "$tmp/o"
expect_error "^error: The following argument was not expected: --nosuch" \
  "${eval_args[@]}" --model "$tmp/model" --nosuch --out "$tmp/o"

# A test row whose target is not in the catalog was scored as a silent miss.
mkdir -p "$tmp/data/test"
for part in index info train valid; do ln -s "$data/$part" "$tmp/data/$part"; done
missing=$(/usr/bin/python3 - "$data/test/$csv" "$tmp/data/test/$csv" "$data/index/$ds.index.json" <<'PY'
import csv, json, sys
sids = {"".join(v) for v in json.load(open(sys.argv[3])).values()}
missing = next(f"<a_{a}><b_{b}><c_{c}>" for a in range(256) for b in range(256) for c in range(256)
               if f"<a_{a}><b_{b}><c_{c}>" not in sids)
rows = list(csv.reader(open(sys.argv[1], newline="")))
rows[1][rows[0].index("item_sid")] = missing  # the first data row: line 2
csv.writer(open(sys.argv[2], "w", newline=""), lineterminator="\n").writerows(rows)
print(missing)
PY
)
expect_error "^error: $tmp/data/test/$csv:2: field 'item_sid': target SID $missing is not in the catalog ($tmp/data/index/$ds.index.json)$" \
  evaluate --data "$tmp/data" --dataset $ds --limit 2 --beams 2 --quiet --threads 1 --model "$tmp/model" --out "$tmp/o"

# Tokenizer files: a SID token renamed away, a byte token removed, an added token removed before others.
edit_tokenizer() {  # name, python edit of `t` (the tokenizer.json document)
  cp -r "$tmp/model" "$tmp/$1"
  /usr/bin/python3 - "$tmp/$1/tokenizer.json" "$2" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))
exec(sys.argv[2])
json.dump(t, open(sys.argv[1], "w"))
PY
}
edit_tokenizer no_sid 'next(a for a in t["added_tokens"] if a["content"] == "<a_236>")["content"] = "<zz_236>"'
expect_error "^error: $tmp/no_sid/tokenizer.json: SID <a_236>.*: token <a_236> is not in the tokenizer's vocabulary (SIDs from $data/index/$ds.index.json: was the checkpoint trained on this catalog?)$" \
  "${eval_args[@]}" --model "$tmp/no_sid" --out "$tmp/o"
edit_tokenizer no_byte 'del t["model"]["vocab"]["!"]'
expect_error "^error: $tmp/no_byte/tokenizer.json: field 'model.vocab': byte 0x21 has no token (its byte-level token \"!\" is missing)$" \
  "${eval_args[@]}" --model "$tmp/no_byte" --out "$tmp/o"
edit_tokenizer no_im_start 'i = next(i for i, a in enumerate(t["added_tokens"]) if a["content"] == "<|im_start|>"); del t["added_tokens"][i]'
expect_error "^error: $tmp/no_im_start/tokenizer.json: field 'added_tokens\[[0-9]*\]': token \"<|im_end|>\" is listed with id [0-9]* but would get id [0-9]* (a token before it is missing or out of order)$" \
  "${eval_args[@]}" --model "$tmp/no_im_start" --out "$tmp/o"

[ ! -e "$tmp/o" ] || { echo "FAIL: a refused evaluation wrote $tmp/o"; exit 1; }
echo "ok: evaluate bad input"
