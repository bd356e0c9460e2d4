// Test corpora as JSON-string lines (one text per line):
//   node corpus.js catalog ITEM_JSON   every title and description of the catalog, in file order
//   node corpus.js hostile             strings chosen to break tokenizers (scripts, emoji, spaces, digits, 100 KB)
//   node corpus.js nfc ...             like the others, but each text NFC-normalised (the expected decode output)
"use strict";
const fs = require("fs");

function catalog(itemPath) {
  const items = JSON.parse(fs.readFileSync(itemPath, "utf8"));
  const out = [];
  for (const v of Object.values(items)) {
    out.push(v.title);
    out.push(v.description);
  }
  return out;
}

function hostile() {
  const s = [
    "",
    " ",
    "Hello world",
    "中文字符测试，日本語のテキスト。한국어 텍스트",
    "👍🏽 family 👨‍👩‍👧‍👦 flag 🇺🇸🇩🇪 keycap 1️⃣ 🤖🤖🤖",
    "e\u0301 a\u0308 n\u0303 \u1100\u1161\u11a8 A\u030a \u212b \u2126 o\u0302\u0323",
    "a   b\t\t c  \n\n  d   ",
    "   leading and trailing   ",
    "line1\r\nline2\r\n\r\nline3\rline4\n",
    "\n\n\n",
    "\r\n",
    " \n \n ",
    "I'm you're he'll they'd it's WE'VE DON'T 'S 'T 'Re o'clock rock'n'roll ''",
    "ſs 'ſ K \u212a İstanbul ΣΑΣ σας",
    "1234567890 3.14159 1,000,000 -42 +7e10 ٣٤٥ ① ½ 2²",
    "12345678901234567890123456789012345678901234567890",
    "\u00a0nbsp\u2003em\u3000ideo\u180emongol\u200bzwsp\u0085nel\u2028ls\u2029ps\u202f\u205f",
    "\ufeffbom \u200d\u200c zwj \u0000nul \u0001\u007f\u0080\u009f ctrl",
    "مرحبا بالعالم שלום עולם हिन्दी ภาษาไทย ქართული Ελληνικά русский",
    "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\nok<|im_end|>",
    "<|endoftext|><|endoftext|>x<|im_start|><|im_end|>",
    "<|im_start <|im_end| <think > </think <think><think></think></think>",
    "text<think>inside</think>after",
    "<a_1><b_2><c_3>",
    "foo<a_12>bar <b_200> <<c_7>> <a_1 > <a_999> <A_1> a_1 <a_12><b_200><c_7>, <a_60><b_159><c_203>",
    "$100.00 @user #tag https://example.com/a?b=c&d=e path/to/file.txt C:\\Windows\\ ~!@#$%^&*()_+{}|:\"<>?",
    "tabs\tand\u000bvertical\u000cfeeds",
    "MiXeD CaSe ÀÉÎÕÜ àéîõü ß ẞ ﬁ ﬂ",
    "Ω≈ç√∫˜µ≤≥÷ åß∂ƒ©˙∆˚¬…æ œ∑´®†¥¨ˆøπ“‘",
    "𝕳𝖊𝖑𝖑𝖔 𝓦𝓸𝓻𝓵𝓭 ０１２ ＡＢＣ ｱｲｳ",
    "a".repeat(1000),
    "The quick brown fox jumps over the lazy dog 123. ".repeat(2100),
    "x".repeat(100000),
    " ".repeat(100000),
    "日本".repeat(20000),
    "!?".repeat(50000),
  ];
  return s;
}

const [mode, ...rest] = process.argv.slice(2);
let texts;
let normalize = false;
let m = mode;
let args = rest;
if (m === "nfc") {
  normalize = true;
  m = args[0];
  args = args.slice(1);
}
if (m === "catalog") texts = catalog(args[0]);
else if (m === "hostile") texts = hostile();
else {
  console.error("usage: corpus.js [nfc] catalog ITEM_JSON | hostile");
  process.exit(2);
}
if (normalize) texts = texts.map((t) => t.normalize("NFC"));
process.stdout.write(texts.map((t) => JSON.stringify(t) + "\n").join(""));
