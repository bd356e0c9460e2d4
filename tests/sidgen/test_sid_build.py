#!/usr/bin/python3
"""`sidreasoner sid build --method rqkmeans` against python3-faiss doing the same algorithm (reference §5.3:
ResidualQuantizer(d, M, log2 K), Train_default, max_beam_size 1, same seed, one thread) on the same random
data: the codes must be equal item for item and level for level, the codebooks equal to float rounding. The
extra-level collision rule (§5.4) is checked by brute force from the codes, and the strict .npy reader on
broken files (exit 2, one line naming the file)."""
import json
import os
import re
import sys
import tempfile

# One thread in both of python3-faiss's pools, set before numpy loads OpenBLAS (its pool is sized at load time,
# and faiss's codes depend on it); `sid build --threads 1` bounds both of its own.
os.environ["OMP_NUM_THREADS"] = "1"
os.environ["OPENBLAS_NUM_THREADS"] = "1"
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
from checks import check, finish, run_binary, skip  # noqa: E402

try:
    import faiss
except ImportError:
    skip("python3-faiss missing")


def faiss_codes(x, levels, codebook, seed=1234):
    nbits = int(np.log2(codebook))
    rq = faiss.ResidualQuantizer(x.shape[1], levels, nbits)
    rq.train_type = faiss.ResidualQuantizer.Train_default
    rq.max_beam_size = 1
    rq.cp.seed = seed
    rq.train(x)
    packed = rq.compute_codes(x)
    if nbits % 8 == 0:
        per = nbits // 8
        codes = np.stack([packed[:, l * per:(l + 1) * per].astype(np.int64) @ (256 ** np.arange(per))
                          for l in range(levels)], axis=1)
    else:  # little-endian integer, level i = (packed >> (i * nbits)) & (2^nbits - 1)
        as_int = [int.from_bytes(row.tobytes(), "little") for row in packed]
        codes = np.array([[(v >> (l * nbits)) & ((1 << nbits) - 1) for l in range(levels)] for v in as_int])
    books = faiss.vector_to_array(rq.codebooks).reshape(levels, codebook, x.shape[1])
    return codes, books


def extra_level(codes):
    """§5.4 by brute force: members of a shared full code get their 1-based rank by item id."""
    out = []
    for i, c in enumerate(codes):
        group = [j for j in range(len(codes)) if tuple(codes[j]) == tuple(c)]
        out.append(group.index(i) + 1 if len(group) > 1 else None)
    return out


def run(args):
    # Without the thread variables: `--threads` alone must make the result independent of the environment.
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")}
    return run_binary(["sid", "build"] + args, env=env)


