"""Python peer of `sidreasoner data check`: the same loads and cross-checks with the reference's own tools
(csv + ast.literal_eval + json). Prints the wall and CPU seconds of the check alone."""
import ast
import csv
import json
import os
import sys
import time

root, name = sys.argv[1], sys.argv[2]
start, cpu_start = time.perf_counter(), time.process_time()
csv.field_size_limit(1 << 30)
index = json.load(open(os.path.join(root, "index", f"{name}.index.json"), encoding="utf-8"))
items = json.load(open(os.path.join(root, "index", f"{name}.item.json"), encoding="utf-8"))
sid = {k: "".join(v) for k, v in index.items()}
for line in open(os.path.join(root, "info", f"{name}_5_2016-10-2018-11.txt"), encoding="utf-8"):
    s, title, iid = line.rstrip("\n").split("\t")
    assert sid[iid] == s.strip() and items[iid]["title"] == title
rows = []
for split in ("train", "valid", "test"):
    with open(os.path.join(root, split, f"{name}_5_2016-10-2018-11.csv"), newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            titles = ast.literal_eval(row["history_item_title"])
            ids = ast.literal_eval(row["history_item_id"])
            sids = ast.literal_eval(row["history_item_sid"])
            assert len(titles) == len(ids) == len(sids)
            for t, i, s in zip(titles, ids, sids):
                assert sid[str(i)] == s and items[str(i)]["title"] == t
            iid = row["item_id"]
            assert sid[iid] == row["item_sid"] and items[iid]["title"] == row["item_title"]
            rows.append(row)
print(f"python peer: {len(items)} items, {len(rows)} rows, {time.perf_counter() - start:.3f} s wall, "
      f"{time.process_time() - cpu_start:.3f} s CPU")
