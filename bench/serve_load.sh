#!/usr/bin/env bash
# Serving throughput against offline evaluation, same model, same users, same machine, same threads, in one run:
#   offline: `sidreasoner evaluate` users/s at --batch-size MAX_BATCH over the first USERS test users;
#   served:  wrk (Debian) POSTing those users' histories to /v1/recommend at concurrency 1, 8, 32, 128 for
#            SECONDS each (keep-alive, 127.0.0.1), the server batching up to MAX_BATCH with MAX_WAIT_MS.
# Per concurrency: answered requests/s and its ratio to offline users/s (the issue asks >= 0.8 at 32), p50/p99
# latency (wrk --latency), and the 503 rate (from the server's /metrics; above --max-queue 503s are expected).
# Also checks that served answers equal evaluate's predictions for a few users (tests/serve covers it fully).
#
# Usage: bench/serve_load.sh [USERS=64] [SECONDS=10] [THREADS=1] [HIDDEN=256] [LAYERS=4]
# Env: SIDR_BIN (default build/sidreasoner), MAX_BATCH (8), MAX_WAIT_MS (5), MAX_QUEUE (64), BEAMS (10).
# Timing numbers mean something only on a quiet machine.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
export SIDR_SOURCE_DIR=$src
export SIDR_BIN=${SIDR_BIN:-$src/build/sidreasoner}
users=${1:-64}
seconds=${2:-10}
threads=${3:-1}
hidden=${4:-256}
layers=${5:-4}
max_batch=${MAX_BATCH:-8}
max_wait=${MAX_WAIT_MS:-5}
max_queue=${MAX_QUEUE:-64}
beams=${BEAMS:-10}
command -v wrk > /dev/null || { echo "serve_load: wrk not found (apt-get install wrk)" >&2; exit 2; }
tmp=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2> /dev/null || true; wait "$server_pid" 2> /dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
data=$src/data/Amazon
ds=Industrial_and_Scientific

bash "$src/tests/eval/make_tiny_checkpoint.sh" "$tmp/model" "$hidden" "$layers" 2000 0.02
"$SIDR_BIN" evaluate --model "$tmp/model" --data "$data" --dataset $ds --beams "$beams" --limit "$users" \
  --batch-size "$max_batch" --threads "$threads" --quiet --out "$tmp/offline" > /dev/null

/usr/bin/python3 - "$data/test/${ds}_5_2016-10-2018-11.csv" "$users" "$beams" > "$tmp/bodies.jsonl" <<'PY'
import ast, csv, json, sys
path, users, beams = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for n, row in enumerate(csv.DictReader(open(path, newline=""))):
    if n == users:
        break
    print(json.dumps({"history": [int(x) for x in ast.literal_eval(row["history_item_id"])], "k": beams}))
PY

"$SIDR_BIN" serve --model "$tmp/model" --data "$data" --dataset $ds --beams "$beams" --port 0 --threads "$threads" \
  --max-batch "$max_batch" --max-wait-ms "$max_wait" --max-queue "$max_queue" > "$tmp/serve.out" 2> "$tmp/serve.err" &
server_pid=$!
for _ in $(seq 600); do
  grep -q "listening on" "$tmp/serve.out" 2> /dev/null && break
  kill -0 "$server_pid" 2> /dev/null || { cat "$tmp/serve.err" >&2; exit 1; }
  sleep 0.1
done
url=$(sed -n 's/^listening on //p' "$tmp/serve.out")
[ -n "$url" ] || { echo "serve_load: the server did not start" >&2; exit 1; }

for c in 1 8 32 128; do
  curl -s "$url/metrics" > "$tmp/metrics_before_$c"
  BODIES=$tmp/bodies.jsonl wrk -t "$(( c < 4 ? c : 4 ))" -c "$c" -d "${seconds}s" --timeout 30s --latency \
    -s "$src/bench/serve_load.lua" "$url" > "$tmp/wrk_$c.txt"
  curl -s "$url/metrics" > "$tmp/metrics_after_$c"
done
rss_kib=$(awk '/VmRSS/ {print $2}' "/proc/$server_pid/status")
fds=$(ls "/proc/$server_pid/fd" | wc -l)
threads_now=$(ls "/proc/$server_pid/task" | wc -l)

/usr/bin/python3 - "$tmp" "$url" "$seconds" "$rss_kib" "$fds" "$threads_now" <<'PY'
import json, re, sys, urllib.request
tmp, url, seconds, rss_kib, fds, nthreads = sys.argv[1], sys.argv[2], float(sys.argv[3]), *map(int, sys.argv[4:])
offline = json.load(open(f"{tmp}/offline/metrics.json"))
preds = json.load(open(f"{tmp}/offline/predictions.json"))
bodies = [json.loads(l) for l in open(f"{tmp}/bodies.jsonl")]
same = 0
for body, pred in list(zip(bodies, preds))[:8]:
    req = urllib.request.Request(url + "/v1/recommend", json.dumps(body).encode(), {"Content-Type": "application/json"})
    ans = json.load(urllib.request.urlopen(req, timeout=60))
    same += [i["sid"] for i in ans["items"]] == pred["predict"]

def counter(text, status):
    m = re.search(r'sidr_requests_total\{route="/v1/recommend",status="%d"\} (\d+)' % status, text)
    return int(m.group(1)) if m else 0

def ms(value, unit):
    return float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}[unit]

rows = []
for c in (1, 8, 32, 128):
    wrk = open(f"{tmp}/wrk_{c}.txt").read()
    before, after = open(f"{tmp}/metrics_before_{c}").read(), open(f"{tmp}/metrics_after_{c}").read()
    ok = counter(after, 200) - counter(before, 200)
    busy = counter(after, 503) - counter(before, 503)
    other = sum(counter(after, s) - counter(before, s) for s in (400, 413, 500, 504))
    lat = {p: ms(v, u) for p, v, u in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s|m)\s*$", wrk, re.M)}
    socket_errors = re.search(r"Socket errors: (.*)", wrk)
    rate = ok / seconds
    rows.append({"concurrency": c, "answered_per_second": round(rate, 2),
                 "ratio_to_offline": round(rate / offline["users_per_second"], 3),
                 "p50_ms": lat.get("50"), "p99_ms": lat.get("99"),
                 "rate_503": round(busy / max(1, ok + busy + other), 4), "other_errors": other,
                 "socket_errors": socket_errors.group(1) if socket_errors else "none"})
print(json.dumps({"offline_users_per_second": round(offline["users_per_second"], 2),
                  "offline_batch_size": offline["batch_size"], "users": len(bodies),
                  "served_equal_to_offline": f"{same}/{min(8, len(bodies))}", "load": rows,
                  "server_rss_mib_after": round(rss_kib / 1024), "server_fds_after": fds,
                  "server_threads_after": nthreads, "threads": offline["threads"]}, indent=2))
PY
