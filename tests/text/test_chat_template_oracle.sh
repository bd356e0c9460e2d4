#!/usr/bin/env bash
# render_chat vs the real Qwen3 chat template rendered by @huggingface/jinja, on every prompt shape of the
# reference built from the shipped catalog plus the template's edge shapes; the rendered prompts tokenize to the
# same ids as HF's tokenizer with the SID tokens added; the template we save renders the same.
source "$(dirname "$0")/oracle_common.sh"
node "$ORACLE/chat_cases.js" "$ITEMS" "$INDEX" 40 > "$WORK/cases.jsonl"
[ "$(wc -l < "$WORK/cases.jsonl")" -gt 400 ] || fail "too few chat cases"
node "$ORACLE/render_jinja.js" < "$WORK/cases.jsonl" > "$WORK/jinja.jsonl"
"$SIDR_BIN" tokenizer render-chat < "$WORK/cases.jsonl" > "$WORK/ours.jsonl"
same_lines "render_chat == Jinja(Qwen3 template)" "$WORK/jinja.jsonl" "$WORK/ours.jsonl"
grep -qF '<|im_start|>assistant\n<think>\n\n</think>\n\n<a_' "$WORK/ours.jsonl" || fail "no empty think block before a SID target"

node "$ORACLE/hf_tokenizer.js" encode --tokenizer "$QWEN" --sid-index "$INDEX" < "$WORK/jinja.jsonl" > "$WORK/ids.hf"
"$SIDR_BIN" tokenizer encode --tokenizer "$QWEN" --sid-index "$INDEX" --json-lines < "$WORK/jinja.jsonl" > "$WORK/ids.ours"
same_lines "ids of rendered prompts (SID tokens added)" "$WORK/ids.hf" "$WORK/ids.ours"

# The chat template written by save() renders like render_chat.
"$SIDR_BIN" tokenizer add-sid-tokens --tokenizer "$QWEN" --sid-index "$INDEX" --out "$WORK/tok" > /dev/null
node "$ORACLE/render_jinja.js" --template "$WORK/tok/tokenizer_config.json" < "$WORK/cases.jsonl" > "$WORK/saved.jsonl"
same_lines "saved tokenizer_config.json chat_template" "$WORK/jinja.jsonl" "$WORK/saved.jsonl"
echo "PASS"
