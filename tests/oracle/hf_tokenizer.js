// Oracle: Hugging Face's own tokenizers (Rust, npm binding tokenizers@0.23.2).
//   node hf_tokenizer.js encode --tokenizer FILE [--sid-index index.json] < JSON-string lines > id lines
//   node hf_tokenizer.js decode --tokenizer FILE [--sid-index index.json] [--skip-special] < id lines > JSON lines
//   node hf_tokenizer.js save --tokenizer FILE --sid-index index.json --out FILE   (HF add_tokens, then save)
// --sid-index adds the reference's SID tokens: the sorted set of index.json's level tokens, via add_tokens.
"use strict";
const fs = require("fs");
const readline = require("readline");
const { Tokenizer } = require("tokenizers");

function parseArgs(argv) {
  const args = { mode: argv[0] };
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--skip-special") args.skipSpecial = true;
    else args[a.replace(/^--/, "").replace(/-(.)/g, (_, c) => c.toUpperCase())] = argv[++i];
  }
  return args;
}

function sidTokens(indexPath) {
  const index = JSON.parse(fs.readFileSync(indexPath, "utf8"));
  const set = new Set();
  for (const v of Object.values(index)) for (const t of v) set.add(t);
  // Python's sorted() on str: code point order; for these ASCII tokens JS's default sort is the same.
  return [...set].sort();
}

async function readLines() {
  const lines = [];
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
  for await (const line of rl) lines.push(line);
  return lines;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const tok = Tokenizer.fromFile(args.tokenizer);
  if (args.sidIndex) {
    const vocab = tok.getVocab(true);
    tok.addTokens(sidTokens(args.sidIndex).filter((t) => !(t in vocab)));
  }
  if (args.mode === "save") {
    tok.save(args.out, true);
    return;
  }
  const lines = await readLines();
  const out = [];
  if (args.mode === "encode") {
    const texts = lines.map((l) => JSON.parse(l));
    for (let i = 0; i < texts.length; i += 512) {
      const encs = await tok.encodeBatch(texts.slice(i, i + 512), { addSpecialTokens: false });
      for (const e of encs) out.push(e.getIds().join(" "));
    }
  } else if (args.mode === "decode") {
    for (const l of lines) {
      const ids = l.trim() === "" ? [] : l.trim().split(/ +/).map(Number);
      out.push(JSON.stringify(await tok.decode(ids, !!args.skipSpecial)));
    }
  } else {
    throw new Error("unknown mode " + args.mode);
  }
  process.stdout.write(out.map((l) => l + "\n").join(""));
}

main().catch((e) => {
  console.error("hf_tokenizer.js: " + (e && e.stack ? e.stack : e));
  process.exit(1);
});
