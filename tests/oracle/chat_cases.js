// Conversations in every shape the reference renders (../shared/reference/sidreasoner.md §3.1-§3.2, §4, §5.1, §6),
// built from the shipped catalog, plus edge shapes of the template. One JSON object per line:
//   {"messages": [{"role", "content"[, "reasoning_content"]}...], "add_generation_prompt": bool[, "enable_thinking"]}
//   node chat_cases.js ITEM_JSON INDEX_JSON [N]
"use strict";
const fs = require("fs");

const [itemPath, indexPath, nArg] = process.argv.slice(2);
const items = JSON.parse(fs.readFileSync(itemPath, "utf8"));
const index = JSON.parse(fs.readFileSync(indexPath, "utf8"));
const N = Number(nArg || 40);
const ids = Object.keys(index).filter((k) => k in items);
const sid = (k) => index[k].join("");
const title = (k) => items[k].title;
const cat = "industrial and scientific items";

const PRE = "Below is an instruction that describes a task, paired with an input that provides further context. " +
  "Write a response that appropriately completes the request.";
const SYS_T1 = PRE + " Can you predict the next possible item that the user may expect?";
const SYS_T2 = PRE + " \nAnswer the question about item identification.\n";
const SYS_REC = PRE + "\nCan you recommend the next item for the user based on their interaction history?\n";
const SYS_T5 = PRE + " \nBased on the user's historical interaction with item titles, predict the semantic ID of the next item they may expect.\n";
const SYS_EVAL = PRE + " \nCan you predict the next possible item that the user may expect?\n";
const INSTR = [
  "Given a list of {category} the user recetenly enjoy, please write a new {category} that the user may bought",
  "Considering the {category} that has recently captured the user's interest, kindly create a compilation of other {category} that the user might have played prior to this.",
  "Based on the user's current gaming preference, please draft a list of potential {category} they may have experienced beforehand.",
];

const cases = [];
const chat = (messages, add_generation_prompt, extra) => cases.push({ messages, add_generation_prompt, ...extra });
const sys = (c) => ({ role: "system", content: c });
const user = (c) => ({ role: "user", content: c });
const asst = (c) => ({ role: "assistant", content: c });

for (let i = 0; i < N && i + 11 < ids.length; i++) {
  const hist = ids.slice(i, i + 1 + (i % 10));
  const target = ids[i + 11];
  const hsid = hist.map(sid).join(", ");
  // T1 SID history -> SID
  chat([sys(SYS_T1), user(`The user has interacted with items ${hsid} in chronological order. Can you predict the next possible item that the user may expect?`), asst(sid(target))], false);
  // T2 title2sid / sid2title
  chat([sys(SYS_T2), user(`Which item has the title: ${title(target)}?`), asst(sid(target))], false);
  chat([sys(SYS_T2), user(`What is the title of item "${sid(target)}"?`), asst(title(target))], false);
  // T3 SID history -> title
  chat([sys(SYS_REC), user(`The user has sequentially interacted with items ${hsid}. Can you recommend the next item for him? Tell me the title of the item?`), asst(title(target))], false);
  // T4 title history -> title
  const instr = INSTR[i % INSTR.length].split("{category}").join(cat);
  chat([sys(`${PRE}\n${instr}\n \n`), user(`The user has palyed the following ${cat}s before: ` + hist.map((k) => `"${title(k)}"`).join(",\t")), asst(`"${title(target)}"\n`)], false);
  // T5 title history -> SID
  chat([sys(SYS_T5), user(`The user has interacted with the following ${cat} items in chronological order: ` + hist.map((k) => `"${title(k)}"`).join(", ") + ". Can you predict the next item the user may expect?"), asst(sid(target))], false);
  // Stage 2 reasoning activation: reasoning inside the content, split at </think>
  const userReason = `The user has sequentially interacted with items ${hsid}. Can you recommend the next item for him? Let's think step by step before making recommendation. Directly output the item SID after thinking.`;
  const reasoning = (items[target].description || title(target)).slice(0, 400).trim();
  chat([sys(SYS_REC), user(userReason), asst(`<think>\n${reasoning}\n</think>\n\n${sid(target)}`)], false);
  // Stage 3 rollout prompt and thinking-mode eval prompt
  chat([sys(SYS_REC), user(userReason)], true);
  // Non-thinking eval prompt
  chat([sys(SYS_EVAL), user(`Can you predict the next possible item the user may expect, given the following chronological interaction history: ${hsid}`)], true);
  // T8 general reasoning: user-only, and a system relabelled as user
  chat([user(`Question ${i}: ${title(target)}?`)], true);
  chat([user(SYS_REC), user(`Explain ${title(target)}.`)], true);
}

// Edge shapes of the template.
chat([], true);
chat([], false);
chat([user("hi")], false);
chat([sys("s")], true);
chat([sys("s"), user("q"), asst("a")], true);
chat([sys("s"), user("q1"), asst("<think>\nr1\n</think>\n\na1"), user("q2"), asst("a2")], false);
chat([user("q1"), asst("a1"), user("q2"), asst("<think>r2</think>a2")], false);
chat([user("q"), asst("\n\n<think>\n\nr\n\n</think>\n\n\n\nc\n\n")], false);
chat([user("q"), asst("no open tag</think>after")], false);
chat([user("q"), asst("<think>one</think>mid</think>end")], false);
chat([user("q"), asst("<think>never closed")], false);
chat([user("q"), asst("")], false);
chat([user("q"), { role: "assistant", content: "c", reasoning_content: "given reasoning" }], false);
chat([user("q"), { role: "assistant", content: "<think>x</think>c", reasoning_content: "" }], false);
chat([user("q"), asst("<think>\nr\n</think>\n\na"), asst("second")], false);
chat([user("q"), asst("<think>\nr\n</think>\n\na"), asst("<think>r2</think>second"), asst("third")], false);
chat([user("q"), asst("call"), { role: "tool", content: "result1" }, { role: "tool", content: "result2" }, asst("<think>t</think>done")], false);
chat([user("q"), { role: "tool", content: "r" }], true);
chat([user("<tool_response>\nr\n</tool_response>"), asst("<think>t</think>x")], false);
chat([user("q"), asst("a"), user("<tool_response>r</tool_response>"), asst("<think>t</think>x")], false);
chat([user("q"), sys("late system"), asst("a")], false);
chat([sys("s"), user("q")], true, { enable_thinking: false });
chat([sys("s"), user("q")], true, { enable_thinking: true });
chat([user("unicode é 中文 👍 \r\n tabs\t")], true);
chat([user("q"), { role: "other", content: "ignored" }, asst("a")], false);

process.stdout.write(cases.map((c) => JSON.stringify(c) + "\n").join(""));
