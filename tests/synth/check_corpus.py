#!/usr/bin/env python3
"""Independent checker of a synthesized corpus (issue 17), in plain Python: reads the written files and the
dataset with csv/json/ast/html only, and re-derives every rule from the dataset.

usage: check_corpus.py DATA_ROOT DATASET CORPUS_ROOT [--rows N]
Prints one line of statistics as JSON and exits 1 on the first violation (printed with its row)."""
import ast
import csv
import html
import io
import json
import re
import sys

STOP = set("the and for with from that this are was were has have not you your our its all any can use used into "
           "onto per of to in on at by or an a as is it be".split())
UNITS = set("pack packs pcs piece pieces inch inches lbs length width height diameter size count set sets mm ft feet "
            "oz qty quantity total new".split())
NEW_DIRECTION = {"Nothing in my earlier purchases points to what I need next, so I expect to move in a new "
                 "direction.",
                 "My earlier purchases do not tell me what comes next; this time I expect something different.",
                 "I expect a change."}
SID_TOKEN = re.compile(r"<[a-z]_[0-9]+>")


def clean(text, dataset, junk=True):
    text = text.strip()
    if text.endswith('" />'):
        text = text[:-4]
    text = re.sub(r"<!--.*?(-->|$)", " ", text, flags=re.S)
    text = re.sub(r"<[A-Za-z/][^>]*>", " ", text)
    text = html.unescape(text)
    text = " ".join(text.replace("\xa0", " ").split())
    category = " ".join("&" if p == "and" else p for p in dataset.split("_"))
    return "" if junk and (text == category or not words(text)) else text


def words(text):
    return re.findall(r"[a-z0-9]+", text.lower())


def content(text):
    return {w for w in words(text) if len(w) >= 3 and w[0].isalpha() and w not in STOP and w not in UNITS}


def contains_run(seq, run):
    return len(run) >= 2 and any(seq[i:i + len(run)] == run for i in range(len(seq) - len(run) + 1))


def fail(msg):
    print("FAIL " + msg)
    sys.exit(1)


