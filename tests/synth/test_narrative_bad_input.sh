#!/usr/bin/env bash
# Stage 2 refuses a narrative CSV whose reasoning names its target or whose SIDs are not in the index: one line
# naming file, line, row and field, exit 2 (`tasks stats --stage 2` builds the Stage 2 set as `sft` does).
set -u
BIN="${SIDR_BIN:?}"
FIXTURE="${SIDR_SOURCE_DIR:?}/tests/fixtures/tasks/Amazon"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
fail=0

printf 'Scotch tape\nHP ink\n<|im_start|>user\n' > "$tmp/corpus.txt"
"$BIN" tokenizer train --corpus "$tmp/corpus.txt" --vocab-size 400 --out "$tmp/tok" > /dev/null || exit 1
head='user_id,history_item_sid,item_sid,reasoning_path,integrated_narrative'
good='A1,['"'"'<a_1><b_2><c_3>'"'"'],<a_4><b_5><c_6>,I liked <a_1><b_2><c_3>.,I bought <a_1><b_2><c_3>. Next <a_4><b_5><c_6>'

run() {  # name csv-body expected-exit expected-line-regex
  local name="$1" body="$2" code="$3" want="$4"
  printf '%s\n%s\n' "$head" "$body" > "$tmp/$name.csv"
  local err
  err="$("$BIN" tasks stats --data "$FIXTURE" --dataset Office_Products --tokenizer "$tmp/tok/tokenizer.json" \
        --stage 2 --narrative "$tmp/$name.csv" 2>&1 >/dev/null)"
  local rc=$?
  if [[ $rc -ne $code ]]; then echo "FAIL $name: exit $rc, expected $code: $err"; fail=1; return; fi
  if [[ $code -ne 0 ]]; then
    if [[ $(printf '%s\n' "$err" | wc -l) -ne 1 ]]; then echo "FAIL $name: not one line: $err"; fail=1; return; fi
    if ! [[ "$err" =~ $want ]]; then echo "FAIL $name: '$err' does not match '$want'"; fail=1; return; fi
  fi
  echo "ok   $name${err:+: $err}"
}

run good "$good" 0 ''
run names-target "$good"$'\nA2,['"'"'<a_1><b_2><c_3>'"'"'],<a_4><b_5><c_6>,"so next: <a_4><b_5><c_6>",n' 2 \
  "^error: $tmp/names-target.csv:3: field 'reasoning_path': row 2: the reasoning names its target SID <a_4><b_5><c_6>\$"
run unknown-in-reasoning 'A1,['"'"'<a_1><b_2><c_3>'"'"'],<a_4><b_5><c_6>,I liked <a_9><b_9><c_9>.,n' 2 \
  "^error: $tmp/unknown-in-reasoning.csv:2: field 'reasoning_path': row 1: SID <a_9><b_9><c_9> is not in the index\$"
run unknown-target 'A1,['"'"'<a_1><b_2><c_3>'"'"'],<a_4><b_5><c_7>,r,n' 2 \
  "^error: $tmp/unknown-target.csv:2: field 'item_sid': row 1: SID <a_4><b_5><c_7> is not in the index\$"
run unknown-history 'A1,"['"'"'<a_1><b_2><c_3>'"'"', '"'"'<a_0><b_0><c_0>'"'"']",<a_4><b_5><c_6>,r,n' 2 \
  "^error: $tmp/unknown-history.csv:2: field 'history_item_sid': row 1: SID <a_0><b_0><c_0> is not in the index\$"
exit $fail
