#!/usr/bin/python3
"""The reference layout back to MiniOneRec's intermediate files, so `data convert` can re-key a shipped dataset
with new SIDs (docs/prepare.md, the embed -> sid build -> data convert chain):
    reference_to_inter.py ROOT NAME OUT
reads ROOT/{train,valid,test}/NAME_5_2016-10-2018-11.csv and ROOT/index/NAME.item.json, writes
OUT/NAME.{train,valid,test}.inter (user "A{uid}" -> uid, the history ids space-separated, the target id) and a
copy of OUT/NAME.item.json."""
import ast
import csv
import os
import shutil
import sys

root, name, out = sys.argv[1:4]
os.makedirs(out, exist_ok=True)
for split in ("train", "valid", "test"):
    with open(os.path.join(root, split, f"{name}_5_2016-10-2018-11.csv"), newline="") as f, \
            open(os.path.join(out, f"{name}.{split}.inter"), "w") as w:
        w.write("user_id:token\titem_id_list:token_seq\titem_id:token\n")
        for row in csv.DictReader(f):
            user = row["user_id"]
            if not user.startswith("A") or not user[1:].isdigit():
                sys.exit(f"{f.name}: user_id {user!r} is not A<number>")
            history = ast.literal_eval(row["history_item_id"])
            w.write(f"{user[1:]}\t{' '.join(str(int(i)) for i in history)}\t{int(row['item_id'])}\n")
shutil.copyfile(os.path.join(root, "index", f"{name}.item.json"), os.path.join(out, f"{name}.item.json"))
