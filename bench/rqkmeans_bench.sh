#!/usr/bin/env bash
# RQ-KMeans on the shipped catalog: `sidreasoner sid build --method rqkmeans` against python3-faiss doing the same
# (ResidualQuantizer, Train_default, beam 1, same seed, same data, same thread count). Both time training +
# encoding in-process (no start-up). The embeddings are the bench's own input: TF-IDF over title + description of
# the shipped item.json (top 2048 terms by document frequency) reduced to 64 dimensions by SVD, made by
# bench/rqkmeans_peer.py with numpy. Prints the ratio per thread count; best of N runs each.
# Usage: bench/rqkmeans_bench.sh [build/sidreasoner] [runs] [threads...]
set -euo pipefail
bin=${1:-build/sidreasoner}
runs=${2:-3}
shift 2 || true
threads=("${@:-1 2}")
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 "$here/bench/rqkmeans_peer.py" embed "$here/data/Amazon/index/Industrial_and_Scientific.item.json" \
  "$work/emb.npy"
best() { sort -n | head -1; }
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)  ($(nproc) cores)"
for t in ${threads[@]}; do
  ours=$(for _ in $(seq "$runs"); do
    OMP_NUM_THREADS=$t OPENBLAS_NUM_THREADS=$t "$bin" sid build --method rqkmeans --embeddings "$work/emb.npy" --levels 3 --codebook 256 --threads "$t" \
      --out "$work/out" | sed -n 's/^trained in *\([0-9.]*\) s.*/\1/p'; done | best)
  peer=$(for _ in $(seq "$runs"); do OMP_NUM_THREADS=$t OPENBLAS_NUM_THREADS=$t /usr/bin/python3 "$here/bench/rqkmeans_peer.py" run \
      "$work/emb.npy" "$work/peer_codes.npy"; done | best)
  same=$(/usr/bin/python3 -c "import numpy as np; a=np.load('$work/out/dataset.codes.npy'); b=np.load('$work/peer_codes.npy'); print(int((a==b).all(axis=1).sum()), 'of', len(a))")
  awk -v t="$t" -v a="$ours" -v b="$peer" -v s="$same" \
    'BEGIN { printf "threads %s: sidreasoner %.3f s, python3-faiss %.3f s, ratio %.2fx (items with equal codes: %s)\n", t, a, b, b / a, s }'
done
