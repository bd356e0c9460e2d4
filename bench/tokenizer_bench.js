// Encode throughput of Hugging Face's tokenizers (npm tokenizers@0.23.2) on JSON-string lines: one string per
// call (awaited in turn) and encodeBatch in chunks of 1024. Loading is not timed.
//   NODE_PATH=tests/oracle/node_modules node bench/tokenizer_bench.js TOKENIZER_JSON CORPUS_JSONL
"use strict";
const fs = require("fs");
const { Tokenizer } = require("tokenizers");

async function main() {
  const [tokPath, corpusPath] = process.argv.slice(2);
  const texts = fs.readFileSync(corpusPath, "utf8").split("\n").filter((l) => l).map((l) => JSON.parse(l));
  const mb = texts.reduce((s, t) => s + Buffer.byteLength(t, "utf8"), 0) / 1e6;
  const tok = Tokenizer.fromFile(tokPath);
  // Wall time, and CPU time of the whole process (all its threads: JS, the binding's worker, rayon).
  const cpu = (u) => (u.user + u.system) / 1e6;
  let t0 = process.hrtime.bigint();
  let c0 = process.cpuUsage();
  for (const t of texts) await tok.encode(t, null, { addSpecialTokens: false });
  const single = Number(process.hrtime.bigint() - t0) / 1e9, singleCpu = cpu(process.cpuUsage(c0));
  t0 = process.hrtime.bigint();
  c0 = process.cpuUsage();
  for (let i = 0; i < texts.length; i += 1024)
    await tok.encodeBatch(texts.slice(i, i + 1024), { addSpecialTokens: false });
  const batched = Number(process.hrtime.bigint() - t0) / 1e9, batchedCpu = cpu(process.cpuUsage(c0));
  console.log(`hf    texts=${texts.length} MB=${mb.toFixed(3)}`);
  console.log(`hf    one-per-call       ${(mb / single).toFixed(2)} MB/s wall  ${(mb / singleCpu).toFixed(2)} MB/s cpu`);
  console.log(`hf    batch              ${(mb / batched).toFixed(2)} MB/s wall  ${(mb / batchedCpu).toFixed(2)} MB/s cpu`);
}
main().catch((e) => { console.error(e); process.exit(1); });
