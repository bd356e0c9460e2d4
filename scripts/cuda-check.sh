#!/usr/bin/env bash
# The GPU checks in one go, on a machine with an NVIDIA GPU and a CUDA PyTorch (CI has no GPU, so these run by
# hand): builds build-cuda/ against that PyTorch's libtorch (scripts/build-cuda.sh), then
#   1. the CUDA tests: tests/model/cuda_test.cpp (forward, gradients, cached beam search, the SASRec product,
#      bfloat16 checkpoints: GPU against CPU) and tests/cuda/test_cuda_cli.sh (sft and evaluate on cuda against cpu);
#   2. the rest of the C++ suite (label torch) under this libtorch, beside 1;
#   3. bench/gpu_model_bench.py: our Qwen3-1.7B against PyTorch eager and sdpa on the same GPU.
# Each step is bounded in time and logged to LOG_DIR (default build-cuda/logs); a failing step does not stop the
# next; the exit status says whether the CUDA tests and the build passed.
#   scripts/cuda-check.sh [--skip-bench] [--skip-suite]
set -uo pipefail
cd "$(dirname "$0")/.."
export PYTHON=${PYTHON:-python3} BUILD=${BUILD:-build-cuda}
LOG_DIR=${LOG_DIR:-$BUILD/logs}
mkdir -p "$LOG_DIR" && LOG_DIR=$(cd "$LOG_DIR" && pwd)
bench=1 suite=1
for a in "$@"; do
  case $a in --skip-bench) bench=0 ;; --skip-suite) suite=0 ;; *) echo "cuda-check: unknown option $a" >&2; exit 2 ;; esac
done
[ -d .cuda-deps ] && [ -z "${SIDR_DEPS_PREFIX:-}" ] && export SIDR_DEPS_PREFIX=$PWD/.cuda-deps
[ -n "${SIDR_DEPS_PREFIX:-}" ] && export LD_LIBRARY_PATH=$SIDR_DEPS_PREFIX/usr/lib/x86_64-linux-gnu:${LD_LIBRARY_PATH:-}
status=0
step() {  # step NAME SECONDS command...: runs it bounded, logs it, prints one line
  local name=$1 limit=$2; shift 2
  local start=$SECONDS
  timeout -k 10 "$limit" "$@" > "$LOG_DIR/$name.log" 2>&1
  local rc=$?
  echo "cuda-check: $name rc=$rc ($((SECONDS - start)) s) -> $LOG_DIR/$name.log"
  return $rc
}

{ nvidia-smi -L; g++ --version | head -1; cmake --version | head -1; command -v ninja nvcc pkg-config;
  "$PYTHON" -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, torch.cuda.is_available())'
} > "$LOG_DIR/environment.log" 2>&1
cat "$LOG_DIR/environment.log"

if ! step build 420 scripts/build-cuda.sh sidreasoner sidr_tests model_bench; then
  tail -n 60 "$LOG_DIR/build.log"
  exit 1
fi
grep -E "NCCL|nccl" "$LOG_DIR/build.log" | head -3
"$BUILD/sidreasoner" doctor | head -4

step cuda_gtest 120 "$BUILD/tests/sidr_tests" --gtest_filter='Cuda.*' || status=1
grep -E "^\[  (PASSED|FAILED|SKIPPED) " "$LOG_DIR/cuda_gtest.log"
if [ $suite = 1 ]; then  # the whole torch suite under this libtorch, on the CPU cores beside the CUDA CLI test
  (cd "$BUILD" && timeout -k 10 200 ctest -L torch -j "$(( $(nproc) / 2 ))" --timeout 120 > "$LOG_DIR/suite.log" 2>&1) &
  suite_pid=$!
fi
export SIDR_BIN=$PWD/$BUILD/sidreasoner SIDR_SOURCE_DIR=$PWD SIDR_PYTHON=$PYTHON
step cuda_cli 240 bash tests/cuda/test_cuda_cli.sh || status=1
tail -n 4 "$LOG_DIR/cuda_cli.log"
if [ $suite = 1 ]; then
  wait $suite_pid
  echo "cuda-check: suite rc=$? -> $LOG_DIR/suite.log"
  grep -E "tests passed|tests failed|\*\*\*Failed|Not Run|Timeout" "$LOG_DIR/suite.log" | head -30
fi
if [ $bench = 1 ]; then
  step bench 170 "$PYTHON" bench/gpu_model_bench.py --build "$BUILD" --iters 2
  cat "$LOG_DIR/bench.log"
fi
exit $status
