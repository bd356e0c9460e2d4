#!/usr/bin/python3
"""`sidreasoner data prepare --format amazon23` (the McAuley Lab "Amazon Reviews 2023" layout) against the
independent Python oracle of test_data_prepare.py, fed by a 2023 -> 2018 field conversion written here:
items are keyed by parent_asin (variant asins count for their parent), users by user_id, time is timestamp
(milliseconds) // 1000, brand is the metadata's `store`, categories its `categories` list.

The fixtures hold variants sharing a parent_asin, ties in time (equal milliseconds, and different
milliseconds within one second), duplicate reviews, items without a kept title (missing, empty, "<span id",
one character, 21 words), users below k, and a case that makes the window expand; gzip and plain.
Then the same data written in both layouts must give byte-identical outputs, and bad 2023 lines must give
exit 2 and one line naming file, line and field, with nothing written.
"""
import gzip
import json
import os
import random
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_data_prepare as a18  # noqa: E402  (the oracle; also sets TZ to America/New_York)
from checks import SIDR_BIN, check, finish, skip  # noqa: E402  (test_data_prepare put tests/python on the path)

run = a18.run


# ---- the conversion 2023 -> the oracle's 2018 fields ---------------------------------------------------
def review_as_2018(r):
    return {"reviewerID": r["user_id"], "asin": r["parent_asin"], "unixReviewTime": r["timestamp"] // 1000,
            "overall": r["rating"]}


def meta_as_2018(m):
    out = {"asin": m["parent_asin"]}
    if "title" in m:
        out["title"] = m["title"]
    if m.get("description") is not None:
        out["description"] = m["description"]
    if m.get("store") is not None:
        out["brand"] = m["store"]
    if m.get("categories"):
        out["categories"] = m["categories"]
    return out


def categories_of(m):
    """item.json's categories from a 2023 `categories` list: entries holding "</span>" dropped, stripped,
    joined with ","."""
    return ",".join(c.strip() for c in m.get("categories") or [] if "</span>" not in c).strip()


def expected_outputs(reviews, metas, dataset, k, start, end, min_items):
    """The oracle on the converted rows; then the categories, which the 2018 oracle leaves empty."""
    files, stats = a18.oracle([review_as_2018(r) for r in reviews], [meta_as_2018(m) for m in metas], dataset, k,
                              start, end, min_items)
    last_meta = {m["parent_asin"]: m for m in metas}
    item_ids = dict(line.split("\t") for line in files[f"{dataset}.item2id"].splitlines())
    asin_of = {int(i): a for a, i in item_ids.items()}
    features = json.loads(files[f"{dataset}.item.json"])
    for iid, feature in features.items():
        feature["categories"] = categories_of(last_meta[asin_of[int(iid)]])
    files[f"{dataset}.item.json"] = json.dumps(features, indent=2)
    return files, stats


# ---- a fixture in the 2023 layout ----------------------------------------------------------------------
CATEGORIES = [[], ["Industrial & Scientific"], ["Industrial & Scientific", " Test, Measure & Inspect "],
              ["Tools", "<span>x</span>", "Hand Tools"]]


