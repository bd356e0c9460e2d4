// Writes a copy of a tokenizer.json with extra added tokens that use every HF matching flag, and the strings that
// exercise them (JSON lines):  node flags_tokenizer.js TOKENIZER_JSON OUT_JSON OUT_CORPUS_JSONL
"use strict";
const fs = require("fs");
const [src, out, corpusOut] = process.argv.slice(2);
const t = JSON.parse(fs.readFileSync(src, "utf8"));
let id = Math.max(...t.added_tokens.map((a) => a.id)) + 1;
// A content the BPE vocabulary already holds keeps its vocabulary id (what HF assigns it; listing another id would
// be a file whose ids shift, which sidreasoner refuses).
const add = (content, flags) =>
  t.added_tokens.push({ id: content in t.model.vocab ? t.model.vocab[content] : id++, content, single_word: false,
    lstrip: false, rstrip: false, normalized: false, special: false, ...flags });
add("<l>", { lstrip: true });
add("<r>", { rstrip: true });
add("<lr>", { lstrip: true, rstrip: true, special: true });
add("sw", { single_word: true });
add("<sw>", { single_word: true, normalized: true });
add("<\u00e9>", { normalized: true });
add("<n>", { normalized: true, special: true });
add("<n>>", { normalized: false });
fs.writeFileSync(out, JSON.stringify(t));
const corpus = [
  "a  <l>b", "a<r>  b", "a \t <lr> \n b", "<l><r><lr>", "  <l>  <r>  ", "sw", "a sw b", "asw", "swa", "x sw_",
  "sw\tsw", "sw,sw", "1sw2", "(sw)", "<sw>", "a<sw>b", "a <sw> b", "<e\u0301>", "<\u00e9>", "<n>", "<n>>",
  "x<n>>>y", "<l>\u3000<r>\u3000x", "\u00a0<l>", "<r>\u2003z", "日sw本", "é sw é",
];
fs.writeFileSync(corpusOut, corpus.map((c) => JSON.stringify(c) + "\n").join(""));
