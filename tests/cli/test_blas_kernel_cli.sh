#!/usr/bin/env bash
# doctor reports OpenBLAS's kernel; under the test suite (SIDR_BLAS_AUTO=0, set by tests/CMakeLists.txt)
# nothing measures or re-executes with another OPENBLAS_CORETYPE; --no-blas-auto parses anywhere.
set -euo pipefail
bin="${SIDR_BIN:?}"
[[ "${SIDR_BLAS_AUTO:-}" == "0" ]] || { echo "FAIL: ctest must run tests with SIDR_BLAS_AUTO=0"; exit 1; }
out=$("$bin" doctor)
echo "$out"
grep -q '^blas kernel ' <<<"$out" || { echo "FAIL: doctor names no BLAS kernel"; exit 1; }
if grep -q '^cpu allows' <<<"$out"; then
  # A measurement under another kernel would print GFLOP/s on an "sgemm <Kernel>" line; here it must not run.
  if grep -E '^sgemm [A-Za-z]+ +[0-9.]+ GFLOP/s \(OPENBLAS_CORETYPE=' <<<"$out"; then
    echo "FAIL: doctor measured another kernel although SIDR_BLAS_AUTO=0"; exit 1
  fi
fi
probe=$("$bin" doctor --gemm-probe)
[[ "$probe" =~ ^[0-9]+\.[0-9]+$ ]] || { echo "FAIL: --gemm-probe printed '$probe'"; exit 1; }
# A user-facing command under the suite's environment runs in this process, with the environment's kernel:
# its stderr carries no "blas:" line (no measurement, no re-exec).
err=$("$bin" sft --help 2>&1 >/dev/null)
! grep -q '^blas:' <<<"$err" || { echo "FAIL: sft re-examined the kernel under SIDR_BLAS_AUTO=0: $err"; exit 1; }
"$bin" --no-blas-auto sft --help >/dev/null
"$bin" sft --no-blas-auto --help >/dev/null
echo "ok"
