#!/usr/bin/python3
"""`sidreasoner embed text` against independent truths: the item texts against a Python transcription of
MiniOneRec's rq/text2emb clean_text (reference minionerec.md §4), the TF-IDF matrix against scikit-learn's
TfidfVectorizer (to 1e-6, vocabulary equal), and the PCA embedding against sklearn's PCA (small fixture, full
SVD) and against scipy's Lanczos svds of the centred matrix (shipped catalog), per component up to sign. Bad
input (missing title, id gap, empty vocabulary, --dim above the rank) must exit 2 with one line."""
import html
import json
import os
import re
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
from checks import check, finish, run_binary, skip  # noqa: E402

SOURCE = os.environ.get("SIDR_SOURCE_DIR", ".")
try:
    import scipy.sparse as sp
    from scipy.sparse.linalg import LinearOperator, svds
    from sklearn.decomposition import PCA
    from sklearn.feature_extraction.text import TfidfVectorizer
except ImportError:
    skip("python3-sklearn / scipy missing")


def clean_text(raw):  # §4, the str branch
    text = raw.strip()
    text = html.unescape(text)
    text = re.sub(r'</?\w+[^>]*>', '', text)
    text = re.sub(r'["\n\r]*', '', text)
    index = -1
    while -index < len(text) and text[index] == '.':
        index -= 1
    index += 1
    text = text + '.' if index == 0 else text[:index] + '.'
    return '' if len(text) >= 2000 else text


def item_text(item):
    parts = [clean_text(item[k]) for k in ("title", "description") if k in item]
    parts = [p for p in parts if p]
    return ' '.join(parts) if parts else 'unknown item'


def run(args):
    return run_binary(["embed", "text"] + args)


def load_dump(folder, rows):
    vocab = json.load(open(os.path.join(folder, "vocabulary.json")))
    indptr = np.load(os.path.join(folder, "tfidf_indptr.npy"))
    indices = np.load(os.path.join(folder, "tfidf_indices.npy"))
    data = np.load(os.path.join(folder, "tfidf_data.npy"))
    matrix = sp.csr_matrix((data.astype(np.float64), indices, indptr), shape=(rows, len(vocab)))
    texts = json.load(open(os.path.join(folder, "texts.json")))
    return vocab, matrix, texts


def compare_components(ours, truth, label):
    check(ours.shape == truth.shape, f"{label}: shape {ours.shape} vs {truth.shape}")
    if ours.shape != truth.shape:
        return
    scale = np.abs(truth).max()
    worst = 0.0
    for c in range(truth.shape[1]):
        sign = 1.0 if np.dot(ours[:, c], truth[:, c]) >= 0 else -1.0
        worst = max(worst, np.abs(sign * ours[:, c] - truth[:, c]).max() / scale)
    check(worst < 2e-4, f"{label}: component differs by {worst:.2e} of the largest score")
    print(f"{label}: {truth.shape[1]} components equal up to sign (worst {worst:.1e})")


def check_dataset(root, name, dim, min_df, max_features=None, dense_pca=False):
    items = json.load(open(os.path.join(root, "index", name + ".item.json")))
    n = len(items)
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "sub", "emb.npy")
        args = ["--data", root, "--dataset", name, "--dim", str(dim), "--min-df", str(min_df), "--out", out,
                "--dump", os.path.join(tmp, "dump")]
        if max_features:
            args += ["--max-features", str(max_features)]
        r = run(args)
        check(r.returncode == 0, f"{name}: exit {r.returncode}: {r.stderr.strip()}")
        if r.returncode != 0:
            return
        print(r.stdout.strip())
        emb = np.load(out)
        check(emb.dtype == np.float32 and emb.shape == (n, dim), f"{name}: embedding {emb.dtype} {emb.shape}")
        vocab, ours, texts = load_dump(os.path.join(tmp, "dump"), n)

    expected_texts = [item_text(items[str(i)]) for i in range(n)]
    bad = [i for i in range(n) if texts[i] != expected_texts[i]]
    check(not bad, f"{name}: {len(bad)} item texts differ, first {bad[:1]}: {texts[bad[0]]!r} vs "
                   f"{expected_texts[bad[0]]!r}" if bad else "")
    vectorizer = TfidfVectorizer(min_df=min_df, max_features=max_features)
    truth = vectorizer.fit_transform(expected_texts).tocsr()
    names = list(vectorizer.get_feature_names_out())
    check(vocab == names, f"{name}: vocabulary {len(vocab)} terms vs sklearn {len(names)}; first difference "
                          f"{next(((a, b) for a, b in zip(vocab, names) if a != b), None)}")
    if vocab == names:
        diff = abs(ours - truth).max() if truth.nnz else 0.0
        check(diff < 1e-6, f"{name}: TF-IDF differs from sklearn by {diff:.2e}")
        print(f"{name}: TF-IDF {truth.shape} equal to sklearn (max difference {diff:.1e})")

    if dense_pca:
        reference = PCA(n_components=dim, svd_solver="full").fit_transform(truth.toarray())
    else:  # Lanczos on the centred matrix, never formed densely
        mean = np.asarray(truth.mean(axis=0)).ravel()
        op = LinearOperator(truth.shape, dtype=np.float64,
                            matvec=lambda v: truth @ v.ravel() - mean @ v.ravel(),
                            rmatvec=lambda u: truth.T @ u.ravel() - mean * u.sum())
        u, s, _ = svds(op, k=dim, tol=1e-10, random_state=0)
        order = np.argsort(-s)
        reference = u[:, order] * s[order]
    compare_components(emb.astype(np.float64), reference, f"{name}: PCA({dim})")


