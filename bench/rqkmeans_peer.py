#!/usr/bin/python3
"""Peer for bench/rqkmeans_bench.sh.
  embed ITEM_JSON OUT.npy   TF-IDF (title + description, top 2048 terms by document frequency, l2-normalised rows)
                            -> 64-d SVD projection, float32 (the bench's input, not a product embedding)
  run EMB.npy CODES.npy     python3-faiss RQ-KMeans (3 x 256, Train_default, beam 1, seed 1234); prints seconds
"""
import collections
import json
import re
import sys
import time

import numpy as np


def embed(item_json, out):
    items = json.load(open(item_json))
    docs = [re.findall(r"[a-z0-9]+", (v["title"] + " " + v.get("description", "")).lower()) for v in items.values()]
    df = collections.Counter(t for d in docs for t in set(d))
    vocab = {t: i for i, (t, _) in enumerate(df.most_common(2048))}
    x = np.zeros((len(docs), len(vocab)), dtype=np.float64)
    for r, d in enumerate(docs):
        for t, c in collections.Counter(d).items():
            if t in vocab:
                x[r, vocab[t]] = c
    idf = np.log((1 + len(docs)) / (1 + np.array([df[t] for t in vocab]))) + 1
    x *= idf
    x /= np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    u, s, _ = np.linalg.svd(x - x.mean(axis=0), full_matrices=False)
    np.save(out, (u[:, :64] * s[:64]).astype(np.float32))


def run(emb, out):
    import faiss
    x = np.load(emb)
    start = time.perf_counter()
    rq = faiss.ResidualQuantizer(x.shape[1], 3, 8)
    rq.train_type = faiss.ResidualQuantizer.Train_default
    rq.max_beam_size = 1
    rq.cp.seed = 1234
    rq.train(x)
    codes = rq.compute_codes(x)
    seconds = time.perf_counter() - start
    np.save(out, codes.astype(np.int64))  # nbits 8: one byte per level
    print(f"{seconds:.4f}")


if __name__ == "__main__":
    {"embed": embed, "run": run}[sys.argv[1]](*sys.argv[2:])
