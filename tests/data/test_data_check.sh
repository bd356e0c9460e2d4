#!/usr/bin/env bash
# `sidreasoner data check` on the shipped data prints the numbers of sidreasoner.md 2.1-2.3; on a broken copy of
# the mini fixture it exits with code 2 and one line naming file, line and field.
set -euo pipefail
: "${SIDR_BIN:?}" "${SIDR_SOURCE_DIR:?}"

out=$("$SIDR_BIN" data check --data "$SIDR_SOURCE_DIR/data/Amazon" --dataset Industrial_and_Scientific)
echo "$out"
expect() {
  if ! grep -qE "$1" <<<"$out"; then
    echo "FAIL: output lacks /$1/" >&2
    exit 1
  fi
}
expect '^items +3,686$'
expect '^distinct SIDs +3,670$'
expect '^collided groups +15 '
expect '^tokens per level +48/256/256 '
expect '^rows +36,259/4,532/4,533 \(train/valid/test\)$'
expect '^ +10 +2,419 +443 +477$'
expect '^warnings +none$'

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bad_run() {  # runs data check on $tmp/mini, expects exit 2 and one line matching $1
  local rc=0 err
  err=$("$SIDR_BIN" data check --data "$tmp/mini" --dataset Mini 2>&1 >/dev/null) || rc=$?
  echo "$err"
  if [[ $rc -ne 2 ]]; then echo "FAIL: exit code $rc, expected 2" >&2; exit 1; fi
  if [[ $(printf '%s\n' "$err" | wc -l) -ne 1 ]]; then echo "FAIL: not one line" >&2; exit 1; fi
  if ! grep -qE "$1" <<<"$err"; then echo "FAIL: message lacks /$1/" >&2; exit 1; fi
}
fresh() { rm -rf "$tmp/mini"; cp -r "$SIDR_SOURCE_DIR/tests/fixtures/data/mini" "$tmp/mini"; }

fresh
"$SIDR_BIN" data check --data "$tmp/mini" --dataset Mini >/dev/null  # the fixture itself is valid

fresh
echo "A9,['Plain item'],Plain item,[3],3,['<a_1><b_2><c_4>'],<a_1><b_>" >>"$tmp/mini/train/Mini_5_2016-10-2018-11.csv"
bad_run "^error: .*/mini/train/Mini_5_2016-10-2018-11\.csv:7:56: field 'item_sid': bad SID token '<b_>'"

fresh
echo "A9,['Plain item'],Plain item,[3],99,['<a_1><b_2><c_4>'],<a_1><b_2><c_4>" >>"$tmp/mini/test/Mini_5_2016-10-2018-11.csv"
bad_run "^error: .*/mini/test/Mini_5_2016-10-2018-11\.csv:3: field 'item_id': unknown item id 99"

fresh
rm "$tmp/mini/index/Mini.item.json"
bad_run "^error: .*/mini/index/Mini\.item\.json: file not found$"
echo PASS
