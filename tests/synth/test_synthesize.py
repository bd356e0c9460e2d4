#!/usr/bin/env python3
"""`sidreasoner synthesize` on the shipped data (Industrial_and_Scientific, all 36,259 train rows): the
independent checker (check_corpus.py) passes over the whole written corpus, the printed shares agree with the
checker's own count, the same seed gives the same bytes (a prefix run gives the prefix), another seed other
bytes, and the CSV reads back through `tasks render`."""
import json
import os
import re
import subprocess
import sys
import tempfile

BIN = os.environ["SIDR_BIN"]
SRC = os.environ["SIDR_SOURCE_DIR"]
DATA = f"{SRC}/data/Amazon"
CAT = "Industrial_and_Scientific"
HERE = os.path.dirname(os.path.abspath(__file__))


def synthesize(out, *extra):
    r = subprocess.run([BIN, "synthesize", "--data", DATA, "--dataset", CAT, "--out", out, *extra],
                       capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"FAIL synthesize exited {r.returncode}: {r.stderr.strip()}")
    return r.stdout


def read(out, suffix):
    with open(f"{out}/index/{CAT}.{suffix}", "rb") as f:
        return f.read()


def main():
    with tempfile.TemporaryDirectory() as tmp:
        full, prefix, other = f"{tmp}/full", f"{tmp}/prefix", f"{tmp}/other"
        summary = synthesize(full, "--seed", "7")
        print(summary, end="")
        check = subprocess.run([sys.executable, f"{HERE}/check_corpus.py", DATA, CAT, full],
                               capture_output=True, text=True)
        print(check.stdout + check.stderr, end="")
        if check.returncode != 0:
            sys.exit("FAIL the independent checker refused the corpus")
        stats = json.loads(check.stdout.strip().splitlines()[-1])
        if stats["rows"] != 36259:
            sys.exit(f"FAIL {stats['rows']} rows written, expected 36259")
        m = re.search(r"new direction (\d+) \(.*?of which (\d+) because", summary)
        if not m or int(m.group(1)) != stats["new_direction"] or int(m.group(2)) != stats["fallbacks"]:
            sys.exit(f"FAIL printed new-direction counts {m and m.groups()} differ from the checker's {stats}")
        m = re.search(r"rows with shared words ([\d.]+)%, with a shared brand ([\d.]+)%", summary)
        words_pct = 100.0 * stats["shared_words"] / stats["rows"]
        brand_pct = 100.0 * stats["shared_brand"] / stats["rows"]
        # The printed shares count the grounding used; the checker counts rows that have shared words/brands.
        # They differ only by the rows whose every template leaked (fallbacks).
        slack = 100.0 * stats["fallbacks"] / stats["rows"] + 0.05
        if not m or abs(float(m.group(1)) - words_pct) > slack or abs(float(m.group(2)) - brand_pct) > slack:
            sys.exit(f"FAIL printed shares {m and m.groups()} vs checker {words_pct:.1f}% / {brand_pct:.1f}%")

        # The checker can fail: one row broken at a time (the target SID; a target-only word) is refused.
        import csv, shutil
        rows = list(csv.reader(open(f"{full}/index/{CAT}.integrated_narrative.csv", encoding="utf-8", newline="")))
        items = json.load(open(f"{DATA}/index/{CAT}.item.json", encoding="utf-8"))
        cols = {c: i for i, c in enumerate(rows[0])}
        row = rows[1 + 1234]
        target_only = [w for w in re.findall(r"[a-z]{4,}", items[row[cols["item_id"]]]["title"].lower())
                       if w not in row[cols["history_item_title"]].lower()]
        for name, extra in (("target SID", row[cols["item_sid"]]), ("target-only word", target_only[0])):
            broken = f"{tmp}/broken"
            shutil.copytree(full, broken)
            bad = [list(r) for r in rows]
            bad[1 + 1234][cols["reasoning_path"]] += " " + extra
            with open(f"{broken}/index/{CAT}.integrated_narrative.csv", "w", encoding="utf-8", newline="") as f:
                csv.writer(f, lineterminator="\n").writerows(bad)
            r = subprocess.run([sys.executable, f"{HERE}/check_corpus.py", DATA, CAT, broken], capture_output=True,
                               text=True)
            if r.returncode == 0 or "row 1235" not in r.stdout:
                sys.exit(f"FAIL the checker accepted a reasoning with the {name}: {r.stdout}")
            print(f"ok   the checker refuses a reasoning with the {name}: {r.stdout.strip()[:120]}")
            shutil.rmtree(broken)

        synthesize(prefix, "--seed", "7", "--max-rows", "500")
        full_csv, prefix_csv = read(full, "integrated_narrative.csv"), read(prefix, "integrated_narrative.csv")
        if not full_csv.startswith(prefix_csv):
            sys.exit("FAIL the first 500 rows of a --max-rows 500 run differ from the full run's")
        if read(full, "item_enhanced_v2.json") != read(prefix, "item_enhanced_v2.json"):
            sys.exit("FAIL the same seed wrote different item paragraphs")
        synthesize(other, "--seed", "8", "--max-rows", "500")
        if read(other, "integrated_narrative.csv") == prefix_csv:
            sys.exit("FAIL another seed wrote the same narrative CSV")
        check = subprocess.run([sys.executable, f"{HERE}/check_corpus.py", DATA, CAT, prefix, "--rows", "500"],
                               capture_output=True, text=True)
        if check.returncode != 0:
            sys.exit("FAIL checker on the prefix run: " + check.stdout)

        # The readers take the files: tasks render (T6, T7, reason) on the written corpus.
        for task in ("T6", "T7", "reason"):
            r = subprocess.run([BIN, "tasks", "render", "--data", DATA, "--dataset", CAT, "--task", task, "--row", "3",
                                "--item-corpus", f"{full}/index/{CAT}.item_enhanced_v2.json",
                                "--narrative", f"{full}/index/{CAT}.integrated_narrative.csv"],
                               capture_output=True, text=True)
            if r.returncode != 0 or "<a_" not in r.stdout:
                sys.exit(f"FAIL tasks render --task {task}: {r.returncode} {r.stderr.strip()}")
    print("ok: the whole corpus passes the independent checker; shares words "
          f"{words_pct:.1f}%, brand {brand_pct:.1f}%, new direction {100.0 * stats['new_direction'] / stats['rows']:.1f}%")


if __name__ == "__main__":
    main()