def main():
    work = tempfile.mkdtemp(prefix="sidr_sidbuild_")
    rng = np.random.default_rng(5)
    # clustered data (so the levels mean something) plus exact duplicates (so collisions exist)
    centers = rng.normal(size=(12, 24)).astype(np.float32) * 3
    x = (centers[rng.integers(0, 12, 700)] + rng.normal(size=(700, 24)).astype(np.float32)).astype(np.float32)
    x[650:] = x[:50]
    cases = [(3, 16, np.float32, 1234), (2, 64, np.float32, 7), (4, 8, np.float16, 1234), (2, 256, np.float32, 1234),
             (3, 32, np.float32, 99)]
    for levels, codebook, dtype, seed in cases:
        data = x.astype(dtype)
        path = os.path.join(work, f"emb_{levels}_{codebook}.npy")
        np.save(path, data)
        expected, books = faiss_codes(data.astype(np.float32), levels, codebook, seed)
        out = os.path.join(work, f"out_{levels}_{codebook}")
        result = run(["--embeddings", path, "--levels", str(levels), "--codebook", str(codebook), "--seed", str(seed),
                      "--threads", "1", "--dedup", "extra-level", "--dataset", "Toy", "--out", out])
        label = f"L={levels} K={codebook} {np.dtype(dtype).name} seed={seed}"
        check(result.returncode == 0, f"{label}: exit {result.returncode} {result.stderr}")
        if result.returncode:
            continue
        got = np.load(os.path.join(out, "Toy.codes.npy"))
        check(got.shape == expected.shape, f"{label}: shape {got.shape} vs {expected.shape}")
        same = int((got == expected).all(axis=1).sum())
        check(same == len(x), f"{label}: {len(x) - same} of {len(x)} items have other codes than python3-faiss")
        got_books = np.load(os.path.join(out, "Toy.codebooks.npy"))
        check(np.allclose(got_books, books, atol=1e-4), f"{label}: codebooks differ by {np.abs(got_books - books).max()}")
        index = json.load(open(os.path.join(out, "Toy.index.json")))
        check(list(index) == [str(i) for i in range(len(x))], f"{label}: index.json keys")
        extra = extra_level(expected.tolist())
        wrong = 0
        for i in range(len(x)):
            want = [f"<{chr(97 + l)}_{expected[i][l]}>" for l in range(levels)]
            if extra[i] is not None:
                want.append(f"<{chr(97 + levels)}_{extra[i]}>")
            wrong += index[str(i)] != want
        check(wrong == 0, f"{label}: {wrong} index.json entries differ from the brute-force extra-level rule")
        distinct = len({tuple(c) for c in expected.tolist()})
        rate = (len(x) - distinct) / len(x)
        check(f"collisions        {rate:.4f}" in result.stdout, f"{label}: collision line: {result.stdout}")
        check(any(e is not None for e in extra), f"{label}: no collision to test the rule on")
        print(f"{label}: codes equal on {same} items, collision rate {rate:.4f}")

    # --pad-unique: one SID length for everyone
    path = os.path.join(work, "emb_3_16.npy")
    out = os.path.join(work, "out_pad")
    result = run(["--embeddings", path, "--levels", "3", "--codebook", "16", "--threads", "1", "--dedup", "extra-level",
                  "--pad-unique", "--out", out, "--dataset", "P"])
    index = json.load(open(os.path.join(out, "P.index.json")))
    check({len(v) for v in index.values()} == {4}, "pad-unique: lengths differ")
    check(len({tuple(v) for v in index.values()}) == len(index), "pad-unique: SIDs still collide")

    # strict .npy reader
    bad = {
        "f64.npy": lambda p: np.save(p, x.astype(np.float64)),
        "fortran.npy": lambda p: np.save(p, np.asfortranarray(x)),
        "three_d.npy": lambda p: np.save(p, x.reshape(700, 4, 6)),
        "int.npy": lambda p: np.save(p, x.astype(np.int32)),
    }
    messages = {"f64.npy": "dtype '<f8'", "fortran.npy": "Fortran-order", "three_d.npy": "not 2-D", "int.npy": "dtype '<i4'"}
    for name, make in bad.items():
        p = os.path.join(work, name)
        make(p)
        result = run(["--embeddings", p, "--out", os.path.join(work, "bad"), "--codebook", "16"])
        err = result.stderr.strip()
        check(result.returncode == 2 and len(err.splitlines()) == 1 and p in err and messages[name] in err,
              f"{name}: {result.returncode} {err!r}")
    p = os.path.join(work, "truncated.npy")
    np.save(p, x)
    data = open(p, "rb").read()
    open(p, "wb").write(data[:-10])
    result = run(["--embeddings", p, "--out", os.path.join(work, "bad"), "--codebook", "16"])
    check(result.returncode == 2 and "needs" in result.stderr, f"truncated: {result.stderr!r}")
    result = run(["--embeddings", os.path.join(work, "emb_3_16.npy"), "--out", os.path.join(work, "bad"),
                  "--codebook", "100"])
    check(result.returncode == 2 and "power of two" in result.stderr, f"codebook 100: {result.stderr!r}")
    check(not os.path.exists(os.path.join(work, "bad")), "output written for bad input")
    return finish("all sid build checks passed", f"files in {work}")


if __name__ == "__main__":
    sys.exit(main())
