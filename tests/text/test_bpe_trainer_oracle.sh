#!/usr/bin/env bash
# BpeTrainer: trains on the catalog text (~2.6 MB) in seconds, twice with identical output (deterministic);
# Hugging Face's tokenizers loads the trained tokenizer.json and encodes the catalog and the hostile strings to
# the same ids as our code; the added tokens carry Qwen3's flags.
source "$(dirname "$0")/oracle_common.sh"
node "$ORACLE/corpus.js" catalog "$ITEMS" > "$WORK/catalog.jsonl"
node "$ORACLE/corpus.js" hostile > "$WORK/hostile.jsonl"
node -e 'for (const l of require("fs").readFileSync(0, "utf8").split("\n")) if (l) process.stdout.write(JSON.parse(l) + "\n");' \
  < "$WORK/catalog.jsonl" > "$WORK/catalog.txt"

start=$(date +%s.%N)
"$SIDR_BIN" tokenizer train --corpus "$WORK/catalog.txt" --vocab-size 8192 --out "$WORK/a"
end=$(date +%s.%N)
echo "train seconds: $(echo "$end - $start" | bc)"
"$SIDR_BIN" tokenizer train --corpus "$WORK/catalog.txt" --vocab-size 8192 --out "$WORK/b" > /dev/null
cmp "$WORK/a/tokenizer.json" "$WORK/b/tokenizer.json" || fail "two trainings on the same corpus differ"
echo "ok: deterministic"

node -e '
const t = require(process.argv[1]);
const v = Object.keys(t.model.vocab).length, a = t.added_tokens;
const want = [["<|endoftext|>", true], ["<|im_start|>", true], ["<|im_end|>", true], ["<think>", false], ["</think>", false]];
if (v + a.length !== 8192) { console.error("vocab " + v + " + added " + a.length + " != 8192"); process.exit(1); }
want.forEach(([c, s], i) => {
  const x = a[i];
  if (x.content !== c || x.special !== s || x.id !== v + i || x.normalized !== false || x.lstrip || x.rstrip || x.single_word) {
    console.error("added token " + i + " wrong: " + JSON.stringify(x)); process.exit(1); }
});
console.log("ok: 8192 tokens, added tokens with Qwen3 flags");
' "$WORK/a/tokenizer.json"

for corpus in catalog hostile; do
  node "$ORACLE/hf_tokenizer.js" encode --tokenizer "$WORK/a/tokenizer.json" < "$WORK/$corpus.jsonl" > "$WORK/$corpus.hf"
  "$SIDR_BIN" tokenizer encode --tokenizer "$WORK/a" --json-lines < "$WORK/$corpus.jsonl" > "$WORK/$corpus.ours"
  same_lines "trained tokenizer encode $corpus" "$WORK/$corpus.hf" "$WORK/$corpus.ours"
done
# Compression sanity: the trained tokenizer needs far fewer ids than bytes on its own corpus.
ids=$(wc -w < "$WORK/catalog.ours"); bytes=$(wc -c < "$WORK/catalog.txt")
echo "catalog: $bytes bytes -> $ids ids"
[ "$ids" -lt $((bytes / 3)) ] || fail "trained tokenizer compresses poorly: $ids ids for $bytes bytes"
echo "PASS"
