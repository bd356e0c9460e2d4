#!/usr/bin/env bash
# `sidreasoner metrics` on a hand-made prediction file: known HR/NDCG values, catalog-based invalid count,
# exit code 2 and one line on a malformed file.
set -euo pipefail
bin=${SIDR_BIN:?}
src=${SIDR_SOURCE_DIR:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$bin" metrics "$src/tests/eval/fixtures/predictions_known.json" --out "$tmp/m.json" > "$tmp/stdout"
/usr/bin/python3 - "$tmp/m.json" <<'PY'
import json, math, sys
m = json.load(open(sys.argv[1]))
assert m["rows"] == 4 and m["beams"] == 10, m
assert m["HR@1"] == 0.25 and m["HR@3"] == 0.5 and m["HR@5"] == 0.75 and m["HR@10"] == 0.75, m
assert abs(m["NDCG@5"] - (1 + 1 / math.log2(3) + 1 / math.log2(6)) / 4) < 1e-12, m
assert m["invalid_predictions"] == 1 and m["invalid_basis"] == "syntax", m
assert "HR@20" not in m
PY

# With the shipped catalog, every made-up SID that is not in it counts as invalid.
"$bin" metrics "$src/tests/eval/fixtures/predictions_known.json" --data "$src/data/Amazon" \
  --dataset Industrial_and_Scientific --out "$tmp/c.json" > /dev/null
/usr/bin/python3 - "$tmp/c.json" "$src/data/Amazon/index/Industrial_and_Scientific.index.json" \
  "$src/tests/eval/fixtures/predictions_known.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
sids = {"".join(v) for v in json.load(open(sys.argv[2])).values()}
preds = [p.strip('"\n').strip() for row in json.load(open(sys.argv[3])) for p in row["predict"]]
assert m["invalid_basis"] == "catalog"
assert m["invalid_predictions"] == sum(p not in sids for p in preds), m
PY

# Without a catalog the level count comes from the targets: a 4-level file with codes past 255 is valid there,
# and its 3-level predictions are not (the reference's 3 x 256 is not assumed).
cat > "$tmp/four.json" <<'JSON'
[{"output": "<a_1><b_300><c_1><d_9>\n", "predict": ["<a_1><b_300><c_1><d_9>", "<a_1><b_2><c_3>", "<a_1><b_2><c_3><d_1000>"]},
 {"output": "<a_2><b_2><c_2><d_2>", "predict": ["junk", "<a_2><b_2><c_2><d_2>"]}]
JSON
"$bin" metrics "$tmp/four.json" --out "$tmp/f.json" > /dev/null
/usr/bin/python3 - "$tmp/f.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
assert m["syntax_levels"] == 4 and m["invalid_predictions"] == 2 and m["HR@1"] == 0.5, m
PY
# Targets of two level counts: one line naming the file and row, exit 2.
echo '[{"output": "<a_1><b_1><c_1>", "predict": ["x"]}, {"output": "<a_1><b_1>", "predict": ["x"]}]' > "$tmp/mixed.json"
set +e
"$bin" metrics "$tmp/mixed.json" > /dev/null 2> "$tmp/err"
rc=$?
set -e
[ "$rc" -eq 2 ] && [ "$(wc -l < "$tmp/err")" -eq 1 ] && grep -q "mixed.json: row 2: field output" "$tmp/err" ||
  { echo "mixed levels: rc $rc"; cat "$tmp/err"; exit 1; }

echo '[{"output": "x", "predict": [1]}]' > "$tmp/bad.json"
set +e
"$bin" metrics "$tmp/bad.json" > "$tmp/out" 2> "$tmp/err"
rc=$?
set -e
[ "$rc" -eq 2 ] || { echo "expected exit 2, got $rc"; exit 1; }
[ "$(wc -l < "$tmp/err")" -eq 1 ] || { cat "$tmp/err"; exit 1; }
grep -q "predict" "$tmp/err"
echo ok
