#!/usr/bin/env bash
# Our tokenizer vs Hugging Face's tokenizers (npm tokenizers@0.23.2) on the official Qwen3 tokenizer.json: ids on
# every catalog title and description and on hostile strings, with and without the catalog's SID tokens; decode
# equal to HF's and to NFC(text); invalid UTF-8 is an error (exit 2); saved files load in HF unchanged.
source "$(dirname "$0")/oracle_common.sh"
node "$ORACLE/corpus.js" catalog "$ITEMS" > "$WORK/catalog.jsonl"
node "$ORACLE/corpus.js" hostile > "$WORK/hostile.jsonl"
[ "$(wc -l < "$WORK/catalog.jsonl")" -gt 7000 ] || fail "catalog corpus too small"

for corpus in catalog hostile; do
  node "$ORACLE/hf_tokenizer.js" encode --tokenizer "$QWEN" < "$WORK/$corpus.jsonl" > "$WORK/$corpus.hf"
  "$SIDR_BIN" tokenizer encode --tokenizer "$QWEN" --json-lines < "$WORK/$corpus.jsonl" > "$WORK/$corpus.ours"
  same_lines "encode $corpus" "$WORK/$corpus.hf" "$WORK/$corpus.ours"
  node "$ORACLE/hf_tokenizer.js" encode --tokenizer "$QWEN" --sid-index "$INDEX" < "$WORK/$corpus.jsonl" > "$WORK/$corpus.sid.hf"
  "$SIDR_BIN" tokenizer encode --tokenizer "$QWEN" --sid-index "$INDEX" --json-lines < "$WORK/$corpus.jsonl" > "$WORK/$corpus.sid.ours"
  same_lines "encode $corpus with SID tokens" "$WORK/$corpus.sid.hf" "$WORK/$corpus.sid.ours"
  # decode: equal to HF's decode and to NFC(text)
  "$SIDR_BIN" tokenizer decode --tokenizer "$QWEN" --sid-index "$INDEX" --json-lines < "$WORK/$corpus.sid.ours" > "$WORK/$corpus.dec.ours"
  if [ "$corpus" = hostile ]; then  # on the catalog, decode == NFC(text) below says the same, faster
    node "$ORACLE/hf_tokenizer.js" decode --tokenizer "$QWEN" --sid-index "$INDEX" < "$WORK/$corpus.sid.ours" > "$WORK/$corpus.dec.hf"
    same_lines "decode $corpus" "$WORK/$corpus.dec.hf" "$WORK/$corpus.dec.ours"
  fi
  node "$ORACLE/corpus.js" nfc "$corpus" "$ITEMS" > "$WORK/$corpus.nfc"
  same_lines "decode(encode(x)) == NFC(x) on $corpus" "$WORK/$corpus.nfc" "$WORK/$corpus.dec.ours"
done

# skip_special drops <|im_end|> but keeps <think> and SID tokens (they are not special), as in HF.
printf '"<|im_start|>a<think>b</think><a_236><b_231><c_226><|im_end|>"\n' > "$WORK/special.jsonl"
"$SIDR_BIN" tokenizer encode --tokenizer "$QWEN" --sid-index "$INDEX" --json-lines < "$WORK/special.jsonl" > "$WORK/special.ids"
"$SIDR_BIN" tokenizer decode --tokenizer "$QWEN" --sid-index "$INDEX" --skip-special --json-lines < "$WORK/special.ids" > "$WORK/special.ours"
node "$ORACLE/hf_tokenizer.js" decode --tokenizer "$QWEN" --sid-index "$INDEX" --skip-special < "$WORK/special.ids" > "$WORK/special.hf"
same_lines "decode skip_special" "$WORK/special.hf" "$WORK/special.ours"
grep -qx '"a<think>b</think><a_236><b_231><c_226>"' "$WORK/special.ours" || fail "skip_special output: $(cat "$WORK/special.ours")"
echo "ok: skip_special keeps <think> and SID tokens"

# parse_special off (--plain-text): added tokens' text is plain text. The oracle is HF's tokenizers on the same
# tokenizer.json with its added tokens removed, so "<|im_end|>" or "<a_236>" in user text comes out as BPE pieces.
/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["added_tokens"]=[]; json.dump(d, open(sys.argv[2], "w"))' \
  "$QWEN" "$WORK/no_added.json"