def write_catalog(root, name, items):
    os.makedirs(os.path.join(root, "index"), exist_ok=True)
    with open(os.path.join(root, "index", name + ".item.json"), "w") as f:
        json.dump(items, f, indent=2)


FIXTURE = {
    "0": {"title": "Stainless Steel Bolts &amp; Nuts", "description": "['M6 bolts, <b>zinc</b> plated.', 'Pack of 50...']"},
    "1": {"title": "  Steel bolts <br/>heavy duty...  ", "description": ""},
    "2": {"title": "Nuts \"and\" bolts\nset", "description": "['Zinc plated nuts; 1/2 inch & 3/4 inch', '½ ² x_y']"},
    "3": {"title": "Gloves", "description": "<p class=\"x\">Nitrile gloves, 100 count</p> a < b > c </ d>"},
    "4": {"title": "Nitrile Gloves Large", "description": "x" * 2100},
    "5": {"title": "ÉCOLE Résumé café", "description": "['Café grade, résumé &eacute; steel']"},
    "6": {"title": "Safety glasses", "description": "['Anti fog safety glasses', 'steel frame']"},
    "7": {"title": "Bolt cutter 24-inch", "description": "['Cuts bolts, chain and wire.....']"},
}

with tempfile.TemporaryDirectory() as tmp:
    write_catalog(tmp, "Fix", FIXTURE)
    check_dataset(tmp, "Fix", dim=4, min_df=2, dense_pca=True)
    check_dataset(tmp, "Fix", dim=3, min_df=1, max_features=None, dense_pca=True)

    # Bad input: one line, exit 2.
    def expect_error(items, extra, needle, label):
        write_catalog(tmp, "Bad", items)
        r = run(["--data", tmp, "--dataset", "Bad", "--out", os.path.join(tmp, "bad.npy")] + extra)
        lines = r.stderr.strip().splitlines()
        check(r.returncode == 2 and len(lines) == 1 and needle in r.stderr,
              f"{label}: exit {r.returncode}, stderr {r.stderr.strip()!r}")
        check(not os.path.exists(os.path.join(tmp, "bad.npy")), f"{label}: wrote an output")

    expect_error({"0": {"description": "x"}}, [], "title", "missing title")
    expect_error({"0": {"title": "a b"}, "2": {"title": "c d"}}, [], "0..1", "id gap")
    expect_error({"0": {"title": "a b"}, "1": {"title": 5}}, [], "title", "title not a string")
    expect_error(FIXTURE, ["--min-df", "100"], "empty vocabulary", "empty vocabulary")
    expect_error(FIXTURE, ["--dim", "8"], "rank", "dim above rank")
    with open(os.path.join(tmp, "index", "Bad.item.json"), "w") as f:
        f.write('{"0": {"title": "a"')
    r = run(["--data", tmp, "--dataset", "Bad", "--out", os.path.join(tmp, "bad.npy")])
    check(r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, f"broken JSON: {r.returncode} {r.stderr!r}")

shipped = os.path.join(SOURCE, "data", "Amazon")
check_dataset(shipped, "Industrial_and_Scientific", dim=64, min_df=2)
# A limit whose boundary has no tie in corpus count (sklearn 1.2 breaks ties with an unstable sort).
check_dataset(shipped, "Industrial_and_Scientific", dim=16, min_df=2, max_features=1000)

sys.exit(finish("all embed text checks passed"))
