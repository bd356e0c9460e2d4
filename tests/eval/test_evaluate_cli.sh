#!/usr/bin/env bash
# `sidreasoner evaluate` end to end on a tiny random checkpoint and the shipped dataset:
#  - plain mode: reference-format predictions.json (input/output/predict), every prediction a catalog SID, no
#    duplicates, scores sorted; metrics.json equal to `sidreasoner metrics` on the same file;
#  - the same predictions and scores as an independent Python implementation of HF's constrained beam search on
#    the same checkpoint (tests/eval/hf_style_eval.py, its own safetensors reader and forward);
#  - think mode: the reference's think-mode fields;
#  - --ensemble: a model ensembled with itself equals the model; members must share the tokenizer;
#  - bad options and inputs: exit 2, one line, nothing written.
set -euo pipefail
bin=${SIDR_BIN:?}
src=${SIDR_SOURCE_DIR:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
data=$src/data/Amazon
ds=Industrial_and_Scientific

bash "$src/tests/eval/make_tiny_checkpoint.sh" "$tmp/model"

"$bin" evaluate --model "$tmp/model" --data "$data" --dataset $ds --limit 5 --beams 4 --batch-size 3 \
  --out "$tmp/plain" --with-scores --with-prompt-ids --quiet --threads 1 > /dev/null
"$bin" metrics "$tmp/plain/predictions.json" --data "$data" --dataset $ds --out "$tmp/recomputed.json" > /dev/null
/usr/bin/python3 "$src/tests/eval/hf_style_eval.py" --model "$tmp/model" --prompts "$tmp/plain/predictions.json" \
  --catalog "$data/index/$ds.index.json" --beams 4 --batch-size 2 --threads 1 --out "$tmp/hf.json"

/usr/bin/python3 - "$tmp" "$data/index/$ds.index.json" "$data/test/${ds}_5_2016-10-2018-11.csv" <<'PY'
import csv, json, sys
tmp, index, test_csv = sys.argv[1:]
sids = {"".join(v) for v in json.load(open(index)).values()}
preds = json.load(open(f"{tmp}/plain/predictions.json"))
rows = list(csv.DictReader(open(test_csv)))[:5]
assert len(preds) == 5
for p, row in zip(preds, rows):
    assert {"input", "output", "predict"} <= set(p), p.keys()
    assert p["output"] == row["item_sid"].strip() + "\n", (p["output"], row["item_sid"])
    assert p["input"].startswith("Can you predict the next possible item the user may expect, given the following "
                                 "chronological interaction history: "), p["input"]
    assert len(p["predict"]) == 4 and len(set(p["predict"])) == 4, p["predict"]
    assert all(s in sids for s in p["predict"]), p["predict"]
    assert all(a >= b for a, b in zip(p["scores"], p["scores"][1:])), p["scores"]
m = json.load(open(f"{tmp}/plain/metrics.json"))
r = json.load(open(f"{tmp}/recomputed.json"))
for k in ["HR@1", "HR@3", "NDCG@1", "NDCG@3", "invalid_predictions", "rows"]:
    assert m[k] == r[k], (k, m[k], r[k])
assert "HR@5" not in m and m["invalid_predictions"] == 0 and m["users_per_second"] > 0
# Independent HF-style beam search on the same checkpoint: same SIDs in the same order (order may differ only
# between near-tied scores), same scores.
hf = json.load(open(f"{tmp}/hf.json"))["rows"]
for ours, ref in zip(preds, hf):
    assert len(ours["predict"]) == len(ref["predict"]), (ours, ref)
    for i, (a, b) in enumerate(zip(ours["predict"], ref["predict"])):
        assert abs(ours["scores"][i] - ref["scores"][i]) < 1e-3, (i, ours["scores"], ref["scores"])
        if a != b:
            j = ref["predict"].index(a)
            assert abs(ref["scores"][j] - ours["scores"][i]) < 1e-4, (ours, ref)
print("plain ok")
PY

"$bin" evaluate --model "$tmp/model" --data "$data" --dataset $ds --limit 2 --beams 3 --mode think \
  --think-tokens 5 --out "$tmp/think" --quiet --threads 1 > /dev/null
/usr/bin/python3 - "$tmp" <<'PY'
import json, sys
tmp = sys.argv[1]
preds = json.load(open(f"{tmp}/think/predictions.json"))
assert len(preds) == 2
for p in preds:
    assert set(p) >= {"history_str", "target_title", "output", "prompt_cot", "cot", "predict"}, p.keys()
    assert p["prompt_cot"].endswith("<|im_start|>assistant\n"), p["prompt_cot"][-40:]
    assert len(p["predict"]) == 3 and len(set(p["predict"])) == 3
m = json.load(open(f"{tmp}/think/metrics.json"))
assert m["mode"] == "think" and m["think_tokens"] == 5 and 0 < m["mean_thought_tokens"] <= 5, m
print("think ok")
PY

# Sequence style: the prompt is "<|im_start|>" + the history SIDs back to back (no chat, no think block), and
# the search from it equals the independent HF-style search on the same ids.
"$bin" evaluate --model "$tmp/model" --data "$data" --dataset $ds --limit 4 --beams 3 --batch-size 2 \
  --style sequence --prompt-style training --out "$tmp/seq" --with-scores --with-prompt-ids --quiet --threads 1 > /dev/null
/usr/bin/python3 "$src/tests/eval/hf_style_eval.py" --model "$tmp/model" --prompts "$tmp/seq/predictions.json" \
  --catalog "$data/index/$ds.index.json" --beams 3 --batch-size 2 --threads 1 --out "$tmp/hf_seq.json"
/usr/bin/python3 - "$tmp" "$data/test/${ds}_5_2016-10-2018-11.csv" "$tmp/model/tokenizer.json" <<'PY'
import ast, csv, json, sys
tmp, test_csv, tok = sys.argv[1:]
vocab = json.load(open(tok))
ids = {t["content"]: t["id"] for t in vocab["added_tokens"]}
preds = json.load(open(f"{tmp}/seq/predictions.json"))
rows = list(csv.DictReader(open(test_csv)))[:4]
hf = json.load(open(f"{tmp}/hf_seq.json"))["rows"]
for p, row, ref in zip(preds, rows, hf):
    history = [s.strip() for s in ast.literal_eval(row["history_item_sid"])]
    assert p["input"] == "".join(history), (p["input"], history)
    levels = [t for s in history for t in s.replace("><", ">\n<").split("\n")]
    assert p["prompt_ids"] == [ids["<|im_start|>"]] + [ids[t] for t in levels], p["prompt_ids"]
    assert len(p["predict"]) == 3
    for i, a in enumerate(p["predict"]):
        assert abs(p["scores"][i] - ref["scores"][i]) < 1e-3, (p, ref)
        if a != ref["predict"][i]:
            assert abs(ref["scores"][ref["predict"].index(a)] - p["scores"][i]) < 1e-4, (p, ref)
print("sequence ok")
PY

# Ensembles: a model ensembled with itself is the model (the mean, or the renormalised product, of one distribution
# twice); with another member the metrics record it, and mean and product decode differently. Members with
# another tokenizer, and an unknown --ensemble-mix, are refused below.
"$bin" model init --config "$tmp/model/config.json" --out "$tmp/model2" --seed 2 > /dev/null
cp "$tmp/model/tokenizer.json" "$tmp/model/tokenizer_config.json" "$tmp/model2/"
"$bin" evaluate --model "$tmp/model" --ensemble "$tmp/model" --data "$data" --dataset $ds --limit 5 --beams 4 \
  --batch-size 3 --out "$tmp/self_ens" --with-scores --quiet --threads 1 > /dev/null
"$bin" evaluate --model "$tmp/model" --ensemble "$tmp/model2" --data "$data" --dataset $ds --limit 5 --beams 4 \
  --batch-size 3 --out "$tmp/ens" --with-scores --quiet --threads 1 > /dev/null
for run in model:self_prod model2:ens_prod; do  # member:output
  "$bin" evaluate --model "$tmp/model" --ensemble "$tmp/${run%%:*}" --ensemble-mix product --data "$data" \
    --dataset $ds --limit 5 --beams 4 --batch-size 3 --out "$tmp/${run##*:}" --with-scores --quiet --threads 1 \
    > /dev/null
done
/usr/bin/python3 - "$tmp" <<'PY'
import json, sys
tmp = sys.argv[1]
single = json.load(open(f"{tmp}/plain/predictions.json"))
ens = json.load(open(f"{tmp}/ens/predictions.json"))
ens_prod = json.load(open(f"{tmp}/ens_prod/predictions.json"))
for name in ("self_ens", "self_prod"):
    for a, b in zip(single, json.load(open(f"{tmp}/{name}/predictions.json"))):
        assert a["predict"] == b["predict"], (name, a, b)
        assert all(abs(x - y) < 1e-4 for x, y in zip(a["scores"], b["scores"])), (name, a["scores"], b["scores"])
assert any(a["predict"] != b["predict"] for a, b in zip(single, ens)), "a second member changed nothing"
assert any(abs(x - y) > 1e-3 for a, b in zip(ens, ens_prod) for x, y in zip(a["scores"], b["scores"])), \
    "mean and product of two members scored alike"
m = json.load(open(f"{tmp}/ens/metrics.json"))
assert m["ensemble"] == [f"{tmp}/model2"] and m["ensemble_mix"] == "mean", m
assert json.load(open(f"{tmp}/ens_prod/metrics.json"))["ensemble_mix"] == "product"
print("ensemble ok")
PY
mkdir "$tmp/other_tok" && cp "$tmp/model2"/* "$tmp/other_tok/" && echo " " >> "$tmp/other_tok/tokenizer.json"

expect_input_error() {
  set +e
  "$bin" "$@" > "$tmp/out" 2> "$tmp/err"
  local rc=$?
  set -e
  [ "$rc" -eq 2 ] || { echo "expected exit 2 from: $*; got $rc"; cat "$tmp/err"; exit 1; }
  [ "$(wc -l < "$tmp/err")" -eq 1 ] || { echo "expected one line"; cat "$tmp/err"; exit 1; }
}
expect_input_error evaluate --model "$tmp/model" --data "$data" --dataset $ds --beams 0 --out "$tmp/bad1"
expect_input_error evaluate --model "$tmp/model" --data "$data" --dataset Nope --out "$tmp/bad2"
expect_input_error evaluate --model "$tmp/nomodel" --data "$data" --dataset $ds --out "$tmp/bad3"
expect_input_error evaluate --model "$tmp/model" --data "$data" --dataset $ds --mode fancy --out "$tmp/bad4"
expect_input_error evaluate --model "$tmp/model" --ensemble "$tmp/other_tok" --data "$data" --dataset $ds --out "$tmp/bad5"
grep -q "tokenizer.json differs" "$tmp/err" || { echo "unexpected error:"; cat "$tmp/err"; exit 1; }
expect_input_error evaluate --model "$tmp/model" --ensemble "$tmp/model2" --ensemble-mix geometric --data "$data" \
  --dataset $ds --out "$tmp/bad5b"
grep -q "ensemble-mix must be mean or product" "$tmp/err" || { echo "unexpected error:"; cat "$tmp/err"; exit 1; }
expect_input_error evaluate --model "$tmp/model" --data "$data" --dataset $ds --style bogus --out "$tmp/bad6"
grep -q "^error: --style (the prompt style) must be 'reference', 'compact' or 'sequence', got 'bogus'" "$tmp/err" ||
  { echo "unexpected error:"; cat "$tmp/err"; exit 1; }
expect_input_error evaluate --model "$tmp/model" --data "$data" --dataset $ds --prompt-style bogus --out "$tmp/bad7"
grep -q -- "--prompt-style" "$tmp/err" || { echo "unexpected error:"; cat "$tmp/err"; exit 1; }
for d in bad1 bad2 bad3 bad4 bad5 bad6 bad7; do [ ! -e "$tmp/$d" ] || { echo "$d was written"; exit 1; }; done
echo ok
