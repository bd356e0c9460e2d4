"""The C++ list-literal parser (`sidreasoner data parse-list`) against Python's ast.literal_eval, the reference's
own reader: the list cells of the shipped CSVs (valid and test whole, the first 12,000 train rows), every list-like description in item.json, random repr()'d lists
with escapes, and random mutations of them (where Python must reject exactly when we do)."""
import ast
import csv
import json
import os
import random
import subprocess
import sys

BIN = os.environ["SIDR_BIN"]
DATA = os.path.join(os.environ["SIDR_SOURCE_DIR"], "data", "Amazon")
NAME = "Industrial_and_Scientific"
csv.field_size_limit(1 << 30)


def python_value(text):
    """The list as the reference reads it, or None if Python rejects it (or it is not a list of str/int)."""
    try:
        value = ast.literal_eval(text)
    except (SyntaxError, ValueError, TypeError, MemoryError, RecursionError):
        return None
    if not isinstance(value, list) or not all(type(v) in (str, int) for v in value):
        return None
    if any(type(v) is int and not -2**63 <= v < 2**63 for v in value):
        return None
    if any(type(v) is str and any(0xD800 <= ord(c) <= 0xDFFF for c in v) for v in value):
        return None
    return value


# Python forms we deliberately do not support (documented in src/data/list_literal.h).
UNSUPPORTED = ("#", "0x", "0X", "0o", "0O", "0b", "0B", "'''", '"""', "\\N", "\\\r")


def main():
    cases = []
    for split in ("train", "valid", "test"):
        with open(os.path.join(DATA, split, f"{NAME}_5_2016-10-2018-11.csv"), newline="", encoding="utf-8") as f:
            for i, row in enumerate(csv.DictReader(f)):
                if split == "train" and i >= 12000:  # keeps the test near 10 s; valid and test are read whole
                    break
                cases += [row["history_item_title"], row["history_item_id"], row["history_item_sid"]]
    with open(os.path.join(DATA, "index", f"{NAME}.item.json"), encoding="utf-8") as f:
        for item in json.load(f).values():
            d = item["description"]
            if d.startswith("[") and d.endswith("]"):
                cases.append(d)
    shipped = len(cases)

    rng = random.Random(1234)
    alphabet = list("abc XYZ019'\"\\,[]_-+\t\n\r\x00\x07\x7f") + ["\u00e9", "\u2013", "\u00a0", "\U0001F600", "\u0085"]
    generated = []
    for _ in range(3000):
        items = []
        for _ in range(rng.randint(0, 4)):
            if rng.random() < 0.3:
                items.append(rng.randint(-10**12, 10**12))
            else:
                items.append("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))))
        text = repr(items)
        if rng.random() < 0.3:
            text = text.replace(", ", rng.choice([",", " , ", ",\n ", ",\t"]))
        generated.append(text)
    cases += generated
    # Mutations: delete, duplicate or insert one character; many are invalid Python.
    for text in generated[:2000] + cases[:2000]:
        if not text:
            continue
        k = rng.randrange(len(text))
        op = rng.randrange(3)
        if op == 0:
            cases.append(text[:k] + text[k + 1:])
        elif op == 1:
            cases.append(text[:k] + text[k] + text[k:])
        else:
            cases.append(text[:k] + rng.choice("'\"\\[],x0 _u") + text[k:])
    cases += ["[]", " [ 1 , ] ", "[u'a' 'b']", "['\\x41\\u00e9\\U0001F600\\101\\q']", "[1,,2]", "['a'", "[01]", "[00]"]

    stdin = "".join(json.dumps(c) + "\n" for c in cases)
    proc = subprocess.run([BIN, "data", "parse-list"], input=stdin.encode(), capture_output=True, timeout=300)
    if proc.returncode != 0:
        print(proc.stderr.decode(errors="replace"))
        return 1
    outputs = proc.stdout.decode().split("\n")[:-1]  # not splitlines(): strings may hold U+2028
    assert len(outputs) == len(cases), (len(outputs), len(cases))

    failures = skipped = accepted = 0
    for i, (text, line) in enumerate(zip(cases, outputs)):
        ours = json.loads(line)
        expected = python_value(text)
        ours_ok = isinstance(ours, list)
        if expected is None and not ours_ok:
            continue
        if expected is not None and ours_ok and ours == expected:
            accepted += 1
            continue
        if expected is not None and not ours_ok and any(u in text for u in UNSUPPORTED):
            skipped += 1
            continue
        failures += 1
        if failures <= 10:
            print(f"MISMATCH case {i}: {text!r}\n  python: {expected!r}\n  ours:   {ours!r}")
    if shipped and accepted < shipped:
        print(f"only {accepted} accepted of {shipped} shipped cells")
        failures += 1
    print(f"{len(cases)} cases ({shipped} from the shipped data), {accepted} parsed identically, "
          f"{skipped} unsupported forms skipped, {failures} mismatches")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
