#!/usr/bin/python3
"""`sidreasoner sid build --method rqkmeans-balanced` (reference §5.4: constrained k-means per level, 1-based codes,
the extra-level collision rule) against independent truths:
- the E-step is an exact size-constrained assignment: with --max-iter 1 the written codebook is the one the final
  labels were assigned against, so at every level the labels' summed cost (Euclidean or squared distance to the
  level's input) must equal the optimum of the transportation LP (scipy HiGHS) and, on the smallest cases, of a
  brute-force enumeration of every assignment;
- every cluster's size lies in the reference's [max(1, N/K - 1), N/K + 1] (or the tight [floor, ceil]) at every
  level, on TF-IDF + SVD embeddings of the shipped catalog made here with numpy;
- more iterations lower the reconstruction error; the same seed gives the same files, another seed others;
- index.json holds code + 1 per level plus the brute-force extra-level rank for colliding items;
- bad options exit 2 with one line and write nothing."""
import itertools
import json
import os
import re
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
from checks import check, finish, run_binary, skip  # noqa: E402

SOURCE = os.environ.get("SIDR_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
try:
    from scipy.optimize import linprog
except ImportError:
    skip("python3-scipy missing")


def run(args):
    return run_binary(["sid", "build", "--method", "rqkmeans-balanced"] + args,
                      env=dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1"))


def bounds(n, k, balance):
    if balance == "tight":
        return n // k, -(-n // k)
    return max(1, n // k - 1), n // k + 1


def cost_matrix(r, c, cost):
    d2 = ((r[:, None, :].astype(np.float64) - c[None, :, :].astype(np.float64)) ** 2).sum(-1)
    return np.sqrt(d2) if cost == "euclidean" else d2


def lp_optimum(d, lo, hi):
    n, k = d.shape
    a_eq = np.zeros((n, n * k))
    for i in range(n):
        a_eq[i, i * k:(i + 1) * k] = 1
    a_ub = np.zeros((2 * k, n * k))
    for j in range(k):
        a_ub[j, j::k] = 1      # size <= hi
        a_ub[k + j, j::k] = -1  # -size <= -lo
    res = linprog(d.reshape(-1), A_ub=a_ub, b_ub=np.r_[np.full(k, hi), np.full(k, -lo)], A_eq=a_eq,
                  b_eq=np.ones(n), bounds=(0, 1), method="highs")
    assert res.status == 0, res.message
    return res.fun


def brute_optimum(d, lo, hi):
    n, k = d.shape
    best = None
    for labels in itertools.product(range(k), repeat=n):
        sizes = np.bincount(labels, minlength=k)
        if sizes.min() < lo or sizes.max() > hi:
            continue
        value = d[np.arange(n), labels].sum()
        best = value if best is None or value < best else best
    return best


def level_inputs(x, codes, books):
    """Each level's input: x minus the centroids of the levels before it (float32, as the reference)."""
    r = x.astype(np.float32).copy()
    out = []
    for l in range(codes.shape[1]):
        out.append(r.copy())
        r -= books[l][codes[:, l]]
    return out


def extra_level(codes):
    groups = {}
    for i, c in enumerate(map(tuple, codes)):
        groups.setdefault(c, []).append(i)
    return [groups[tuple(c)].index(i) + 1 if len(groups[tuple(c)]) > 1 else None for i, c in enumerate(codes)]


def tfidf_svd(item_json, dims=64):
    items = json.load(open(item_json))
    docs = [re.findall(r"[a-z0-9]+", (v["title"] + " " + v.get("description", "")).lower()) for v in items.values()]
    vocab = {}
    for d in docs:
        for t in set(d):
            vocab[t] = vocab.get(t, 0) + 1
    terms = sorted(vocab, key=lambda t: (-vocab[t], t))[:2048]
    index = {t: i for i, t in enumerate(terms)}
    x = np.zeros((len(docs), len(terms)))
    for r, d in enumerate(docs):
        for t in d:
            if t in index:
                x[r, index[t]] += 1
    x *= np.log((1 + len(docs)) / (1 + np.array([vocab[t] for t in terms]))) + 1
    x /= np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    u, s, _ = np.linalg.svd(x - x.mean(axis=0), full_matrices=False)
    return (u[:, :dims] * s[:dims]).astype(np.float32)


def main():
    work = tempfile.mkdtemp(prefix="sidr_balanced_")
    rng = np.random.default_rng(11)

    # 1. exact E-step on small cases (LP everywhere, brute force where K^N is small)
    cases = 0
    for n, k, dim, levels, balance, cost in [(7, 2, 2, 2, "reference", "euclidean"), (8, 3, 3, 2, "tight", "euclidean"),
                                             (8, 2, 2, 3, "tight", "squared"), (9, 3, 2, 1, "reference", "squared"),
                                             (23, 5, 3, 2, "reference", "euclidean"), (30, 4, 4, 2, "tight", "euclidean"),
                                             (41, 6, 3, 3, "tight", "squared"), (60, 7, 5, 2, "reference", "euclidean"),
                                             (257, 16, 4, 1, "reference", "euclidean"), (300, 20, 3, 1, "tight", "euclidean")]:
        x = (rng.normal(size=(n, dim)) * rng.uniform(0.5, 3, size=dim)).astype(np.float32)
        x[: n // 3] += 4  # lopsided, so that the size bounds bind
        path = os.path.join(work, f"tiny_{n}_{k}.npy")
        np.save(path, x)
        out = os.path.join(work, f"tiny_out_{n}_{k}")
        result = run(["--embeddings", path, "--levels", str(levels), "--codebook", str(k), "--max-iter", "1",
                      "--n-init", "1", "--balance", balance, "--cost", cost, "--dataset", "T", "--out", out])
        label = f"N={n} K={k} L={levels} {balance} {cost}"
        check(result.returncode == 0, f"{label}: exit {result.returncode} {result.stderr}")
        if result.returncode:
            continue
        codes = np.load(os.path.join(out, "T.codes.npy"))
        books = np.load(os.path.join(out, "T.codebooks.npy"))
        lo, hi = bounds(n, k, balance)
        for l, r in enumerate(level_inputs(x, codes, books)):
            d = cost_matrix(r, books[l], cost)
            ours = d[np.arange(n), codes[:, l]].sum()
            sizes = np.bincount(codes[:, l], minlength=k)
            check(sizes.min() >= lo and sizes.max() <= hi, f"{label} level {l}: sizes {sizes.tolist()} not in [{lo},{hi}]")
            best = lp_optimum(d, lo, hi)
            check(ours <= best + 1e-5 * (1 + abs(best)), f"{label} level {l}: cost {ours:.6f} above the LP optimum {best:.6f}")
            if k ** n <= 20000:
                brute = brute_optimum(d, lo, hi)
                check(abs(ours - brute) <= 1e-5 * (1 + brute), f"{label} level {l}: cost {ours:.6f} vs brute force {brute:.6f}")
            cases += 1
    print(f"E-step optimal on {cases} (case, level) pairs")

    # 2. the shipped catalog's items, TF-IDF + SVD to 64 dimensions
    item_json = os.path.join(SOURCE, "data/Amazon/index/Industrial_and_Scientific.item.json")
    x = tfidf_svd(item_json)
    x[-12:] = x[:12]  # exact duplicates: collisions to exercise the extra level
    n = len(x)
    path = os.path.join(work, "catalog.npy")
    np.save(path, x)
    outputs = {}
    for name, extra in [("ref", []), ("again", []), ("seed", ["--seed", "7"]), ("tight", ["--balance", "tight"]),
                        ("one", ["--max-iter", "1"])]:
        out = os.path.join(work, f"cat_{name}")
        iters = [] if "--max-iter" in extra else ["--max-iter", "6"]
        result = run(["--embeddings", path, "--levels", "3", "--codebook", "256", "--n-init", "1", "--dataset", "C",
                      "--out", out] + iters + extra)
        check(result.returncode == 0, f"catalog {name}: exit {result.returncode} {result.stderr}")
        if result.returncode:
            return 1
        outputs[name] = (out, result.stdout)
        codes = np.load(os.path.join(out, "C.codes.npy"))
        lo, hi = bounds(n, 256, "tight" if name == "tight" else "reference")
        for l in range(3):
            sizes = np.bincount(codes[:, l], minlength=256)
            check(sizes.min() >= lo and sizes.max() <= hi,
                  f"catalog {name} level {l}: sizes {sizes.min()}..{sizes.max()} not in [{lo},{hi}]")
        print(f"catalog {name}: level sizes in [{lo},{hi}]")
    same = lambda a, b, f: open(os.path.join(outputs[a][0], f), "rb").read() == open(os.path.join(outputs[b][0], f), "rb").read()
    check(same("ref", "again", "C.codes.npy") and same("ref", "again", "C.codebooks.npy"), "same seed, other files")
    check(not same("ref", "seed", "C.codes.npy"), "another seed gave the same codes")
    recon = {k: float(re.search(r"reconstruction +([0-9.e+-]+)", v[1]).group(1)) for k, v in outputs.items()}
    check(recon["ref"] < recon["one"], f"6 iterations ({recon['ref']}) not below 1 ({recon['one']})")
    codes = np.load(os.path.join(outputs["ref"][0], "C.codes.npy"))
    books = np.load(os.path.join(outputs["ref"][0], "C.codebooks.npy"))
    mse = ((x.astype(np.float64) - sum(books[l][codes[:, l]] for l in range(3))) ** 2).sum(1).mean()
    check(abs(mse - recon["ref"]) <= 1e-4 * mse, f"printed reconstruction {recon['ref']} vs {mse}")
    index = json.load(open(os.path.join(outputs["ref"][0], "C.index.json")))
    extra = extra_level(codes.tolist())
    check(any(e is not None for e in extra), "no collision to test the extra level on")
    wrong = 0
    for i in range(n):
        want = [f"<{chr(97 + l)}_{codes[i][l] + 1}>" for l in range(3)] + ([f"<d_{extra[i]}>"] if extra[i] else [])
        wrong += index[str(i)] != want
    check(wrong == 0, f"{wrong} index.json entries differ from code + 1 and the extra-level rule")
    check("after dedup" in outputs["ref"][1], "no dedup line (auto should be extra-level)")

    # 3. bad options
    tiny = os.path.join(work, "tiny_23_5.npy")
    k5 = ["--codebook", "5"]
    for args, words in [(k5 + ["--balance", "loose"], "--balance"), (k5 + ["--levels", "0"], "--levels"),
                        (["--codebook", "1"], "--codebook"), (["--codebook", "24"], "at least as many items"),
                        (k5 + ["--max-iter", "0"], "--max-iter"), (k5 + ["--n-init", "0"], "--n-init"),
                        (k5 + ["--cost", "manhattan"], "--cost"), (k5 + ["--dedup", "magic"], "--dedup")]:
        result = run(["--embeddings", tiny, "--out", os.path.join(work, "bad")] + args)
        err = result.stderr.strip()
        check(result.returncode == 2 and len(err.splitlines()) == 1 and words in err, f"{args}: {result.returncode} {err!r}")
    check(not os.path.exists(os.path.join(work, "bad")), "output written for bad options")
    return finish("all balanced sid build checks passed", f"files in {work}")


if __name__ == "__main__":
    sys.exit(main())
