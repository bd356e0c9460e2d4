#!/usr/bin/python3
"""`sidreasoner data prepare` against an independent Python implementation of reference §2.1
(data/amazon18_data_process.py as the reference describes it), on fixtures written here.

The fixtures hold what the script has to get right: ties in time (file order decides), duplicate reviews
(kept), duplicate metadata lines, items without a kept title (missing, "<span id", one character, 21 words,
entities and quotes to clean), users and items below k (several k-core passes), reviews outside the window,
the window auto-expansion, descriptions that need repr(), tag removal, html.unescape and whitespace collapsing,
brands with "by\\n", a .gz input, and a time zone that is not UTC. Every output file must be byte-identical.
Then bad input: each broken line must give exit 2 and one line naming file, line and field, and write nothing.
"""
import collections
import csv
import datetime
import gzip
import html
import json
import os
import random
import re
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
from checks import SIDR_BIN, check, finish, run_binary, skip  # noqa: E402

TZ = "America/New_York"  # local-time bounds, as the script computes them; not UTC on purpose
os.environ["TZ"] = TZ
import time  # noqa: E402

time.tzset()


# ---- the oracle: reference §2.1, written from the text --------------------------------------------------
def month_start(year, month):
    return int(datetime.datetime(year, month, 1, 0, 0, 0).timestamp())


def title_of(meta):
    """None if dropped, else the cleaned title (step 1)."""
    if "title" not in meta or "<span id" in meta["title"]:
        return None
    t = meta["title"].replace("&quot;", '"').replace("&amp;", "&").strip(" ").strip('"')
    if len(t) <= 1 or len(t.split(" ")) > 20:
        return None
    return t


def clean_text(value):
    if not value:
        return ""
    text = str(value)
    text = re.sub(r"<[^>]+>", "", text)
    text = html.unescape(text)
    text = text.replace("&quot;", '"').replace("&amp;", "&")
    return re.sub(r"\s+", " ", text).strip()


def kcore(reviews, titled, k, start, end):
    removed_users, removed_items = set(), set()
    while True:
        survivors = [r for r in reviews
                     if (not (start and end) or start <= int(r["unixReviewTime"]) <= end)
                     and r["asin"] in titled and r["reviewerID"] not in removed_users
                     and r["asin"] not in removed_items]
        users = collections.Counter(r["reviewerID"] for r in survivors)
        items = collections.Counter(r["asin"] for r in survivors)
        low_users = {u for u, c in users.items() if c < k}
        low_items = {i for i, c in items.items() if c < k}
        if not low_users and not low_items:
            return survivors, len(items)
        removed_users |= low_users
        removed_items |= low_items


