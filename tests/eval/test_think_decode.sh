#!/usr/bin/env bash
# `sidreasoner evaluate --mode think --think-decode reference|marginalised|oracle` end to end on a tiny random
# checkpoint and the shipped test split, with a hand-made narrative CSV for its first rows:
#  - oracle: the fed ids are the think prompt followed by the tokens of "<think>\n{reasoning}\n</think>\n\n"
#    (decoded here with the tokenizer.json vocabulary), and the search from them equals the independent HF-style
#    search (tests/eval/hf_style_eval.py) on the same ids;
#  - marginalised: per user at most K distinct thoughts, most probable first; each final score is the
#    logsumexp over the thoughts of log p(thought) + that thought's beam score (and, pooled, the plain beams
#    mixed in with weight w), recomputed here from the per-thought lists the file gives;
#  - the generated thought's word recall of the narrative's reasoning, recomputed here with the same word rule;
#  - Stage 2 with --plain-weight 1 on the fixture corpus: 2 reasoning + 5 plain samples trained, the plain ones
#    supervising their 3 SID tokens only; --plain-weight outside Stage 2 is refused (exit 2);
#  - bad options and a narrative that leaks its target or names an unknown SID: exit 2, one line, nothing written.
set -euo pipefail
bin=${SIDR_BIN:?}
src=${SIDR_SOURCE_DIR:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
data=$src/data/Amazon
ds=Industrial_and_Scientific
test_csv=$data/test/${ds}_5_2016-10-2018-11.csv

bash "$src/tests/eval/make_tiny_checkpoint.sh" "$tmp/model"

# A narrative CSV for the first 4 test rows (and a leaking / unknown-SID variant for the error checks).
/usr/bin/python3 - "$test_csv" "$tmp" <<'PY'
import csv, sys
test_csv, tmp = sys.argv[1:]
rows = list(csv.DictReader(open(test_csv)))[:4]
texts = ["I keep buying printer filament, so more 3D printing supplies come next.",
         "<think>draft</think>  The user restocks lab gloves and wipes; cleaning supplies again.  ",
         "Measuring tools: calipers after the rulers <a_1><b_2><c_3> they bought.",
         "A new direction: something for the workshop."]
def write(name, reasonings, sids=None):
    with open(f"{tmp}/{name}", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["user_id", "history_item_sid", "item_sid", "reasoning_path"])
        for i, (r, text) in enumerate(zip(rows, reasonings)):
            w.writerow([r["user_id"], r["history_item_sid"], sids[i] if sids else r["item_sid"], text])
write("narrative.csv", texts)
write("leak.csv", texts[:2] + ["I think " + rows[2]["item_sid"] + " is next."] + texts[3:])
write("unknown.csv", texts, sids=[r["item_sid"] for r in rows[:3]] + ["<a_999><b_0><c_0>"])
PY

common=(--model "$tmp/model" --data "$data" --dataset $ds --mode think --beams 3 --batch-size 2 --quiet --threads 1)

"$bin" evaluate "${common[@]}" --limit 4 --think-tokens 6 --narrative "$tmp/narrative.csv" \
  --out "$tmp/ref" --with-prompt-ids > /dev/null
"$bin" evaluate "${common[@]}" --limit 4 --think-decode oracle --narrative "$tmp/narrative.csv" \
  --out "$tmp/oracle" --with-scores --with-prompt-ids > /dev/null
/usr/bin/python3 "$src/tests/eval/hf_style_eval.py" --model "$tmp/model" --prompts "$tmp/oracle/predictions.json" \
  --catalog "$data/index/$ds.index.json" --beams 3 --batch-size 2 --threads 1 --out "$tmp/hf_oracle.json"
"$bin" evaluate "${common[@]}" --limit 4 --think-decode marginalised --thoughts 3 --think-tokens 4 \
  --thought-temperature 1.5 --narrative "$tmp/narrative.csv" --out "$tmp/marg" --with-scores > /dev/null
"$bin" evaluate "${common[@]}" --limit 3 --think-decode marginalised --thoughts 2 --thought-search beam \
  --think-tokens 3 --think-pool-plain 0.3 --prompt-style training --out "$tmp/pool" --with-scores > /dev/null

/usr/bin/python3 - "$tmp" <<'PY'
import json, math, re, sys
tmp = sys.argv[1]

# Byte-level BPE decoding from tokenizer.json alone (GPT-2's bytes_to_unicode), added tokens verbatim.
tok = json.load(open(f"{tmp}/model/tokenizer.json"))
bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("\xa1"), ord("\xac") + 1)) + list(range(ord("\xae"), ord("\xff") + 1))
cs = bs[:]
n = 0
for b in range(256):
    if b not in bs:
        bs.append(b); cs.append(256 + n); n += 1
