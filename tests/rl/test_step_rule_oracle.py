"""`sidreasoner rl reward` against a python port of the reference's step rule (sidreasoner.md §5.2:
extract_solution with Python's re on the last 50 characters, the prefix map built from the catalog file) on
random completions: SID tokens and near misses, </think> placed inside and outside the 50-character window,
multi-byte characters, "<>" and nested brackets."""
import os
import random
import re
import subprocess
import sys

src = os.environ["SIDR_SOURCE_DIR"]
binary = os.environ["SIDR_BIN"]
data = os.path.join(src, "data", "Amazon")
dataset = "Industrial_and_Scientific"
info = os.path.join(data, "info", dataset + "_5_2016-10-2018-11.txt")


def prefix_map(path):
    P = {}
    for line in open(path, encoding="utf-8"):
        sid = line.split("\t")[0]
        a, b, c = re.findall(r"<[^>]+>", sid)[:3]
        P.setdefault((a,), set()).add(b)
        P.setdefault((a, b), set()).add(c)
    return P


def extract_solution(solution_str):
    if len(solution_str) > 50:
        solution_str = solution_str[-50:]
    m = re.search(r"</think>\s*(.*)", solution_str, re.DOTALL)
    if m is None:
        return None
    answer = re.findall(r"<[^>]+>", m.group(1).strip())[:3]
    return answer if len(answer) >= 3 else None


def rule_base_reward(solution_str, ground_truth, P):
    answer = extract_solution(solution_str)
    if answer is None:
        return 0.0
    gt = re.findall(r"<[^>]+>", ground_truth)[:3]
    hit = 0.0
    if answer[0] == gt[0]:
        hit = 0.25
        if answer[1] == gt[1]:
            hit = 0.5
            if answer[2] == gt[2]:
                hit = 1.0
    a0, a1, a2 = answer
    valid = (a0,) in P and a1 in P[(a0,)] and (a0, a1) in P and a2 in P[(a0, a1)]
    return hit + 0.1 * valid


P = prefix_map(info)
sids = [line.split("\t")[0] for line in open(info, encoding="utf-8")]
rng = random.Random(5)
t_of = lambda sid: re.findall(r"<[^>]+>", sid)
# A target with a sibling under its first two levels, so that every value (0.6 included) can occur.
truth = next(s for s in sids if sum(x.startswith("".join(t_of(s)[:2])) for x in sids) > 1)
t = t_of(truth)
pieces_pool = ["</think>", "<think>", "\n", "\n\n", " ", "é", "→", "<>", "<<", ">", "x" * 7, "reasoning about tools ",
               "<a_1>", "<b_2>", "<c_3>", t[0], t[1], t[2], "\t"]


def random_completion():
    kind = rng.random()
    if kind < 0.5:  # well formed: the truth, catalog SIDs sharing 0-2 of its levels, or corrupted ones
        depth = rng.randrange(0, 4)
        near = [s for s in sids if s.startswith("".join(t[:depth]))] if depth < 3 else [truth]
        levels = re.findall(r"<[^>]+>", rng.choice(near))
        if rng.random() < 0.3:
            levels[rng.randrange(0, 3)] = rng.choice(["<a_9999>", "<b_9999>", "<c_9999>"])
        answer = "".join(levels[: rng.choice([2, 3, 3, 3])])
        thought = "".join(rng.choice(pieces_pool[4:12]) for _ in range(rng.randrange(0, 12)))
        tail = rng.choice(["", "\n", " ", "<d_1>", "é" * rng.randrange(0, 30)])
        return "<think>\n" + thought + "\n</think>\n\n" + answer + tail
    return "".join(rng.choice(pieces_pool) for _ in range(rng.randrange(0, 25)))


completions = [random_completion() for _ in range(600)]
expected = [rule_base_reward(c, truth, P) for c in completions]
escaped = "\n".join(c.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t") for c in completions) + "\n"
run = subprocess.run([binary, "rl", "reward", "--data", data, "--dataset", dataset, "--ground-truth", truth],
                     input=escaped.encode("utf-8"), capture_output=True)
if run.returncode != 0:
    sys.exit("FAIL: rl reward exited %d: %s" % (run.returncode, run.stderr.decode()))
got = [float(x) for x in run.stdout.decode().split()]
if len(got) != len(expected):
    sys.exit("FAIL: %d values for %d completions" % (len(got), len(expected)))
bad = [(c, e, g) for c, e, g in zip(completions, expected, got) if abs(e - g) > 1e-12]
values = sorted(set(round(e, 4) for e in expected))
print("values seen:", values)
if bad:
    for c, e, g in bad[:5]:
        print("completion %r: reference %s, ours %s" % (c, e, g))
    sys.exit("FAIL: %d of %d completions differ" % (len(bad), len(completions)))
# The oracle must have exercised every value (else the test could pass on a narrow sample).
for v in (0.0, 0.1, 0.25, 0.35, 0.5, 0.6, 1.1):
    if v not in values:
        sys.exit("FAIL: the random completions never scored %s" % v)
print("ok: %d completions, identical rewards" % len(completions))