def make_fixture_2023(rng, n_users, n_items):
    metas = []
    for i in range(n_items):
        kind = rng.random()
        m = {"main_category": "Industrial & Scientific", "average_rating": 4.5, "rating_number": rng.randint(0, 99),
             "features": ["Sturdy", "Light"], "price": rng.choice([None, 9.99]), "images": [], "videos": [],
             "details": {"Brand": "Acme"}, "parent_asin": f"P{i:05d}", "bought_together": None}
        if kind < 0.05:
            pass  # no title
        elif kind < 0.08:
            m["title"] = ""
        elif kind < 0.10:
            m["title"] = '<span id="x">Broken</span>'
        elif kind < 0.12:
            m["title"] = "x"
        elif kind < 0.14:
            m["title"] = " ".join(rng.choice(a18.WORDS) for _ in range(21))
        else:
            m["title"] = " ".join(rng.choice(a18.WORDS) for _ in range(rng.randint(1, 20)))
        r = rng.random()
        m["description"] = ([rng.choice(a18.DESC_BITS) for _ in range(rng.randint(0, 3))] if r < 0.85
                            else rng.choice(a18.DESC_BITS) if r < 0.95 else None)
        m["store"] = rng.choice([None, "Acme", "  Caf\u00e9 Co ", "by\nAcme", ""])
        m["categories"] = rng.choice(CATEGORIES)
        metas.append(m)
    reviews = []
    t0, t1 = a18.month_start(2015, 1), a18.month_start(2019, 2)
    w0, w1 = a18.month_start(2017, 6), a18.month_start(2018, 12)
    for u in range(n_users):
        user = f"AG{u:04d}XYZ"
        for _ in range(rng.choice([1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25])):
            parent = f"P{min(int(rng.expovariate(3.0 / n_items)), n_items - 1):05d}"
            variant = parent if rng.random() < 0.5 else f"{parent}V{rng.randint(1, 3)}"  # variants -> the parent
            seconds = rng.randint(w0, w1) if rng.random() < 0.75 else rng.randint(t0, t1)
            ms = seconds * 1000 + rng.randint(0, 999)
            row = {"rating": 5.0, "title": "ok", "text": "fine", "images": [], "asin": variant,
                   "parent_asin": parent, "user_id": user, "timestamp": ms, "verified_purchase": True,
                   "helpful_vote": 0}
            reviews.append(row)
            if rng.random() < 0.1:  # a tie with another item: the same ms, or another ms of the same second
                tie = dict(row, parent_asin=f"P{rng.randint(0, n_items - 1):05d}")
                tie["asin"] = tie["parent_asin"]
                tie["timestamp"] = ms if rng.random() < 0.5 else seconds * 1000 + rng.randint(0, 999)
                reviews.append(tie)
            if rng.random() < 0.05:  # a duplicate review
                reviews.append(dict(reviews[-1]))
    rng.shuffle(reviews)
    return reviews, metas


def write_lines(path, rows):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "wt", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def prepare_args(fmt, rpath, mpath, k, start, end, min_items, out):
    return ["--format", fmt, "--reviews", rpath, "--meta", mpath, "--dataset", "Toy", "--k", str(k),
            "--start", f"{start[0]}-{start[1]:02d}", "--end", f"{end[0]}-{end[1]:02d}",
            "--min-items", str(min_items), "--out", out]


def read_dir(path):
    return {name: open(os.path.join(path, name), "rb").read() for name in sorted(os.listdir(path))}


