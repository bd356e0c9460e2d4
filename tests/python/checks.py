"""The boilerplate the python script tests share, and nothing of what they check:

- check(condition, message): records a failure and prints "FAIL: message", and the test goes on;
- finish(passed, kept=None): the exit code, 1 if any check failed (with the count, and where the files were
  kept), else 0 after printing `passed`;
- skip(reason): exit 77, what ctest counts as skipped (SKIP_RETURN_CODE), for a missing python3-faiss or scipy;
- run_binary(args, env=None): `sidreasoner args...` (SIDR_BIN) with its output captured as text.

Only the standard library: some tests set OMP_NUM_THREADS / OPENBLAS_NUM_THREADS before numpy loads OpenBLAS
(its pool is sized at load time), so this module must never import numpy. The failures list is one per
process: a test that imports another test module (tests/prepare/test_data_prepare_amazon23.py) shares it.
"""
import os
import subprocess
import sys

SIDR_BIN = os.environ.get("SIDR_BIN", "build/sidreasoner")
SKIP = 77  # tests/CMakeLists.txt: SKIP_RETURN_CODE 77

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL:", message)


def finish(passed, kept=None):
    """0 when every check passed (printing `passed`), else 1 (printing how many failed, and `kept`)."""
    if failures:
        print(f"{len(failures)} failure(s)" + (f"; {kept}" if kept else ""))
        return 1
    print(passed)
    return 0


def skip(reason):
    print(f"{reason}: skipped")
    sys.exit(SKIP)


def run_binary(args, env=None):
    """`sidreasoner args...`; env is the whole environment (None: this process's)."""
    return subprocess.run([SIDR_BIN] + list(args), capture_output=True, text=True, env=env)
