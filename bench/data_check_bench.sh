#!/usr/bin/env bash
# Loading + validating the shipped dataset: `sidreasoner data check` against the Python peer
# (bench/data_check_peer.py: csv + ast.literal_eval + json, the reference's readers). Best of N runs each.
# Usage: bench/data_check_bench.sh [build/sidreasoner] [runs]
set -euo pipefail
bin=${1:-build/sidreasoner}
runs=${2:-5}
here=$(cd "$(dirname "$0")/.." && pwd)
data="$here/data/Amazon"
name=Industrial_and_Scientific

best() { sort -n | head -1; }
ours_wall=$(for _ in $(seq "$runs"); do "$bin" data check --data "$data" --dataset "$name" | sed -n 's/^checked in *\([0-9.]*\) s.*/\1/p'; done | best)
ours_cpu=$(for _ in $(seq "$runs"); do "$bin" data check --data "$data" --dataset "$name" | sed -n 's/.*(\([0-9.]*\) s CPU).*/\1/p'; done | best)
process=$( { for _ in $(seq "$runs"); do /usr/bin/time -f "%e" "$bin" data check --data "$data" --dataset "$name" >/dev/null; done; } 2>&1 | best)
startup=$( { for _ in $(seq "$runs"); do /usr/bin/time -f "%e" "$bin" --version >/dev/null; done; } 2>&1 | best)
peer=$(for _ in $(seq "$runs"); do /usr/bin/python3 "$here/bench/data_check_peer.py" "$data" "$name"; done)
peer_wall=$(sed -n 's/.* rows, \([0-9.]*\) s wall.*/\1/p' <<<"$peer" | best)
peer_cpu=$(sed -n 's/.* wall, \([0-9.]*\) s CPU.*/\1/p' <<<"$peer" | best)
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)  ($(nproc) cores)"
echo "sidreasoner data check: ${ours_wall} s wall, ${ours_cpu} s CPU (in-process, best of $runs)"
echo "  whole process ${process} s wall, of which binary start-up (libtorch) ${startup} s (sidreasoner --version)"
echo "python peer:            ${peer_wall} s wall, ${peer_cpu} s CPU"
awk -v a="$peer_wall" -v b="$ours_wall" -v c="$peer_cpu" -v d="$ours_cpu" \
  'BEGIN { printf "speed-up: %.1fx wall, %.1fx CPU\n", a / b, c / d }'
