#!/usr/bin/python3
"""`sidreasoner embed sasrec` and `embed concat`. A tiny SASRec is trained for one epoch on the shipped data;
its model.pt is read back by PyTorch (torch.jit.load) and the written table must equal item_embeddings.weight
without its last (padding) row. concat is checked against numpy (row-wise l2 per input, then hstack), and refuses
inputs with other row counts, NaN values, a broken file and an unknown --normalize with exit 2 and one line."""
import os
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
from checks import SIDR_BIN as BIN, check, finish, run_binary, skip  # noqa: E402

DATA = os.path.join(os.environ.get("SIDR_SOURCE_DIR", "."), "data", "Amazon")
NAME = "Industrial_and_Scientific"
try:
    import torch
except ImportError:
    skip("python3-torch missing")


def embed(args):
    return run_binary(["embed"] + args)


def expect_error(args, needle, label):
    r = embed(args)
    lines = r.stderr.strip().splitlines()
    check(r.returncode == 2 and len(lines) == 1 and needle in r.stderr,
          f"{label}: exit {r.returncode}, stderr {r.stderr.strip()!r}")


def l2_rows(x):
    norm = np.linalg.norm(x.astype(np.float64), axis=1, keepdims=True)
    return x / np.where(norm > 0, norm, 1.0)


with tempfile.TemporaryDirectory() as work:
    run = os.path.join(work, "sasrec")
    subprocess.run([BIN, "baseline", "sasrec", "--data", DATA, "--dataset", NAME, "--epochs", "1", "--hidden", "16",
                    "--no-progress", "--out", run], check=True, stdout=subprocess.DEVNULL)
    out = os.path.join(work, "sasrec.npy")
    r = embed(["sasrec", "--run", run, "--out", out])
    check(r.returncode == 0, f"embed sasrec: exit {r.returncode}: {r.stderr.strip()}")
    print(r.stdout.strip())
    table = torch.jit.load(os.path.join(run, "model.pt")).state_dict()["item_embeddings.weight"].numpy()
    ours = np.load(out)
    n_items = 3686
    check(table.shape[0] == n_items + 1, f"table has {table.shape[0]} rows, want {n_items + 1}")
    check(ours.dtype == np.float32 and ours.shape == (n_items, 16), f"embedding {ours.dtype} {ours.shape}")
    check(np.array_equal(ours, table[:n_items]), "embedding differs from item_embeddings.weight[:N]")
    check(not np.allclose(table[:n_items].std(axis=0), 0), "table is constant")

    expect_error(["sasrec", "--run", os.path.join(work, "nothing"), "--out", out], "config.json", "missing run")
    with open(os.path.join(work, "broken.pt"), "wb") as f:
        f.write(b"not a model")
    broken = os.path.join(work, "broken_run")
    os.makedirs(broken)
    os.link(os.path.join(run, "config.json"), os.path.join(broken, "config.json"))
    os.rename(os.path.join(work, "broken.pt"), os.path.join(broken, "model.pt"))
    expect_error(["sasrec", "--run", broken, "--out", out], "model.pt", "broken model.pt")

    # concat: the SASRec table beside a random float16 block (float16 read as float32).
    rng = np.random.default_rng(0)
    other = (rng.standard_normal((n_items, 5)) * 3).astype(np.float16)
    other[7] = 0  # a zero row stays zero under l2
    other_path = os.path.join(work, "other.npy")
    np.save(other_path, other)
    both = os.path.join(work, "both.npy")
    r = embed(["concat", out, other_path, "--out", both])
    check(r.returncode == 0, f"concat: exit {r.returncode}: {r.stderr.strip()}")
    got = np.load(both)
    want = np.hstack([l2_rows(ours), l2_rows(other.astype(np.float32))])
    check(got.shape == (n_items, 21) and got.dtype == np.float32, f"concat shape {got.shape} {got.dtype}")
    check(np.abs(got - want).max() < 1e-6, f"concat l2 differs by {np.abs(got - want).max():.2e}")
    r = embed(["concat", out, other_path, "--normalize", "none", "--out", both])
    got = np.load(both)
    check(np.array_equal(got, np.hstack([ours, other.astype(np.float32)])), "concat none differs")

    short = os.path.join(work, "short.npy")
    np.save(short, np.ones((10, 3), np.float32))
    expect_error(["concat", out, short, "--out", both], "rows", "row count")
    nan = os.path.join(work, "nan.npy")
    bad = np.ones((n_items, 2), np.float32)
    bad[3, 1] = np.nan
    np.save(nan, bad)
    expect_error(["concat", out, nan, "--out", both], "NaN", "NaN input")
    with open(short, "wb") as f:
        f.write(b"\x93NUMPY garbage")
    expect_error(["concat", out, short, "--out", both], short, "broken npy")
    expect_error(["concat", out, "--normalize", "max", "--out", both], "--normalize", "bad --normalize")

sys.exit(finish("all embed sasrec and concat checks passed"))
