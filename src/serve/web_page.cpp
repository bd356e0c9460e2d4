#include "serve/web_page.h"

namespace sidr::serve {

const std::string& web_page_html() {
  static const std::string page = R"HTML(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>sidreasoner</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 1.5em; max-width: 70em; color: #222; }
  h1 { font-size: 1.4em; margin: 0 0 .6em 0; }
  section { border: 1px solid #ccc; border-radius: 6px; padding: .8em 1em; margin-bottom: 1em; }
  h2 { font-size: 1.05em; margin: 0 0 .5em 0; }
  ul, ol { margin: .3em 0; padding-left: 1.6em; }
  li { margin: .15em 0; }
  button { cursor: pointer; }
  .sid { font-family: monospace; color: #777; font-size: .85em; }
  .score { font-family: monospace; color: #06c; margin-left: .5em; }
  #status { min-height: 1.2em; color: #a00; }
  #reasoning { white-space: pre-wrap; background: #f6f6f6; padding: .6em; border-radius: 4px; }
  .row { display: flex; gap: .6em; align-items: center; flex-wrap: wrap; }
</style>
</head>
<body>
<h1>sidreasoner: next-item recommendations</h1>
<section>
  <h2>1. Build a history</h2>
  <div class="row">
    <label>Test user <select id="users"></select></label>
    <button id="use-user">Use this user's history</button>
    <button id="clear-history">Clear history</button>
  </div>
  <div class="row" style="margin-top:.6em">
    <label>Search the catalog <input id="query" size="30" placeholder="title words"></label>
    <button id="search">Search</button>
  </div>
  <ul id="search-results"></ul>
  <h2>History (oldest first)</h2>
  <ol id="history"></ol>
</section>
<section>
  <h2>2. Ask</h2>
  <div class="row">
    <label>Mode <select id="mode"><option value="plain">plain</option><option value="think">think</option></select></label>
    <label>k <input id="k" type="number" min="1" value="5" style="width:4em"></label>
    <button id="recommend">Recommend</button>
  </div>
  <div id="status"></div>
</section>
<section>
  <h2>Recommendations</h2>
  <ol id="results"></ol>
  <div id="reasoning-box" hidden><h2>Reasoning</h2><div id="reasoning"></div></div>
  <div id="meta" class="sid"></div>
</section>
<script>
"use strict";
const $ = (id) => document.getElementById(id);
let picked = [];   // [{item_id, title, sid}]
let users = [];

function text(tag, content, cls) {
  const el = document.createElement(tag);
  el.textContent = content;
  if (cls) el.className = cls;
  return el;
}
function status(message) { $("status").textContent = message || ""; }

async function api(path, body) {
  const init = body === undefined ? {} :
      {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)};
  const res = await fetch(path, init);
  const data = await res.json();
  if (!res.ok) throw new Error(data.error ? data.error.message : res.status + "");
  return data;
}

function renderHistory() {
  const ol = $("history");
  ol.replaceChildren();
  picked.forEach((item, i) => {
    const li = text("li", item.title + " ");
    li.className = "history-item";
    li.dataset.itemId = item.item_id;
    li.appendChild(text("span", item.sid, "sid"));
    const remove = text("button", "remove");
    remove.onclick = () => { picked.splice(i, 1); renderHistory(); };
    li.appendChild(document.createTextNode(" "));
    li.appendChild(remove);
    ol.appendChild(li);
  });
}

async function loadUsers() {
  const data = await api("/v1/users?limit=50");
  users = data.users;
  const select = $("users");
  select.replaceChildren();
  users.forEach((u, i) => {
    const option = text("option", "row " + u.row + " (user " + u.user_id + ", " + u.history.length + " items)");
    option.value = i;
    select.appendChild(option);
  });
}

async function search() {
  status("");
  const ul = $("search-results");
  ul.replaceChildren();
  try {
    const data = await api("/v1/items?q=" + encodeURIComponent($("query").value) + "&limit=20");
    for (const item of data.items) {
      const li = text("li", item.title + " ");
      li.className = "search-item";
      const add = text("button", "add");
      add.onclick = () => { picked.push(item); renderHistory(); };
      li.appendChild(add);
      ul.appendChild(li);
    }
    if (!data.items.length) ul.appendChild(text("li", "no title matches"));
  } catch (e) { status(e.message); }
}

async function recommend() {
  status("");
  $("results").replaceChildren();
  $("reasoning-box").hidden = true;
  if (!picked.length) { status("the history is empty: pick a test user or add items"); return; }
  const mode = $("mode").value;
  $("recommend").disabled = true;
  try {
    const data = await api("/v1/recommend",
        {history: picked.map((h) => Number(h.item_id)), k: Number($("k").value), mode});
    for (const rec of data.items) {
      const li = document.createElement("li");
      li.className = "rec";
      li.dataset.sid = rec.sid;
      li.appendChild(text("span", rec.titles.join(" / "), "title"));
      li.appendChild(text("span", rec.score.toFixed(4), "score"));
      li.appendChild(document.createTextNode(" "));
      li.appendChild(text("span", rec.sid, "sid"));
      $("results").appendChild(li);
    }
    if (mode === "think") {
      $("reasoning").textContent = data.reasoning || "(empty thought)";
      $("reasoning-box").hidden = false;
    }
    $("meta").textContent = data.items.length + " items, " + data.elapsed_ms.toFixed(1) + " ms, batch of " +
        data.batch_size + ", model " + data.model;
    document.body.dataset.answered = String(Number(document.body.dataset.answered || 0) + 1);
  } catch (e) { status(e.message); }
  $("recommend").disabled = false;
}

$("use-user").onclick = () => {
  const u = users[Number($("users").value)];
  if (u) { picked = u.history.slice(); renderHistory(); }
};
$("clear-history").onclick = () => { picked = []; renderHistory(); };
$("search").onclick = search;
$("query").addEventListener("keydown", (e) => { if (e.key === "Enter") search(); });
$("recommend").onclick = recommend;
loadUsers().then(() => { document.body.dataset.ready = "1"; }).catch((e) => status(e.message));
</script>
</body>
</html>
)HTML";
  return page;
}

}  // namespace sidr::serve