def oracle(reviews, metas, dataset, k, start_ym, end_ym, min_items, floor_year=1996, generic=False):
    titled = {}
    last_meta = {}
    for m in metas:
        t = m["title"].strip() or None if generic else title_of(m)
        if t is not None:
            titled[m["asin"]] = t
        if t is not None or not generic:  # generic: the last titled row; amazon18: the last line (the script)
            last_meta[m["asin"]] = m
    end = month_start(*end_ym) if end_ym else None
    year, month = start_ym if start_ym else (None, None)
    while True:
        start = month_start(year, month) if start_ym else None
        kept, n_items = kcore(reviews, titled, k, start, end)
        if start_ym and year > floor_year and n_items < min_items:
            year -= 1
            continue
        break
    by_user = collections.OrderedDict()
    for r in kept:
        by_user.setdefault(r["reviewerID"], []).append(r)
    user_index, item_index, sequences = {}, {}, {}
    samples = []
    for user, rs in by_user.items():
        user_index[user] = len(user_index)
        rs = sorted(rs, key=lambda r: int(r["unixReviewTime"]))
        seq = []
        for r in rs:
            item_index.setdefault(r["asin"], len(item_index))
            seq.append(item_index[r["asin"]])
        sequences[user_index[user]] = seq
        for i in range(1, len(seq)):
            samples.append((user_index[user], seq[max(0, i - 10):i], seq[i], int(rs[i]["unixReviewTime"])))
    samples.sort(key=lambda s: s[3])
    n = len(samples)
    cut1, cut2 = int(n * 0.8), int(n * 0.9)
    files = {}
    for name, part in (("train", samples[:cut1]), ("valid", samples[cut1:cut2]), ("test", samples[cut2:])):
        lines = ["user_id:token\titem_id_list:token_seq\titem_id:token\n"]
        for u, hist, target, _ in part:
            lines.append(f"{u}\t{' '.join(map(str, hist[-50:]))}\t{target}\n")
        files[f"{dataset}.{name}.inter"] = "".join(lines)
    files[f"{dataset}.inter.json"] = json.dumps(sequences, indent=2)
    features = {}
    for asin, iid in item_index.items():
        m = last_meta[asin]
        if generic:
            features[iid] = {"title": titled[asin], "description": m.get("description", ""),
                             "brand": m.get("brand", ""), "categories": m.get("categories", "")}
            continue
        desc = m.get("description", "")
        features[iid] = {"title": titled[asin], "description": clean_text(desc) if desc else "",
                         "brand": m.get("brand", "").replace("by\n", "").strip(), "categories": ""}
    files[f"{dataset}.item.json"] = json.dumps(features, indent=2)
    files[f"{dataset}.user2id"] = "".join(f"{u}\t{i}\n" for u, i in user_index.items())
    files[f"{dataset}.item2id"] = "".join(f"{a}\t{i}\n" for a, i in item_index.items())
    return files, {"users": len(user_index), "items": len(item_index), "samples": n, "start_year": year}


# ---- fixtures ----------------------------------------------------------------------------------------
WORDS = ["Steel", "Pipe", "Fitting", "3D", "PLA", "Filament", "Relay", "Kit", "Glove", "Nitrile", "Tape",
         "Caf\u00e9", "\u00d8ring", "M\u00fcller", "\u2603", "\U0001F600", "O'Brien", "12\"", "A&amp;B",
         "&quot;Pro&quot;", "x"]
DESC_BITS = ["Heavy duty.", "<b>bold</b> text", "it's great", 'say "hi"', "both ' and \"", "tab\there",
             "new\nline", "&lt;not a tag&gt;", "&nbsp;spaced&#160;out", "&amp;amp;", "&copy; 2018", "&#x41;&#66",
             "caf\u00e9 \u2028 sep", "back\\slash", "ctrl\x07bell", "zero\u200bwidth", "<a href='x'>link</a>",
             "emoji \U0001F680", "", "   ", "&unknownentity;", "&ampx", "trailing..."]