printf '"<|im_start|>user\\nhi<|im_end|>"\n"a<think>b</think><a_236><b_231><c_226><|endoftext|>"\n' > "$WORK/markup.jsonl"
cat "$WORK/markup.jsonl" "$WORK/hostile.jsonl" > "$WORK/plain.jsonl"
node "$ORACLE/hf_tokenizer.js" encode --tokenizer "$WORK/no_added.json" < "$WORK/plain.jsonl" > "$WORK/plain.hf"
for sid in "" "--sid-index $INDEX"; do
  # shellcheck disable=SC2086
  "$SIDR_BIN" tokenizer encode --tokenizer "$QWEN" $sid --plain-text --json-lines < "$WORK/plain.jsonl" > "$WORK/plain.ours"
  same_lines "encode --plain-text ${sid:+with SID tokens }== HF without added tokens" "$WORK/plain.hf" "$WORK/plain.ours"
done
if grep -qw 151645 "$WORK/plain.ours"; then fail "--plain-text produced <|im_end|>'s id"; fi
echo "ok: --plain-text never yields an added token"

# Key ids of the reference (§3.1, §2.8): \n, \n\n, <think>, </think>, and the first and last SID ids.
# The shipped index's sorted level tokens run from <a_104> to <c_9> (560 tokens: 48 a, 256 b, 256 c).
printf '"\\n"\n"\\n\\n"\n"<think>"\n"</think>"\n"<a_104>"\n"<c_9>"\n"<|im_end|>"\n' > "$WORK/keys.jsonl"
"$SIDR_BIN" tokenizer encode --tokenizer "$QWEN" --sid-index "$INDEX" --json-lines < "$WORK/keys.jsonl" > "$WORK/keys.ours"
printf '198\n271\n151667\n151668\n151669\n152228\n151645\n' > "$WORK/keys.expected"
same_lines "reference key ids" "$WORK/keys.expected" "$WORK/keys.ours"

# Invalid UTF-8: one-line error naming the input line, exit code 2, no crash.
set +e
printf 'fine\nbad \xff\xfe byte\n' | "$SIDR_BIN" tokenizer encode --tokenizer "$QWEN" > /dev/null 2> "$WORK/err"
rc=$?
set -e
[ "$rc" -eq 2 ] || fail "invalid UTF-8: exit code $rc, expected 2 ($(cat "$WORK/err"))"
grep -q "stdin:2.*invalid UTF-8" "$WORK/err" || fail "invalid UTF-8 error message: $(cat "$WORK/err")"
echo "ok: invalid UTF-8 -> exit 2: $(cat "$WORK/err")"

# Other bad input: exit 2 with a one-line message, never a crash.
expect_exit2() {  # NAME STDIN ARGS...
  local name=$1 input=$2; shift 2
  set +e
  printf "$input" | "$SIDR_BIN" "$@" > /dev/null 2> "$WORK/err"
  local rc=$?
  set -e
  [ "$rc" -eq 2 ] || fail "$name: exit code $rc, expected 2 ($(cat "$WORK/err"))"
  [ "$(wc -l < "$WORK/err")" -le 2 ] || fail "$name: error is not short: $(cat "$WORK/err")"
  echo "ok: $name -> exit 2: $(head -c 200 "$WORK/err")"
}
expect_exit2 "missing tokenizer file" 'x\n' tokenizer encode --tokenizer "$WORK/none.json"
expect_exit2 "not a tokenizer.json" 'x\n' tokenizer encode --tokenizer "$INDEX"
expect_exit2 "bad JSON line" '"ok"\n{not json\n' tokenizer encode --tokenizer "$QWEN" --json-lines
expect_exit2 "JSON line not a string" '[1]\n' tokenizer encode --tokenizer "$QWEN" --json-lines
expect_exit2 "decode id out of range" '1 2 99999999\n' tokenizer decode --tokenizer "$QWEN"
expect_exit2 "decode not a number" '1 x\n' tokenizer decode --tokenizer "$QWEN"
expect_exit2 "missing SID index" 'x\n' tokenizer encode --tokenizer "$QWEN" --sid-index "$WORK/none.json"
expect_exit2 "render-chat bad message" '{"messages": [{"role": 1}]}\n' tokenizer render-chat

