#!/usr/bin/env bash
# `data prepare` on a generated Amazon-2018-style review file: throughput (MB/s of uncompressed JSON) and peak
# memory (max RSS), against the size of the file. The generator (python3, seeded) writes N review lines over
# N/20 users and N/50 items with titles, 1% of items untitled, times spread over 2015-2019.
# Usage: bench/prepare_bench.sh [build/sidreasoner] [lines]
set -euo pipefail
bin=${1:-build/sidreasoner}
lines=${2:-1000000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 - "$work" "$lines" <<'PY'
import json, random, sys
work, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(1)
users, items = max(n // 20, 1), max(n // 50, 1)
t0, t1 = 1420070400, 1567296000
with open(f"{work}/meta.json", "w") as f:
    for i in range(items):
        m = {"asin": f"B{i:08d}", "description": ["Some product description text " * 3], "brand": "Acme"}
        if rng.random() > 0.01:
            m["title"] = f"Product {i} heavy duty steel kit"
        f.write(json.dumps(m) + "\n")
with open(f"{work}/reviews.json", "w") as f:
    for _ in range(n):
        f.write(json.dumps({"reviewerID": f"A{rng.randrange(users):09d}", "asin": f"B{min(int(rng.expovariate(5 / items)), items - 1):08d}",
                            "overall": 5.0, "unixReviewTime": rng.randrange(t0, t1), "reviewText": "Great product, works well.",
                            "summary": "Five stars"}) + "\n")
PY
size=$(stat -c %s "$work/reviews.json")
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)  ($(nproc) cores)"
/usr/bin/time -f "%e %M" -o "$work/time" "$bin" data prepare --reviews "$work/reviews.json" --meta "$work/meta.json" \
  --dataset Gen --k 5 --start 2017-10 --end 2018-11 --out "$work/out" > "$work/stats"
read -r wall rss < "$work/time"
grep -E "^(users|items|rows) " "$work/stats" | head -3
awk -v l="$lines" -v s="$size" -v w="$wall" -v r="$rss" \
  'BEGIN { printf "%d review lines, %.1f MB: %.2f s wall, %.1f MB/s, peak RSS %.1f MB (%.1f bytes per line)\n", l, s / 1e6, w, s / 1e6 / w, r / 1024, r * 1024 / l }'
