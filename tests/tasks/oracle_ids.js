// Reference ids and label masks computed with Hugging Face's tokenizers (npm `tokenizers`), compared with the
// ids written by oracle_ids_test.cpp. Usage: node oracle_ids.js MANIFEST.json TOKENIZER.json INDEX.json
// The reference algorithm (sidreasoner.md §3.1, §3.2 T8, §6): full_ids = encode(text); Stage 1 labels at
// [len(encode(text[:rfind(target)])), + len(encode(target))); Stage 2 from there to the end; T6/T7 everything;
// T8 encode(prompt) ++ encode(golden) ++ [eos]; eval encode(chat) ++ encode(think block); then left truncation.
const fs = require('fs');
const { Tokenizer } = require('tokenizers');
const [manifestPath, tokPath, indexPath] = process.argv.slice(2);
const tok = Tokenizer.fromFile(tokPath);
// The reference's TokenExtender: every level token of index.json, plain string order.
const levels = [...new Set(Object.values(JSON.parse(fs.readFileSync(indexPath, 'utf8'))).flat())].sort();
tok.addTokens(levels);
const EOS = tok.tokenToId('<|im_end|>');
const enc = async (s) => (s === '' ? [] : (await tok.encode(s, null, { addSpecialTokens: false })).getIds());
const keep = (a, n) => (a.length > n ? a.slice(a.length - n) : a);

(async () => {
  const cases = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
  let failed = 0;
  for (const c of cases) {
    let ids;
    let labels = null;
    if (c.kind === 'eval') {
      ids = (await enc(c.chat)).concat(await enc(c.think));
    } else if (c.kind === 't8') {
      const golden = c.target.slice(0, c.target.length - '<|im_end|>'.length);
      const prompt = c.text.slice(0, c.text.length - c.target.length);
      const p = await enc(prompt);
      const rest = (await enc(golden)).concat([EOS]);
      ids = p.concat(rest);
      labels = p.map(() => -100).concat(rest);
    } else {
      ids = await enc(c.text);
      const pos = c.text.lastIndexOf(c.target);
      if (pos < 0) throw new Error(`${c.name}: target not in text`);
      const start = c.kind === 'lm' ? 0 : (await enc(c.text.slice(0, pos))).length;
      const end = c.kind === 'chat1' ? start + (await enc(c.target)).length : ids.length;
      labels = ids.map((id, i) => (i >= start && i < end ? id : -100));
    }
    ids = keep(ids, c.cutoff);
    if (labels) labels = keep(labels, c.cutoff);
    const ok = JSON.stringify(ids) === JSON.stringify(c.ids) &&
               (labels === null || JSON.stringify(labels) === JSON.stringify(c.labels));
    if (!ok) {
      failed++;
      console.log(`FAIL ${c.name}`);
      console.log('  expected ids    ', JSON.stringify(ids));
      console.log('  got ids         ', JSON.stringify(c.ids));
      if (labels) console.log('  expected labels ', JSON.stringify(labels), '\n  got labels      ', JSON.stringify(c.labels));
    }
  }
  console.log(`${cases.length - failed} of ${cases.length} cases match`);
  process.exit(failed ? 1 : 0);
})().catch((e) => { console.log(String(e)); process.exit(2); });
