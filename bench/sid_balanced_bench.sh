#!/usr/bin/env bash
# Balanced RQ-KMeans on the shipped catalog: `sidreasoner sid build --method rqkmeans-balanced` against python3
# (numpy + scipy + scikit-learn's k-means++) doing the same algorithm (bench/sid_balanced_peer.py: constrained
# k-means with an exact assignment per E-step, the reference's size bounds and loop) on the same data with the same
# thread count, levels, codebook, iterations and starts. The embeddings are bench/rqkmeans_peer.py's (TF-IDF + SVD
# to 64 dimensions). Prints seconds and the reconstruction error of both (the algorithms are the same, the random
# starts are not: the errors should be close, the codes are not compared), and the cluster-size range per level.
# Usage: bench/sid_balanced_bench.sh [build/sidreasoner] [runs] [max_iter] [n_init] [threads...]
set -euo pipefail
bin=${1:-build/sidreasoner}
runs=${2:-1}
iters=${3:-100}
inits=${4:-3}
shift 4 || true
threads=("${@:-1 2}")
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 "$here/bench/rqkmeans_peer.py" embed "$here/data/Amazon/index/Industrial_and_Scientific.item.json" \
  "$work/emb.npy"
best() { sort -n | head -1; }
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)  ($(nproc) cores); 3 levels x 256, max_iter $iters, n_init $inits"
for t in ${threads[@]}; do
  ours=$(for _ in $(seq "$runs"); do
    OMP_NUM_THREADS=$t OPENBLAS_NUM_THREADS=$t "$bin" sid build --method rqkmeans-balanced --embeddings "$work/emb.npy" \
      --levels 3 --codebook 256 --max-iter "$iters" --n-init "$inits" --threads "$t" --out "$work/out" \
      | sed -n 's/^trained in *\([0-9.]*\) s.*/\1/p'; done | best)
  ours_mse=$(/usr/bin/python3 -c "
import numpy as np; x=np.load('$work/emb.npy').astype(np.float64); c=np.load('$work/out/dataset.codes.npy'); b=np.load('$work/out/dataset.codebooks.npy')
r=x-sum(b[l][c[:,l]] for l in range(c.shape[1])); print('%.6g' % (r**2).sum(1).mean())")
  peer=$(for _ in $(seq "$runs"); do OMP_NUM_THREADS=$t OPENBLAS_NUM_THREADS=$t /usr/bin/python3 \
      "$here/bench/sid_balanced_peer.py" run "$work/emb.npy" "$work/peer_codes.npy" 3 256 "$iters" "$inits"; done \
      | sort -n | head -1)
  sizes=$(/usr/bin/python3 -c "
import numpy as np
for name in ['$work/out/dataset.codes.npy', '$work/peer_codes.npy']:
    c = np.load(name); print(' '.join('%d..%d' % (np.bincount(c[:, l], minlength=256).min(), np.bincount(c[:, l], minlength=256).max()) for l in range(c.shape[1])), end=' | ')")
  awk -v t="$t" -v a="$ours" -v m="$ours_mse" -v b="${peer% *}" -v pm="${peer#* }" -v s="$sizes" \
    'BEGIN { printf "threads %s: sidreasoner %.3f s (mse %s), python3 %.3f s (mse %s), ratio %.2fx; sizes per level: %s\n", t, a, m, b, pm, b / a, s }'
done
