#!/usr/bin/python3
"""Peer for bench/sid_balanced_bench.sh: balanced RQ-KMeans (reference §5.4) in python3 with numpy + scipy, the
same algorithm as `sid build --method rqkmeans-balanced`: per level, k-means++ (scikit-learn's kmeans_plusplus),
then E-steps that are exact size-constrained assignments and M-steps that are means, k_means_constrained's loop
(best iteration by inertia, centre shift <= tol * mean variance, labels recomputed from the last centres), the best
of n_init starts, then residuals. The exact assignment is scipy's linear_sum_assignment on the cluster slots
(each cluster repeated size_max times; its first size_min slots cost 1e6 less, so they fill first), which is
the same optimum as the min-cost flow.
  run EMB.npy CODES.npy LEVELS K MAX_ITER N_INIT   prints: seconds  reconstruction-mse
"""
import sys
import time

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.cluster import kmeans_plusplus


def assign(d, lo, hi):
    n, k = d.shape
    slots = np.repeat(d, hi, axis=1)  # column j*hi + s: slot s of cluster j
    slots[:, (np.arange(k)[:, None] * hi + np.arange(lo)[None, :]).reshape(-1)] -= 1e6
    rows, cols = linear_sum_assignment(slots)
    labels = np.empty(n, dtype=np.int64)
    labels[rows] = cols // hi
    return labels


def estep(x, c, lo, hi):
    d2 = np.maximum((x ** 2).sum(1)[:, None] + (c ** 2).sum(1)[None, :] - 2 * x @ c.T, 0)
    labels = assign(np.sqrt(d2), lo, hi)
    return labels, d2[np.arange(len(x)), labels].sum()


def constrained_kmeans(x, k, lo, hi, max_iter, n_init, seed, tol=1e-4):
    mean = x.mean(0)
    x = x - mean
    tol = np.var(x, axis=0).mean() * tol
    rng = np.random.RandomState(seed)
    best = None
    for _ in range(n_init):
        centers, _ = kmeans_plusplus(x, k, random_state=rng.randint(2 ** 31 - 1))
        best_inertia, kept = None, None
        for _ in range(max_iter):
            old = centers.copy()
            labels, inertia = estep(x, centers, lo, hi)
            centers = np.stack([x[labels == j].mean(0) for j in range(k)])
            if best_inertia is None or inertia < best_inertia:
                best_inertia, kept = inertia, (labels, centers)
            shift = ((old - centers) ** 2).sum()
            if shift <= tol:
                break
        labels, kept_centers = kept
        if shift > 0:
            labels, best_inertia = estep(x, centers, lo, hi)
        if best is None or best_inertia < best[0]:
            best = (best_inertia, labels, kept_centers)
    return best[1], best[2] + mean


def run(emb, out, levels, k, max_iter, n_init):
    x = np.load(emb).astype(np.float32)
    levels, k, max_iter, n_init = int(levels), int(k), int(max_iter), int(n_init)
    n = len(x)
    lo, hi = max(1, n // k - 1), n // k + 1
    start = time.perf_counter()
    r = x.copy()
    codes = np.empty((n, levels), dtype=np.int64)
    for l in range(levels):
        labels, centers = constrained_kmeans(r, k, lo, hi, max_iter, n_init, 42 + l)
        codes[:, l] = labels
        r = r - centers[labels].astype(np.float32)
    seconds = time.perf_counter() - start
    np.save(out, codes)
    print(f"{seconds:.4f} {float((r.astype(np.float64) ** 2).sum(1).mean()):.6g}")


if __name__ == "__main__":
    {"run": run}[sys.argv[1]](*sys.argv[2:])
