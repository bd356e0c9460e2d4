// Writes the base BPE of a tokenizer.json in other layouts, for the loader tests:
//   node export_vocab_merges.js TOKENIZER_JSON OUT_DIR
// OUT_DIR/vocab.json + merges.txt (GPT-2 layout, "#version" header), and OUT_DIR/strings.json: the same
// tokenizer.json without added tokens and with merges written as "a b" strings.
"use strict";
const fs = require("fs");
const path = require("path");
const [src, out] = process.argv.slice(2);
const t = JSON.parse(fs.readFileSync(src, "utf8"));
fs.mkdirSync(out, { recursive: true });
const merges = t.model.merges.map((m) => (Array.isArray(m) ? m.join(" ") : m));
fs.writeFileSync(path.join(out, "vocab.json"), JSON.stringify(t.model.vocab));
fs.writeFileSync(path.join(out, "merges.txt"), "#version: 0.2\n" + merges.join("\n") + "\n");
t.added_tokens = [];
t.model.merges = merges;
fs.writeFileSync(path.join(out, "strings.json"), JSON.stringify(t));
