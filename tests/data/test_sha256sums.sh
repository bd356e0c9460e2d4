#!/usr/bin/env bash
# The shipped dataset is byte-identical to the reference files (data/SHA256SUMS).
set -euo pipefail
: "${SIDR_SOURCE_DIR:?}"
cd "$SIDR_SOURCE_DIR/data"
sha256sum --check --strict SHA256SUMS
[[ $(grep -c . SHA256SUMS) -eq 6 ]]