def make_fixture(rng, n_users=120, n_items=60, base_year=2017):
    metas = []
    for i in range(n_items):
        asin = f"B{i:05d}"
        kind = rng.random()
        m = {"asin": asin}
        if kind < 0.06:
            pass  # no title
        elif kind < 0.09:
            m["title"] = '<span id="x">Broken</span>'
        elif kind < 0.12:
            m["title"] = rng.choice(["x", " \"y\" ", "&quot;z&quot;"])
        elif kind < 0.15:
            m["title"] = " ".join(rng.choice(WORDS) for _ in range(21))
        else:
            m["title"] = " " * rng.randint(0, 2) + " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 20)))
        r = rng.random()
        if r < 0.6:
            m["description"] = [rng.choice(DESC_BITS) for _ in range(rng.randint(0, 3))]
        elif r < 0.8:
            m["description"] = rng.choice(DESC_BITS)
        if rng.random() < 0.8:
            m["brand"] = rng.choice(["by\nAcme", "  Acme  ", "Caf\u00e9 Co", "bby\ny\n", ""])
        m["category"] = ["Industrial", "Tools"]  # Amazon'18's key, which the script does not read
        metas.append(m)
        if rng.random() < 0.08:  # a second metadata line for the same asin
            m2 = dict(m)
            m2["title"] = rng.choice(["Second Title Wins", "<span id='q'>", "y"])
            m2["description"] = ["later description"]
            metas.append(m2)
    reviews = []
    t0 = month_start(base_year - 2, 1)
    t1 = month_start(2019, 2)
    w0, w1 = month_start(2017, 6), month_start(2018, 12)
    for u in range(n_users):
        n = rng.choice([1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25])
        user = f"U{u:04d}"
        for _ in range(n):
            item = f"B{min(int(rng.expovariate(3.0 / n_items)), n_items - 1):05d}"  # popular items first
            # most reviews fall in 2017-06 .. 2018-12 (around the window), some anywhere in the range
            t = rng.randint(w0, w1) if rng.random() < 0.75 else rng.randint(t0, t1)
            reviews.append({"reviewerID": user, "asin": item, "overall": 5.0, "unixReviewTime": t,
                            "reviewText": "ok", "summary": "s"})
            if rng.random() < 0.1:  # a tie in time with another item
                reviews.append({"reviewerID": user, "asin": f"B{rng.randint(0, n_items - 1):05d}",
                                "overall": 4.0, "unixReviewTime": t})
            if rng.random() < 0.05:  # a duplicate review
                reviews.append(dict(reviews[-1]))
    rng.shuffle(reviews)
    return reviews, metas


def write_lines(path, rows, gz=False):
    opener = gzip.open if gz else open
    with opener(path, "wt", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=rng_ascii.random() < 0.5) + "\n")


rng_ascii = random.Random(7)


def run(args, env_tz=TZ):
    return run_binary(["data", "prepare"] + args, env=dict(os.environ, TZ=env_tz))


def compare(out_dir, expected, label):
    for name, text in expected.items():
        path = os.path.join(out_dir, name)
        if not os.path.exists(path):
            check(False, f"{label}: {name} missing")
            continue
        with open(path, encoding="utf-8", newline="") as f:
            got = f.read()
        if got != text:
            lines_a, lines_b = got.splitlines(), text.splitlines()
            first = next((i for i, (a, b) in enumerate(zip(lines_a, lines_b)) if a != b), min(len(lines_a), len(lines_b)))
            check(False, f"{label}: {name} differs at line {first + 1}: got {lines_a[first:first + 1]!r}, "
                         f"expected {lines_b[first:first + 1]!r}")


def check_prepared(result, out, expected, stats, start, label):
    """A `data prepare` run that must succeed: exit 0, a fixture big enough to mean something, every file equal
    to the oracle's, the (maybe expanded) window on stdout. False when it did not even exit 0."""
    check(result.returncode == 0, f"{label}: exit {result.returncode}: {result.stderr.strip()}")
    if result.returncode != 0:
        return False
    print(f"{label}: {stats}")
    check(stats["samples"] > 20, f"{label}: fixture too small to mean anything ({stats})")
    compare(out, expected, label)
    check(f"{stats['start_year']}-{start[1]:02d} .." in result.stdout, f"{label}: window line: {result.stdout}")
    return True


def check_bad_line(result, path, line_no, message, out, label):
    """A broken input line: exit 2, one line naming path:line and the field's message, no output directory."""
    err = result.stderr.strip()
    check(result.returncode == 2, f"{label}: exit {result.returncode}, stderr {err!r}")
    check(len(err.splitlines()) == 1 and f"{path}:{line_no}" in err and message in err, f"{label}: {err!r}")
    check(not os.path.exists(out), f"{label}: output written")