byte_of = {chr(c): b for b, c in zip(bs, cs)}
id_to = {v: k for k, v in tok["model"]["vocab"].items()}
added = {a["id"]: a["content"] for a in tok["added_tokens"]}
def decode(ids):
    out = bytearray()
    for i in ids:
        if i in added: out += added[i].encode()
        else: out += bytes(byte_of[ch] for ch in id_to[i])
    return out.decode("utf-8", errors="replace")

narr = ["I keep buying printer filament, so more 3D printing supplies come next.",
        "The user restocks lab gloves and wipes; cleaning supplies again.",
        "Measuring tools: calipers after the rulers <a_1><b_2><c_3> they bought.",
        "A new direction: something for the workshop."]

# Oracle: think prompt ids + the reasoning's block; the search equals the HF-style search on those ids.
ref = json.load(open(f"{tmp}/ref/predictions.json"))
orc = json.load(open(f"{tmp}/oracle/predictions.json"))
hf = json.load(open(f"{tmp}/hf_oracle.json"))["rows"]
assert len(orc) == 4
for i, (r, o, h) in enumerate(zip(ref, orc, hf)):
    n = len(r["prompt_ids"])
    assert o["prompt_ids"][:n] == r["prompt_ids"], i
    assert decode(o["prompt_ids"][n:]) == "<think>\n" + narr[i] + "\n</think>\n\n", repr(decode(o["prompt_ids"][n:]))
    assert o["cot"] == narr[i], o["cot"]
    assert o["predict"] == h["predict"], (o["predict"], h["predict"])
    assert all(abs(a - b) < 1e-3 for a, b in zip(o["scores"], h["scores"])), (o["scores"], h["scores"])
mo = json.load(open(f"{tmp}/oracle/metrics.json"))
assert mo["think_decode"] == "oracle" and "reasoning_word_recall" not in mo, mo

# The word rule, written again: SID tokens out, runs of ASCII letters/digits, lowercased, >= 3 characters.
def words(text):
    text = re.sub(r"<[A-Za-z]_[0-9]+>", " ", text)
    return {w.lower() for w in re.findall(r"[A-Za-z0-9]+", text) if len(w) >= 3}
def recall(reference, generated):
    r = words(reference)
    return len(r & words(generated)) / len(r)
mr = json.load(open(f"{tmp}/ref/metrics.json"))
expected = [recall(narr[i], p["cot"]) for i, p in enumerate(ref)]
assert mr["reasoning_recall_rows"] == 4, mr
assert abs(mr["reasoning_word_recall"] - sum(expected) / 4) < 1e-9, (mr["reasoning_word_recall"], expected)
for p, e in zip(ref, expected):
    assert abs(p["reasoning_word_recall"] - e) < 1e-9
assert mr["think_decode"] == "reference" and mr["narrative"].endswith("narrative.csv")
assert abs(recall("Brand ACME gloves <a_1><b_2><c_3>", "acme GLOVES, a1") - 2 / 3) < 1e-12

def lse(xs):
    m = max(xs)
    return m + math.log(sum(math.exp(x - m) for x in xs))

def check_marginal(path, K, w=0.0):
    preds = json.load(open(f"{path}/predictions.json"))
    for p in preds:
        th = p["thoughts"]
        assert 1 <= len(th) <= K, len(th)
        assert all(a["log_prob"] >= b["log_prob"] for a, b in zip(th, th[1:]))
        assert all(t["log_prob"] <= 1e-6 and t["tokens"] >= 1 for t in th)
        assert p["cot"] == th[0]["cot"]
        pool = {}
        for t in th:
            for sid, s in zip(t["predict"], t["scores"]):
                pool.setdefault(sid, []).append(t["log_prob"] + s)
        total = {sid: lse(v) for sid, v in pool.items()}
        if w > 0:  # p = (1 - w) p_think + w p_plain
            plain = dict(zip(p["plain_predict"], p["plain_scores"]))
            assert len(plain) == 3
            mixed = {}
            for sid in set(total) | set(plain):
                terms = []
                if sid in total: terms.append(math.log(1 - w) + total[sid])
                if sid in plain: terms.append(math.log(w) + plain[sid])
                mixed[sid] = lse(terms)
            total = mixed
        for sid, score in zip(p["predict"], p["scores"]):
            assert abs(total[sid] - score) < 1e-3, (sid, total[sid], score)
        assert all(a >= b for a, b in zip(p["scores"], p["scores"][1:]))
        best = sorted(total.values(), reverse=True)[:3]
        assert all(abs(a - b) < 1e-3 for a, b in zip(best, p["scores"])), (best, p["scores"])
    return preds
check_marginal(f"{tmp}/marg", 3)
mm = json.load(open(f"{tmp}/marg/metrics.json"))
assert mm["think_decode"] == "marginalised" and mm["thoughts"] == 3 and mm["thought_search"] == "sample", mm
assert 1 <= mm["mean_distinct_thoughts"] <= 3 and mm["reasoning_recall_rows"] == 4, mm
check_marginal(f"{tmp}/pool", 2, 0.3)
mp = json.load(open(f"{tmp}/pool/metrics.json"))
assert mp["think_pool_plain"] == 0.3 and mp["thought_search"] == "beam" and "narrative" not in mp, mp
print("think decodes ok")
PY

