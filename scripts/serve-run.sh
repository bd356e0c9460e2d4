#!/usr/bin/env bash
# Serves a pipeline run with the model options of its test evaluation (what `make serve` runs):
#   scripts/serve-run.sh [RUN=runs/quick] [PORT=8080] [more serve options...]
# Reads RUN/timings.json, takes the eval_test stage's `evaluate` command, keeps its model options (--model,
# --ensemble*, --sasrec*, --style, --prompt-style, --beams, --data, --dataset, --device, --dtype, --threads)
# and runs `sidreasoner serve` with them.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
run=${1:-runs/quick}
port=${2:-8080}
shift $(( $# < 2 ? $# : 2 ))
bin=${SIDR_BIN:-$src/build/sidreasoner}
[ -f "$run/timings.json" ] || { echo "serve-run: $run/timings.json not found (train a run first: make run)" >&2; exit 2; }
mapfile -t options < <(/usr/bin/python3 - "$run/timings.json" <<'PY'
import json, sys
timings = json.load(open(sys.argv[1]))
stage = timings.get("eval_test")
if not stage or not stage.get("commands"):
    sys.exit(f"serve-run: {sys.argv[1]}: no eval_test stage with its commands")
argv = stage["commands"][-1]
keep = {"--model", "--ensemble", "--ensemble-mix", "--sasrec", "--sasrec-ensemble", "--sasrec-weight",
        "--sasrec-mix", "--sasrec-temperature", "--data", "--dataset", "--style", "--prompt-style", "--beams",
        "--think-tokens", "--device", "--dtype", "--threads"}
flags = {"--quiet", "--no-progress", "--with-scores", "--with-prompt-ids", "--beam-sampling"}
i = argv.index("evaluate") + 1
while i < len(argv):
    word = argv[i]
    name, eq, value = word.partition("=")
    if eq:
        if name in keep:
            print(name); print(value)
        i += 1
    elif word in flags or not word.startswith("--"):
        i += 1
    else:
        if word in keep:
            print(word); print(argv[i + 1])
        i += 2
PY
)
echo "serve-run: $bin serve ${options[*]} --port $port $*" >&2
exec "$bin" serve "${options[@]}" --port "$port" "$@"