def convert_oracle(prepared, dataset, index):
    """convert_dataset.py as reference §2.3 describes it."""
    items = json.load(open(os.path.join(prepared, f"{dataset}.item.json")))
    sid = {k: "".join(v) for k, v in index.items()}
    files = {f"info/{dataset}_5_2016-10-2018-11.txt":
             "".join(f"{sid[k]}\t{v['title']}\t{k}\n" for k, v in items.items())}
    for split in ("train", "valid", "test"):
        import io
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["user_id", "history_item_title", "item_title", "history_item_id", "item_id", "history_item_sid",
                    "item_sid"])
        with open(os.path.join(prepared, f"{dataset}.{split}.inter")) as f:
            next(f)
            for line in f:
                u, hist, target = line.rstrip("\n").split("\t")
                hist = [int(h) for h in hist.split(" ")]
                w.writerow([f"A{u}", repr([items[str(h)]["title"] for h in hist]), items[target]["title"], repr(hist),
                            int(target), repr([sid[str(h)] for h in hist]), sid[target]])
        files[f"{split}/{dataset}_5_2016-10-2018-11.csv"] = buf.getvalue()
    return files


def check_convert(work, prepared, dataset):
    """data convert -> the reference layout, byte-equal to the §2.3 oracle, then `data check` accepts it."""
    items = json.load(open(os.path.join(prepared, f"{dataset}.item.json")))
    index = {k: [f"<a_{i % 7}>", f"<b_{(i // 7) % 5}>", f"<c_{i // 35}>"] for i, k in enumerate(items)}
    index_path = os.path.join(work, "convert_index.json")
    json.dump(index, open(index_path, "w"))
    root = os.path.join(work, "layout")
    result = run_binary(["data", "convert", "--prepared", prepared, "--dataset", dataset, "--index", index_path,
                         "--out", root])
    check(result.returncode == 0, f"convert: {result.returncode} {result.stderr}")
    compare(root, convert_oracle(prepared, dataset, index), "convert")
    result = run_binary(["data", "check", "--data", root, "--dataset", dataset])
    check(result.returncode == 0 and "warnings          none" in result.stdout,
          f"data check on the converted layout: {result.returncode} {result.stdout} {result.stderr}")
    del index[next(iter(index))]
    json.dump(index, open(index_path, "w"))
    result = run_binary(["data", "convert", "--prepared", prepared, "--dataset", dataset, "--index", index_path,
                         "--out", os.path.join(work, "layout2")])
    check(result.returncode == 2 and "item has no SID" in result.stderr and index_path in result.stderr,
          f"convert with a missing SID: {result.returncode} {result.stderr!r}")
    check(not os.path.exists(os.path.join(work, "layout2")), "convert wrote output for bad input")


