#!/usr/bin/env bash
# Old vs new `evaluate`, interleaved in one script run on the same model, data and threads: plain mode, and
# plain mode with a SASRec run mixed in (--sasrec, mean and product). Checks that both binaries predict the
# same lists with beam scores within 1e-5, and prints each run's users/s.
#
# Usage: bench/eval_ab.sh OLD_BIN NEW_BIN [LIMIT=300] [ROUNDS=2] [THREADS=1]
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
export SIDR_SOURCE_DIR=$src
old=${1:?old sidreasoner binary}
new=${2:?new sidreasoner binary}
limit=${3:-300}
rounds=${4:-2}
threads=${5:-1}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
data=$src/data/Amazon
ds=Industrial_and_Scientific

SIDR_BIN=$new bash "$src/tests/eval/make_tiny_checkpoint.sh" "$tmp/model" 256 4 2000 0.02
"$new" baseline sasrec --data "$data" --dataset $ds --loss ce --epochs 3 --no-progress --out "$tmp/sasrec" > /dev/null
common=(--model "$tmp/model" --data "$data" --dataset $ds --beams 10 --quiet --threads "$threads" --limit "$limit"
        --batch-size 16 --with-scores)
declare -A extra=([plain]="" [sasrec_mean]="--sasrec $tmp/sasrec --sasrec-weight 0.3"
                  [sasrec_product]="--sasrec $tmp/sasrec --sasrec-weight 0.2 --sasrec-mix product --sasrec-temperature 1.5")
for round in $(seq "$rounds"); do
  for run in plain sasrec_mean sasrec_product; do
    for side in old new; do
      bin=$old; [ "$side" = new ] && bin=$new
      # shellcheck disable=SC2086
      "$bin" evaluate "${common[@]}" ${extra[$run]} --out "$tmp/$run.$side.$round" > /dev/null
    done
  done
done

/usr/bin/python3 - "$tmp" "$rounds" <<'PY'
import json, sys
tmp, rounds = sys.argv[1], int(sys.argv[2])
summary = {}
for run in ("plain", "sasrec_mean", "sasrec_product"):
    rate = {"old": [], "new": []}
    for r in range(1, rounds + 1):
        preds = {}
        for side in ("old", "new"):
            d = f"{tmp}/{run}.{side}.{r}"
            rate[side].append(json.load(open(f"{d}/metrics.json"))["users_per_second"])
            preds[side] = json.load(open(f"{d}/predictions.json"))
        assert len(preds["old"]) == len(preds["new"]) > 0
        worst = 0.0
        for a, b in zip(preds["old"], preds["new"]):
            assert a["predict"] == b["predict"], (run, a["input"][:60], a["predict"], b["predict"])
            worst = max([worst] + [abs(x - y) for x, y in zip(a["scores"], b["scores"])])
        assert worst <= 1e-5, (run, worst)
    summary[run] = {"users": len(preds["new"]), "max_score_diff": worst,
                    "old_users_per_second": [round(x, 2) for x in rate["old"]],
                    "new_users_per_second": [round(x, 2) for x in rate["new"]]}
print(json.dumps(summary, indent=2))
PY