def main():
    data, dataset, corpus = sys.argv[1], sys.argv[2], sys.argv[3]
    max_rows = int(sys.argv[5]) if len(sys.argv) > 5 and sys.argv[4] == "--rows" else None
    items = json.load(open(f"{data}/index/{dataset}.item.json", encoding="utf-8"))
    index = json.load(open(f"{data}/index/{dataset}.index.json", encoding="utf-8"))
    sid_of = {k: "".join(v) for k, v in index.items()}
    known_sids = set(sid_of.values())
    title = {k: clean(v["title"], dataset) for k, v in items.items()}
    brand = {k: clean(v.get("brand", ""), dataset, junk=False) for k, v in items.items()}

    # ---- item_enhanced_v2.json
    enhanced = json.load(open(f"{corpus}/index/{dataset}.item_enhanced_v2.json", encoding="utf-8"))
    if list(enhanced) != list(index):
        fail("item_enhanced_v2.json keys differ from index.json's (or their order)")
    for key, entry in enhanced.items():
        text, sid = entry["llm_stage2"], sid_of[key]
        if sid not in text:
            fail(f"item {key}: llm_stage2 does not name its SID")
        others = set(re.findall(r"(?:<[a-z]_[0-9]+>)+", text)) - {sid}
        if others:
            fail(f"item {key}: llm_stage2 names other SIDs {others}")
        if contains_run(words(text.replace(sid, " ")), words(title[key])):
            fail(f"item {key}: llm_stage2 recites the title")
        if html.unescape(text) != text or '" />' in text:
            fail(f"item {key}: llm_stage2 keeps an HTML entity or a scraped-attribute tail: {text[:200]}")
        if entry["title"] != items[key]["title"] or entry["index"] != sid:
            fail(f"item {key}: title/index fields differ from the catalog")

    # ---- integrated_narrative.csv: bytes as Python's csv.writer (pandas) writes the parsed records
    raw = open(f"{corpus}/index/{dataset}.integrated_narrative.csv", encoding="utf-8", newline="").read()
    records = list(csv.reader(io.StringIO(raw, newline="")))
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\n").writerows(records)
    if out.getvalue() != raw:
        fail("the narrative CSV is not byte-identical to Python csv.writer's output of its own records")
    header, rows = records[0], records[1:]
    train = list(csv.reader(open(f"{data}/train/{dataset}_5_2016-10-2018-11.csv", encoding="utf-8", newline="")))
    want_rows = train[1:] if max_rows is None else train[1:1 + max_rows]
    if header != train[0] + ["reasoning_path", "integrated_narrative"]:
        fail(f"header {header}")
    if len(rows) != len(want_rows):
        fail(f"{len(rows)} rows, the train CSV has {len(want_rows)}")

    col = {name: i for i, name in enumerate(header)}
    stats = {"rows": len(rows), "shared_words": 0, "shared_brand": 0, "new_direction": 0, "fallbacks": 0}
    for n, (row, train_row) in enumerate(zip(rows, want_rows), start=1):
        where = f"row {n} (user {row[0]})"
        if row[:len(train_row)] != train_row:
            fail(f"{where}: train columns differ from the train CSV")
        history_ids = [str(i) for i in ast.literal_eval(row[col["history_item_id"]])]
        history_sids = ast.literal_eval(row[col["history_item_sid"]])
        target_id, target_sid = row[col["item_id"]], row[col["item_sid"]]
        reasoning, narrative = row[col["reasoning_path"]], row[col["integrated_narrative"]]
        if target_sid in reasoning:
            fail(f"{where}: the reasoning names the target SID")
        rest = reasoning
        for sid in set(history_sids) - {target_sid}:
            rest = rest.replace(sid, " ")
        if SID_TOKEN.search(rest):
            fail(f"{where}: a SID token outside the history's SIDs: {SID_TOKEN.search(rest).group()}")
        for sid in re.findall(r"(?:<[a-z]_[0-9]+>){3}", reasoning + " " + narrative):
            if sid not in known_sids:
                fail(f"{where}: unknown SID {sid}")
        history_words = set().union(*[content(title[h]) | content(brand[h]) for h in history_ids])
        target_only = (content(title[target_id]) | content(brand[target_id])) - history_words
        leaked = target_only & set(words(rest))
        if leaked:
            fail(f"{where}: target-only words {sorted(leaked)} in: {reasoning}")
        if contains_run(words(rest), words(title[target_id])):
            fail(f"{where}: the reasoning recites the target title")
        if html.unescape(reasoning) != reasoning or '" />' in reasoning:
            fail(f"{where}: the reasoning keeps an HTML entity or a scraped-attribute tail")
        if not re.search(r"\b(I|my|me)\b", reasoning):
            fail(f"{where}: not in the first person")
        # Target-selected: every quoted word is shared by the target title and a history title.
        shared = content(title[target_id]) & set().union(*[content(title[h]) for h in history_ids])
        tb = brand[target_id].lower()
        shares_brand = bool(words(tb)) and any(brand[h].lower() == tb for h in history_ids)
        quoted = set(re.findall(r"'([a-z0-9]+)'", reasoning))
        if not quoted <= shared:
            fail(f"{where}: quoted words {sorted(quoted - shared)} are not shared with the target")
        stats["shared_words"] += bool(shared)
        stats["shared_brand"] += shares_brand
        if reasoning in NEW_DIRECTION:
            stats["new_direction"] += 1
            stats["fallbacks"] += bool(shared or shares_brand)
        elif not shared and not shares_brand:
            fail(f"{where}: no shared word or brand, yet not the new-direction statement: {reasoning}")
        elif shared and not quoted:
            fail(f"{where}: shared words {sorted(shared)} but none named: {reasoning}")
        # The narrative: history SIDs in order, then the reasoning, ending with the target SID.
        pos = 0
        for sid in history_sids:
            pos = narrative.find(sid, pos)
            if pos < 0:
                fail(f"{where}: the narrative does not recite the history in order")
            pos += len(sid)
        if narrative.find(reasoning, pos) < 0 or not narrative.endswith(target_sid):
            fail(f"{where}: the narrative does not weave in the reasoning and end with the target SID")
    print(json.dumps(stats))


if __name__ == "__main__":
    main()