# Bad options and inputs: exit 2, one line naming the problem, nothing written.
expect_bad() {
  local pattern=$1; shift
  set +e
  "$bin" evaluate "${common[@]}" --limit 4 --out "$tmp/bad" "$@" > /dev/null 2> "$tmp/err"
  local code=$?
  set -e
  [[ $code == 2 ]] || { echo "expected exit 2, got $code for: $*"; cat "$tmp/err"; exit 1; }
  [[ $(wc -l < "$tmp/err") == 1 ]] || { echo "expected one line for: $*"; cat "$tmp/err"; exit 1; }
  grep -q -- "$pattern" "$tmp/err" || { echo "expected '$pattern' for: $*"; cat "$tmp/err"; exit 1; }
  [[ ! -e $tmp/bad ]] || { echo "wrote output for: $*"; exit 1; }
}
expect_bad "think-decode" --think-decode greedy
expect_bad "needs --narrative" --think-decode oracle
expect_bad "thoughts" --think-decode marginalised --thoughts 0
expect_bad "think-pool-plain" --think-decode marginalised --think-pool-plain 1.5
expect_bad "thought-search" --think-decode marginalised --thought-search top
expect_bad "leak.csv:4.*reasoning_path.*names its target" --narrative "$tmp/leak.csv"
expect_bad "unknown.csv:5.*item_sid.*not in the catalog" --think-decode oracle --narrative "$tmp/unknown.csv"
set +e
"$bin" evaluate --model "$tmp/model" --data "$data" --dataset $ds --think-decode marginalised --out "$tmp/bad" \
  --quiet > /dev/null 2> "$tmp/err"
code=$?
set -e
[[ $code == 2 ]] && grep -q "needs --mode think" "$tmp/err" || { echo "plain mode took --think-decode"; cat "$tmp/err"; exit 1; }
# The oracle needs a reasoning for every evaluated row: row 4 has none.
set +e
"$bin" evaluate "${common[@]}" --limit 5 --think-decode oracle --narrative "$tmp/narrative.csv" --out "$tmp/bad" \
  > /dev/null 2> "$tmp/err"
code=$?
set -e
[[ $code == 2 && ! -e $tmp/bad ]] && grep -q "test row 4" "$tmp/err" || { echo "oracle without a row's reasoning"; cat "$tmp/err"; exit 1; }
echo "bad inputs ok"

fixture=$src/tests/fixtures/tasks/Amazon
"$bin" sft --stage 2 --data "$fixture" --dataset Office_Products --model "$tmp/model" --out "$tmp/s2" --plain-weight 1 \
  --max-steps 1 --batch 4 --micro-batch 2 --threads 1 --nproc 1 --no-progress --save-samples "$tmp/s2.jsonl" \
  > /dev/null 2> "$tmp/s2.log"
grep -q "stage 2: 7 training samples (reason=2 T1=5)" "$tmp/s2.log" || { cat "$tmp/s2.log"; exit 1; }
/usr/bin/python3 - "$tmp/s2.jsonl" "$tmp/model/tokenizer.json" <<'PY'
import json, sys
samples = [json.loads(l) for l in open(sys.argv[1])]
ids = {a["content"]: a["id"] for a in json.load(open(sys.argv[2]))["added_tokens"]}
labelled = [[i for i, t in enumerate(s["labels"]) if t != -100] for s in samples]
plain = [(s, l) for s, l in zip(samples, labelled) if len(l) == 3]
assert len(samples) == 7 and len(plain) == 5, [len(l) for l in labelled]
for s, l in plain:  # the 3 SID tokens right after "</think>\n\n", then the unsupervised "<|im_end|>\n"
    n = len(s["input_ids"])
    assert l == [n - 5, n - 4, n - 3], (l, n)
    assert ids["</think>"] in s["input_ids"][n - 9:n - 5] and s["input_ids"][n - 2] == ids["<|im_end|>"]
    assert ids["<think>"] in s["input_ids"]
for s, l in zip(samples, labelled):
    if len(l) != 3:  # reasoning: supervised from <think> to the end
        assert s["input_ids"][l[0]] == ids["<think>"] and l == list(range(l[0], len(s["input_ids"]))), l[:3]
PY
set +e
"$bin" sft --stage 1 --data "$fixture" --dataset Office_Products --model "$tmp/model" --out "$tmp/bad" \
  --plain-weight 1 > /dev/null 2> "$tmp/err"
code=$?
set -e
[[ $code == 2 && ! -e $tmp/bad ]] && grep -q "plain-weight" "$tmp/err" || { echo "stage 1 took --plain-weight"; cat "$tmp/err"; exit 1; }
echo "stage 2 plain samples ok"
