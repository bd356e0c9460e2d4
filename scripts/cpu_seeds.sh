#!/usr/bin/env bash
# The cpu preset over 3 seed sets under its epoch budget (issue 23 part 6): runs/cpu-s{A,B,C}, then a table of
# each run's test numbers (fused, and the single model) with mean and spread. Resumable: a finished run is
# reused, an interrupted one resumes (the pipeline's own resume). Expect about 45 min per run on 2 quiet cores.
#   scripts/cpu_seeds.sh [A B C]      run (or reuse) those seed sets, then print the table
set -euo pipefail
cd "$(dirname "$0")/.."
B=${SIDR_BIN:-./build/sidreasoner}
sets=("$@")
[ ${#sets[@]} -gt 0 ] || sets=(A B C)
# B's SASRec seed 1 is the preset's own, so A and B share their SASRec runs (B varies the language models only);
# C varies both.
seed_flags() {  # the preset as shipped (A), and two more sets of member and SASRec seeds
  case $1 in
    A) ;;
    B) echo --set sft.seed=1 --set 'ensemble.seeds=[2,4]' --set sasrec.ce.seed=1 --set sasrec.bce.seed=1 ;;
    C) echo --set sft.seed=5 --set 'ensemble.seeds=[6,8]' --set sasrec.ce.seed=5 --set sasrec.bce.seed=5 ;;
    *) echo "unknown seed set $1 (A, B or C)" >&2; exit 2 ;;
  esac
}
for s in "${sets[@]}"; do
  # shellcheck disable=SC2046
  "$B" pipeline --preset cpu --out "runs/cpu-s$s" $(seed_flags "$s")
done
/usr/bin/python3 - "${sets[@]}" <<'PY'
import json, os, statistics, sys
rows = []
for s in sys.argv[1:]:
    run = f"runs/cpu-s{s}"
    def m(part):
        path = os.path.join(run, part, "metrics.json")
        if not os.path.exists(path):
            return None
        j = json.load(open(path))
        return j.get("HR@10", j.get("hr@10")), j.get("NDCG@10", j.get("ndcg@10"))
    rows.append((s, m("eval_test"), m("eval_test_single"), m("eval_valid")))
print("| seed set | test HR@10 | test NDCG@10 | single HR@10 | single NDCG@10 | valid HR@10 | valid NDCG@10 |")
print("|---|---|---|---|---|---|---|")
for s, t, one, v in rows:
    f = lambda x, i: "-" if x is None else f"{x[i]:.4f}"
    print(f"| {s} | {f(t,0)} | {f(t,1)} | {f(one,0)} | {f(one,1)} | {f(v,0)} | {f(v,1)} |")
for name, k in (("test", 1), ("single", 2), ("valid", 3)):
    vals = [r[k] for r in rows if r[k] is not None]
    if len(vals) > 1:
        for i, metric in enumerate(("HR@10", "NDCG@10")):
            xs = [v[i] for v in vals]
            print(f"{name} {metric}: mean {statistics.mean(xs):.4f}, sd {statistics.stdev(xs):.4f}, "
                  f"range {min(xs):.4f}-{max(xs):.4f} over {len(xs)} runs")
PY
