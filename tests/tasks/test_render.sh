#!/usr/bin/env bash
# `sidreasoner tasks render` golden outputs on tests/fixtures/tasks/Amazon, one row of every task, label span
# marked with ⟦ ⟧. The expected strings are typed from ../shared/reference/sidreasoner.md (§3.1-§3.2, §4, §6).
set -u
BIN="${SIDR_BIN:?}"
DATA="${SIDR_SOURCE_DIR:?}/tests/fixtures/tasks/Amazon"
fail=0

PRE='Below is an instruction that describes a task, paired with an input that provides further context. Write a response that appropriately completes the request.'
SYS_REC="$PRE"$'\nCan you recommend the next item for the user based on their interaction history?\n'
AS=$'<|im_start|>assistant\n<think>\n\n</think>\n\n'

check() {  # name expected args...
  local name="$1" expected="$2"
  shift 2
  local got
  got="$("$BIN" tasks render --data "$DATA" --dataset Office_Products "$@"; printf x)"
  got="${got%x}"
  if [[ "$got" != "$expected" ]]; then
    echo "FAIL $name"
    diff <(printf '%s' "$expected") <(printf '%s' "$got") | head -20
    fail=1
  else
    echo "ok   $name"
  fi
}

check T1 "<|im_start|>system
$PRE Can you predict the next possible item that the user may expect?<|im_end|>
<|im_start|>user
The user has interacted with items <a_1><b_2><c_3>, <a_4><b_5><c_6> in chronological order. Can you predict the next possible item that the user may expect?<|im_end|>
$AS⟦<a_7><b_8><c_9>⟧<|im_end|>
" --task T1 --split train --row 0 --labels

check T1-valid-nolabels "<|im_start|>system
$PRE Can you predict the next possible item that the user may expect?<|im_end|>
<|im_start|>user
The user has interacted with items <a_1><b_2><c_3>, <a_4><b_5><c_6>, <a_7><b_8><c_9> in chronological order. Can you predict the next possible item that the user may expect?<|im_end|>
$AS<a_1><b_2><c_3><|im_end|>
" --task T1 --split valid --row 0

check T2-sid2title "<|im_start|>system
$PRE 
Answer the question about item identification.
<|im_end|>
<|im_start|>user
What is the title of item \"<a_7><b_8><c_9>\"?<|im_end|>
$AS⟦HP 75 Color Ink⟧<|im_end|>
" --task T2 --row 2 --labels

check T2-title2sid "<|im_start|>system
$PRE 
Answer the question about item identification.
<|im_end|>
<|im_start|>user
Which item has the title: Pendaflex File Folders, Letter?<|im_end|>
$AS⟦<a_1><b_10><c_11>⟧<|im_end|>
" --task T2 --row 5 --labels

check T3 "<|im_start|>system
$SYS_REC<|im_end|>
<|im_start|>user
The user has sequentially interacted with items <a_1><b_2><c_3>, <a_4><b_5><c_6>. Can you recommend the next item for him? Tell me the title of the item?<|im_end|>
$AS⟦HP 75 Color Ink⟧<|im_end|>
" --task T3 --split train --row 0 --labels

check T4 "<|im_start|>system
$PRE
Considering the office products that has recently captured the user's interest, kindly create a compilation of other office products that the user might have played prior to this.
 
<|im_end|>
<|im_start|>user
The user has palyed the following office productss before: \"HP 74 Black Ink\"<|im_end|>
$AS⟦\"Scotch Magic Tape\"
⟧<|im_end|>
" --task T4 --split train --row 1 --labels

check T5 "<|im_start|>system
$PRE 
Based on the user's historical interaction with item titles, predict the semantic ID of the next item they may expect.
<|im_end|>
<|im_start|>user
The user has interacted with the following office products items in chronological order: \"Scotch Magic Tape\", \"HP 75 Color Ink\", \"Scotch Magic Tape\". Can you predict the next item the user may expect?<|im_end|>
$AS⟦<a_1><b_10><c_11>⟧<|im_end|>
" --task T5 --split train --row 2 --labels

check reason "<|im_start|>system
$SYS_REC<|im_end|>
<|im_start|>user
The user has sequentially interacted with items <a_7><b_8><c_9>. Can you recommend the next item for him? Let's think step by step before making recommendation. Directly output the item SID after thinking.<|im_end|>
<|im_start|>assistant
⟦<think>
Printing supplies first; tape next.
</think>

<a_1><b_2><c_3><|im_end|>
⟧" --task reason --row 1 --labels

check T6 "⟦<a_7><b_8><c_9> prints black.⟧" --task T6 --row 1 --labels
check T7 "⟦Narrative after a think block.⟧" --task T7 --row 1 --labels
check T8 "<|im_start|>system
You are helpful.<|im_end|>
<|im_start|>user
What is 2+2?<|im_end|>
<|im_start|>assistant
⟦<think>
Add.
</think>

4<|im_end|>⟧" --task T8 --row 0 --labels --general "$DATA/general/chats.jsonl"

check eval "<|im_start|>system
$PRE 
Can you predict the next possible item that the user may expect?
<|im_end|>
<|im_start|>user
Can you predict the next possible item the user may expect, given the following chronological interaction history: <a_4><b_5><c_6>, <a_7><b_8><c_9>, <a_1><b_2><c_3><|im_end|>
<|im_start|>assistant
<think>
</think>

" --task eval --split test --row 0

check eval-training-prompt "<|im_start|>system
$PRE Can you predict the next possible item that the user may expect?<|im_end|>
<|im_start|>user
The user has interacted with items <a_1><b_2><c_3> in chronological order. Can you predict the next possible item that the user may expect?<|im_end|>
$AS" --task eval --split test --row 1 --eval-prompt training

check eval-think "<|im_start|>system
$SYS_REC<|im_end|>
<|im_start|>user
The user has sequentially interacted with items <a_1><b_2><c_3>. Can you recommend the next item for him? Let's think step by step before making recommendation. Directly output the item SID after thinking.<|im_end|>
<|im_start|>assistant
" --task eval-think --split test --row 1

check compact-T1 "<|im_start|>user
Items: <a_7><b_8><c_9>. Next item?<|im_end|>
$AS⟦<a_1><b_2><c_3>⟧<|im_end|>
" --task T1 --split train --row 1 --labels --style compact

# Bad input: exit 2, one line on stderr, nothing on stdout.
expect_error() {  # name pattern args...
  local name="$1" pattern="$2"
  shift 2
  local out err rc
  out="$("$BIN" tasks render --data "$DATA" --dataset Office_Products "$@" 2>/tmp/tasks_render_err.$$)"
  rc=$?
  err="$(cat /tmp/tasks_render_err.$$)"
  rm -f /tmp/tasks_render_err.$$
  if [[ $rc -ne 2 || -n "$out" || "$(printf '%s\n' "$err" | wc -l)" -ne 1 || "$err" != *"$pattern"* ]]; then
    echo "FAIL $name: rc=$rc stdout='$out' stderr='$err'"
    fail=1
  else
    echo "ok   $name ($err)"
  fi
}
expect_error unknown-task "unknown task 'T9'" --task T9
expect_error row-out-of-range "row 5 is out of range" --task T1 --split train --row 5
expect_error negative-row "out of range" --task T1 --row -1
expect_error bad-split "split" --task T1 --split dev
expect_error reason-without-csv "narrative CSV" --task reason --narrative /nonexistent/narrative.csv
expect_error t8-without-file "--general" --task T8
expect_error bad-style "prompt style" --task T1 --style tiny

exit $fail
