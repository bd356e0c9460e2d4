#!/usr/bin/env bash
# Before/after evaluation speed in one script run: bench/eval_bench.sh with an old binary and the new one,
# interleaved (old, new, old, new, ...) so that a change in machine load hits both alike.
# Usage: bench/eval_old_new.sh OLD_BIN [ROUNDS=2] [OUR_LIMIT=300] [PY_LIMIT=2] [THREADS=1]
# Prints one line per run: which binary, plain-mode users/s, think-mode users/s (128-token thoughts).
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
old=${1:?old binary}
new=${SIDR_BIN:-$src/build/sidreasoner}
rounds=${2:-2}
limit=${3:-300}
py_limit=${4:-2}
threads=${5:-1}
for ((r = 0; r < rounds; r++)); do
  for which in old new; do
    bin=$old; [[ $which == new ]] && bin=$new
    out=$(SIDR_BIN=$bin bash "$src/bench/eval_bench.sh" "$limit" "$py_limit" "$threads")
    echo "$out" | /usr/bin/python3 -c "
import json, sys
d = json.load(sys.stdin)
print(json.dumps({'round': $r, 'binary': '$which', 'users': d['users_ours'],
                  'plain_users_per_second': d['ours_users_per_second'],
                  'plain_batch8_users_per_second': d['ours_batch8_users_per_second'],
                  'think_users_per_second': d['think_users_per_second_128_tokens'],
                  'identical_to_python_peer': d['identical_prediction_lists']}))"
  done
done