def main():
    if not os.path.exists(SIDR_BIN):
        skip(f"no binary {SIDR_BIN}")
    work = tempfile.mkdtemp(prefix="sidr_prepare_")
    cases = [
        # (seed, k, start, end, min_items, gz, users, items): min_items 0 = no expansion; large = expand to 1996
        (1, 5, (2017, 10), (2018, 11), 0, False, 150, 60),
        (2, 3, (2017, 10), (2018, 11), 65, True, 200, 80),  # expands once (64 items from 2017-10, 65 from 2016-10)
        (3, 2, (2017, 10), (2018, 11), 3000, False, 60, 30),  # expands all the way to 1996
        (4, 5, (2018, 1), (2018, 6), 0, True, 500, 40),
        (5, 1, (2017, 10), (2018, 11), 0, False, 40, 20),
    ]
    expansions_seen = 0
    once_seen = False
    for seed, k, start, end, min_items, gz, n_users, n_items in cases:
        rng = random.Random(seed)
        reviews, metas = make_fixture(rng, n_users, n_items)
        suffix = ".json.gz" if gz else ".json"
        rpath, mpath = os.path.join(work, f"r{seed}{suffix}"), os.path.join(work, f"m{seed}{suffix}")
        write_lines(rpath, reviews, gz)
        write_lines(mpath, metas, gz)
        expected, stats = oracle(reviews, metas, "Toy", k, start, end, min_items)
        if stats["start_year"] != start[0]:
            expansions_seen += 1
        once_seen = once_seen or stats["start_year"] == start[0] - 1
        out = os.path.join(work, f"out{seed}")
        result = run(["--format", "amazon18", "--reviews", rpath, "--meta", mpath, "--dataset", "Toy", "--k", str(k),
                      "--start", f"{start[0]}-{start[1]:02d}", "--end", f"{end[0]}-{end[1]:02d}",
                      "--min-items", str(min_items), "--out", out])
        label = f"case seed={seed} k={k} min_items={min_items}"
        if check_prepared(result, out, expected, stats, start, label):
            check(f"items             {stats['items']:,}" in result.stdout, f"{label}: statistics: {result.stdout}")
    check(expansions_seen >= 2, f"only {expansions_seen} cases expanded the window")
    check(once_seen, "no case expanded exactly once")
    check_convert(work, os.path.join(work, "out1"), "Toy")

    # The same fixture read in UTC moves the bounds by 5 hours: the files must follow the time zone.
    rng = random.Random(1)
    reviews, metas = make_fixture(rng, 150, 60)
    rpath, mpath = os.path.join(work, "r1.json"), os.path.join(work, "m1.json")
    # reviews right at the bounds: inside in New York time, outside in UTC (and the other way round)
    edge = month_start(2018, 11)  # New York midnight = 05:00 UTC
    for u in range(6):
        for j in range(6):
            reviews.append({"reviewerID": f"EDGE{u}", "asin": f"B{j:05d}", "unixReviewTime": edge - 3600 * (j % 2)})
    write_lines(rpath, reviews)
    os.environ["TZ"] = "UTC"
    time.tzset()
    expected_utc, _ = oracle(reviews, metas, "Toy", 5, (2017, 10), (2018, 11), 0)
    os.environ["TZ"] = TZ
    time.tzset()
    expected_ny, _ = oracle(reviews, metas, "Toy", 5, (2017, 10), (2018, 11), 0)
    check(expected_utc != expected_ny, "time-zone case does not distinguish the zones")
    for tz, expected in (("UTC", expected_utc), (TZ, expected_ny)):
        out = os.path.join(work, "out_tz_" + tz.replace("/", "_"))
        result = run(["--reviews", rpath, "--meta", mpath, "--dataset", "Toy", "--start", "2017-10", "--end", "2018-11",
                      "--min-items", "0", "--out", out], env_tz=tz)
        check(result.returncode == 0, f"TZ={tz}: {result.stderr}")
        compare(out, expected, f"TZ={tz}")

    # Generic CSV input goes through the same steps.
    rng = random.Random(11)
    reviews, metas = make_fixture(rng, 150, 60)
    generic_metas = [{"asin": m["asin"], "title": m.get("title", "") if "<span" not in m.get("title", "") else "",
                      "description": str(m.get("description", "")), "brand": m.get("brand", "")} for m in metas]
    ipath, tpath = os.path.join(work, "interactions.csv"), os.path.join(work, "items.csv")
    with open(ipath, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["user", "item", "timestamp"])
        for r in reviews:
            w.writerow([r["reviewerID"], r["asin"], r["unixReviewTime"]])
    with open(tpath, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["item", "title", "description", "brand"])
        for m in generic_metas:
            w.writerow([m["asin"], m["title"], m["description"], m["brand"]])
    for window in (None, ((2017, 10), (2018, 11))):
        expected, stats = oracle(reviews, [dict(m) for m in generic_metas], "Gen", 3,
                                 window[0] if window else None, window[1] if window else None, 0, generic=True)
        out = os.path.join(work, f"out_generic_{bool(window)}")
        args = ["--format", "generic", "--interactions", ipath, "--items", tpath, "--dataset", "Gen", "--k", "3",
                "--min-items", "0", "--out", out]
        if window:
            args += ["--start", "2017-10", "--end", "2018-11"]
        result = run(args)
        check(result.returncode == 0, f"generic {window}: {result.stderr}")
        print(f"generic window={window}: {stats}")
        compare(out, expected, f"generic window={window}")

    # Bad input: exit 2, one line naming file, line and field; no output directory.
    good_reviews = [{"reviewerID": "U1", "asin": "B00000", "unixReviewTime": 1520000000}] * 3
    good_meta = [{"asin": "B00000", "title": "A fine title"}]
    bad_cases = [
        ("reviews", 2, '{"reviewerID": "U1", "asin": "B00000", "unixReviewTime": 15200', "broken JSON"),
        ("reviews", 3, '{"asin": "B00000", "unixReviewTime": 1520000000}', "field 'reviewerID': missing"),
        ("reviews", 1, '{"reviewerID": "U1", "asin": "B00000", "unixReviewTime": "soon"}',
         "field 'unixReviewTime': expected an integer Unix time"),
        ("reviews", 2, '{"reviewerID": "U1", "asin": 17, "unixReviewTime": 1}', "field 'asin': expected a string"),
        ("reviews", 2, '[1, 2]', "expected a JSON object"),
        ("reviews", 3, '', "broken JSON"),
        ("meta", 1, '{"asin": "B00000", "title": 5}', "field 'title': expected a string"),
        ("meta", 2, '{"title": "No asin here"}', "field 'asin': missing"),
        ("meta", 1, '{"asin": "B00000", "title": "T\udcff"}', "broken JSON"),
    ]
    for which, line_no, text, message in bad_cases:
        rows_r = [json.dumps(r) for r in good_reviews]
        rows_m = [json.dumps(m) for m in good_meta] + [json.dumps({"asin": "B9", "title": "Other"})]
        rows = rows_r if which == "reviews" else rows_m
        rows.insert(line_no - 1, text)
        rpath, mpath = os.path.join(work, "bad_r.json"), os.path.join(work, "bad_m.json")
        with open(rpath, "wb") as f:
            f.write(("\n".join(rows_r) + "\n").encode("utf-8", "surrogateescape"))
        with open(mpath, "wb") as f:
            f.write(("\n".join(rows_m) + "\n").encode("utf-8", "surrogateescape"))
        out = os.path.join(work, "bad_out")
        result = run(["--reviews", rpath, "--meta", mpath, "--dataset", "Bad", "--start", "2017-10", "--end", "2018-11",
                      "--out", out])
        check_bad_line(result, rpath if which == "reviews" else mpath, line_no, message, out,
                       f"bad {which} line {line_no} ({message})")
    with open(mpath, "w") as f:
        f.write(json.dumps(good_meta[0]) + "\n")
    result = run(["--reviews", os.path.join(work, "nope.json"), "--meta", mpath, "--dataset", "X", "--start", "2017-10",
                  "--end", "2018-11", "--out", os.path.join(work, "x")])
    check(result.returncode == 2 and "nope.json" in result.stderr, f"missing file: {result.stderr!r}")
    result = run(["--reviews", rpath, "--meta", mpath, "--dataset", "X", "--start", "2017-13", "--end", "2018-11",
                  "--out", os.path.join(work, "x")])
    check(result.returncode == 2 and "--start" in result.stderr, f"bad month: {result.stderr!r}")
    # A truncated .gz file is a read error with the file named, not a crash.
    gz_path = os.path.join(work, "trunc.json.gz")
    with gzip.open(gz_path, "wt") as f:
        for i in range(2000):
            f.write(json.dumps({"reviewerID": f"U{i}", "asin": "B00000", "unixReviewTime": 1520000000 + i}) + "\n")
    data = open(gz_path, "rb").read()
    open(gz_path, "wb").write(data[: len(data) // 2])
    result = run(["--reviews", gz_path, "--meta", mpath, "--dataset", "X", "--start", "2017-10", "--end", "2018-11",
                  "--out", os.path.join(work, "x")])
    check(result.returncode == 2 and "trunc.json.gz" in result.stderr, f"truncated gz: {result.returncode} {result.stderr!r}")

    return finish("all data prepare checks passed", f"fixtures kept in {work}")


if __name__ == "__main__":
    sys.exit(main())