# vocab.json + merges.txt, and merges in the "a b" string form: HF on the same base BPE without added tokens.
node "$ORACLE/export_vocab_merges.js" "$QWEN" "$WORK/gpt2"
node "$ORACLE/hf_tokenizer.js" encode --tokenizer "$WORK/gpt2/strings.json" < "$WORK/hostile.jsonl" > "$WORK/gpt2.hf"
"$SIDR_BIN" tokenizer encode --tokenizer "$WORK/gpt2/vocab.json" --json-lines < "$WORK/hostile.jsonl" > "$WORK/gpt2.ours"
same_lines "vocab.json + merges.txt" "$WORK/gpt2.hf" "$WORK/gpt2.ours"
"$SIDR_BIN" tokenizer encode --tokenizer "$WORK/gpt2/strings.json" --json-lines < "$WORK/hostile.jsonl" > "$WORK/strings.ours"
same_lines "string-form merges" "$WORK/gpt2.hf" "$WORK/strings.ours"

# Added-token flags (lstrip, rstrip, single_word, normalized, special) on real HF.
node "$ORACLE/flags_tokenizer.js" "$QWEN" "$WORK/flags.json" "$WORK/flags.jsonl"
cat "$WORK/hostile.jsonl" >> "$WORK/flags.jsonl"
node "$ORACLE/hf_tokenizer.js" encode --tokenizer "$WORK/flags.json" < "$WORK/flags.jsonl" > "$WORK/flags.hf"
"$SIDR_BIN" tokenizer encode --tokenizer "$WORK/flags.json" --json-lines < "$WORK/flags.jsonl" > "$WORK/flags.ours"
same_lines "added-token flags" "$WORK/flags.hf" "$WORK/flags.ours"

# add-sid-tokens: HF loads our saved tokenizer.json unchanged and encodes like HF's own add_tokens + save.
"$SIDR_BIN" tokenizer add-sid-tokens --tokenizer "$QWEN" --sid-index "$INDEX" --out "$WORK/sid_tok"
node "$ORACLE/hf_tokenizer.js" encode --tokenizer "$WORK/sid_tok/tokenizer.json" < "$WORK/hostile.jsonl" > "$WORK/saved.hf"
same_lines "HF on our saved tokenizer.json" "$WORK/hostile.sid.hf" "$WORK/saved.hf"
"$SIDR_BIN" tokenizer encode --tokenizer "$WORK/sid_tok" --json-lines < "$WORK/hostile.jsonl" > "$WORK/saved.ours"
same_lines "ours on our saved tokenizer.json" "$WORK/hostile.sid.hf" "$WORK/saved.ours"
node "$ORACLE/hf_tokenizer.js" save --tokenizer "$QWEN" --sid-index "$INDEX" --out "$WORK/hf_saved.json"
node -e '
const a = require(process.argv[1]).added_tokens, b = require(process.argv[2]).added_tokens;
if (JSON.stringify(a) !== JSON.stringify(b)) { console.error("added_tokens differ from HF add_tokens + save"); process.exit(1); }
console.log("ok: added_tokens identical to HF add_tokens + save (" + a.length + " entries)");
' "$WORK/sid_tok/tokenizer.json" "$WORK/hf_saved.json"
node -e '
const c = require(process.argv[1]);
const want = { eos_token: "<|im_end|>", pad_token: "<|im_end|>", tokenizer_class: "Qwen2Tokenizer" };
for (const [k, v] of Object.entries(want)) if (c[k] !== v) { console.error("tokenizer_config " + k + " = " + c[k]); process.exit(1); }
const dec = c.added_tokens_decoder;
if (dec["151669"].content !== "<a_104>" || dec["151669"].special !== false || Object.keys(dec).length !== 26 + 560) {
  console.error("tokenizer_config added_tokens_decoder wrong"); process.exit(1); }
console.log("ok: tokenizer_config.json eos/pad/added_tokens_decoder");
' "$WORK/sid_tok/tokenizer_config.json"
echo "PASS"