def main():
    if not os.path.exists(SIDR_BIN):
        skip(f"no binary {SIDR_BIN}")
    work = tempfile.mkdtemp(prefix="sidr_prepare23_")
    start, end = (2017, 10), (2018, 11)
    cases = [  # (seed, k, gz, users, items, expand)
        (1, 5, False, 150, 60, False),
        (2, 3, True, 200, 80, True),  # min_items one above what survives the asked window: expands
        (3, 2, False, 80, 30, False),
    ]
    expanded = False
    categories_seen = variants_seen = False
    for seed, k, gz, n_users, n_items, expand in cases:
        reviews, metas = make_fixture_2023(random.Random(seed), n_users, n_items)
        suffix = ".jsonl.gz" if gz else ".jsonl"
        rpath, mpath = os.path.join(work, f"Toy{seed}{suffix}"), os.path.join(work, f"meta_Toy{seed}{suffix}")
        write_lines(rpath, reviews)
        write_lines(mpath, metas)
        min_items = 0
        if expand:
            _, unexpanded = expected_outputs(reviews, metas, "Toy", k, start, end, 0)
            min_items = unexpanded["items"] + 1
        expected, stats = expected_outputs(reviews, metas, "Toy", k, start, end, min_items)
        label = f"amazon23 seed={seed} k={k} gz={gz} min_items={min_items}"
        if expand:
            check(stats["start_year"] < start[0], f"{label}: the fixture does not expand the window ({stats})")
            expanded = True
        out = os.path.join(work, f"out23_{seed}")
        result = run(prepare_args("amazon23", rpath, mpath, k, start, end, min_items, out))
        if not a18.check_prepared(result, out, expected, stats, start, label):
            continue
        item_json = json.loads(expected["Toy.item.json"])
        categories_seen |= any(v["categories"] for v in item_json.values())
        kept_items = {line.split("\t")[0] for line in expected["Toy.item2id"].splitlines()}
        variants_seen |= any(r["asin"] != r["parent_asin"] and r["parent_asin"] in kept_items for r in reviews)

        # The same data in the 2018 layout (seconds, asin/reviewerID/brand) gives the same bytes.
        rpath18, mpath18 = os.path.join(work, f"r18_{seed}.json"), os.path.join(work, f"m18_{seed}.json")
        write_lines(rpath18, [review_as_2018(r) for r in reviews])
        write_lines(mpath18, [meta_as_2018(m) for m in metas])
        out18 = os.path.join(work, f"out18_{seed}")
        result18 = run(prepare_args("amazon18", rpath18, mpath18, k, start, end, min_items, out18))
        check(result18.returncode == 0, f"{label} as 2018: exit {result18.returncode}: {result18.stderr.strip()}")
        if result18.returncode == 0:
            a, b = read_dir(out), read_dir(out18)
            check(a == b, f"{label}: 2018 and 2023 layouts differ in {[n for n in a if a.get(n) != b.get(n)]}")
    check(expanded, "no case expanded the window")
    check(categories_seen, "no item.json carries categories")
    check(variants_seen, "no kept item was reviewed through a variant asin")

    # Bad 2023 lines: exit 2, one line naming file:line and field, nothing written. --k 1 so that the single
    # good item survives and its description is read (pass 2).
    good_review = {"rating": 5.0, "asin": "P0V1", "parent_asin": "P0", "user_id": "U1", "timestamp": 1520000000000}
    good_meta = {"parent_asin": "P0", "title": "A fine title", "description": ["Fine."], "store": "Acme"}
    bad_cases = [
        ("reviews", 2, '{"parent_asin": "P0", "user_id": "U1", "timestamp": 15200', "broken JSON"),
        ("reviews", 3, '{"asin": "P0", "user_id": "U1", "timestamp": 1520000000000}', "field 'parent_asin': missing"),
        ("reviews", 1, '{"parent_asin": 7, "user_id": "U1", "timestamp": 1520000000000}',
         "field 'parent_asin': expected a string"),
        ("reviews", 2, '{"parent_asin": "P0", "timestamp": 1520000000000}', "field 'user_id': missing"),
        ("reviews", 2, '{"parent_asin": "P0", "user_id": null, "timestamp": 1520000000000}',
         "field 'user_id': expected a string"),
        ("reviews", 3, '{"parent_asin": "P0", "user_id": "U1"}', "field 'timestamp': missing"),
        ("reviews", 1, '{"parent_asin": "P0", "user_id": "U1", "timestamp": 1520000000000.5}',
         "field 'timestamp': expected an integer"),
        ("reviews", 2, '{"parent_asin": "P0", "user_id": "U1", "timestamp": "1520000000000"}',
         "field 'timestamp': expected an integer"),
        ("meta", 1, '{"parent_asin": "P0", "title": 5}', "field 'title': expected a string"),
        ("meta", 2, '{"title": "No parent here"}', "field 'parent_asin': missing"),
        ("meta", 1, '{"parent_asin": "P0", "title": "A fine title", "description": [1]}',
         "field 'description': expected a list of strings"),
        ("meta", 1, '{"parent_asin": "P0", "title": "A fine title", "description": {"a": "b"}}',
         "field 'description': expected a string or a list of strings"),
        ("meta", 1, '{"parent_asin": "P0", "title": "A fine title", "store": 3}', "field 'store': expected a string"),
    ]
    for which, line_no, text, message in bad_cases:
        rows_r = [json.dumps(good_review)] * 3
        rows_m = ([json.dumps(good_meta)] if which == "reviews" else []) + [json.dumps({"parent_asin": "P9",
                                                                                        "title": "Other"})]
        rows = rows_r if which == "reviews" else rows_m
        rows.insert(line_no - 1, text)
        rpath, mpath = os.path.join(work, "bad.jsonl"), os.path.join(work, "meta_bad.jsonl")
        open(rpath, "w").write("\n".join(rows_r) + "\n")
        open(mpath, "w").write("\n".join(rows_m) + "\n")
        out = os.path.join(work, "bad_out")
        result = run(prepare_args("amazon23", rpath, mpath, 1, start, end, 0, out))
        a18.check_bad_line(result, rpath if which == "reviews" else mpath, line_no, message, out,
                           f"bad amazon23 {which} line {line_no} ({message})")
    # The good lines alone pass: the bad cases fail for their line, not for the rest.
    open(rpath, "w").write((json.dumps(good_review) + "\n") * 3)
    open(mpath, "w").write(json.dumps(good_meta) + "\n")
    result = run(prepare_args("amazon23", rpath, mpath, 1, start, end, 0, os.path.join(work, "good_out")))
    check(result.returncode == 0, f"good amazon23 lines: exit {result.returncode}: {result.stderr.strip()}")

    return finish("all data prepare amazon23 checks passed", f"fixtures kept in {work}")


if __name__ == "__main__":
    sys.exit(main())
