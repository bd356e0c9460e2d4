"""T4's instruction per row must follow CPython's random.seed(42); random.randint(0, 10) sequence.

Renders T4 rows of the shipped train split through `sidreasoner tasks render` and compares the instruction in
the system prompt with the template that this Python's random module picks for that row.
"""
import os
import random
import subprocess
import sys

BIN = os.environ["SIDR_BIN"]
SRC = os.environ["SIDR_SOURCE_DIR"]
CATEGORY = "industrial and scientific items"
TEMPLATES = [  # Appendix A of the reference document, in order
    "Given a list of {category} the user recetenly enjoy, please write a new {category} that the user may bought",
    "Considering the {category} that has recently captured the user's interest, kindly create a compilation of other {category} that the user might have played prior to this.",
    "Based on the user's current gaming preference, please draft a list of potential {category} they may have experienced beforehand.",
    "Reflecting on the {category} the user has taken pleasure in recently, we request that you formulate a list of {category} that may have preceded the user's current enjoyment.",
    "In light of the recent gaming enjoyment expressed by the user, please assemble a list of {category} that could potentially include past titles the user has engaged with.",
    "Taking into account the {category} that has lately provided enjoyment to the user, please put together an inventory of {category} the user might have explored previously.",
    "Given the user's newfound enjoyment of a particular {category}, would you kindly generate a roster of other {category} that might resonate with their past gaming experiences?",
    "In response to the user's recent fondness for a specific {category}, we seek your assistance in listing possible {category} the user may have delighted in earlier.",
    "With respect to the {category} currently enjoyed by the user, please compile a suggestive list of {category} they may have played in the past.",
    "Bearing in mind the {category} that the user has recently been enthralled by, please construct a catalog of other {category} that the user potentially partook in beforehand.",
    "In relation to the user's recent entertainment with a given {category}, it would be appreciated if you could curate a list of {category} that might form part of the user's previous gaming history.",
]
PRE = ("Below is an instruction that describes a task, paired with an input that provides further context. "
       "Write a response that appropriately completes the request.")

with open(os.path.join(SRC, "data/Amazon/train/Industrial_and_Scientific_5_2016-10-2018-11.csv"), encoding="utf-8") as f:
    import csv
    n_rows = sum(1 for _ in csv.reader(f)) - 1

random.seed(42)
draws = [random.randint(0, 10) for _ in range(n_rows)]
rows = list(range(0, 24)) + [1000, 12345, n_rows - 1]
failures = 0
for row in rows:
    out = subprocess.run([BIN, "tasks", "render", "--data", os.path.join(SRC, "data/Amazon"), "--dataset",
                          "Industrial_and_Scientific", "--task", "T4", "--split", "train", "--row", str(row)],
                         capture_output=True, check=True).stdout.decode("utf-8")
    expected_system = PRE + "\n" + TEMPLATES[draws[row]].format(category=CATEGORY) + "\n \n"
    head = "<|im_start|>system\n" + expected_system + "<|im_end|>\n<|im_start|>user\nThe user has palyed the following " + CATEGORY + "s before: \""
    if not out.startswith(head):
        failures += 1
        print(f"row {row}: expected template {draws[row] + 1}, got:\n{out[:400]}", file=sys.stderr)
# Different templates were exercised (the check is not vacuous).
assert len({draws[r] for r in rows}) >= 8, "too few distinct templates among the checked rows"
if failures:
    sys.exit(f"{failures} of {len(rows)} rows used the wrong T4 instruction")
print(f"ok: {len(rows)} rows of {n_rows} match CPython's random.seed(42) + randint(0, 10)")
