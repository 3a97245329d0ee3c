#!/usr/bin/env bash
# docs/calling-from-apps.md's driver snippets, run as written against a
# database trained as the README's Quick start trains it: the ```python
# block with Debian's python3-psycopg2 (/usr/bin/python3), the ```js block
# with node and node-postgres (`pg`, installed by scripts/install-deps.sh
# test: nothing is downloaded here). Each prints what the ```text block
# after it shows, compared line by line. The page's point (issue 36):
# SELECT * FROM predict_label(...) gives typed columns, SELECT
# predict_label(...) a string, and bigint arrives as a string in node.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
DB=pgi_app_snippets
DOC=docs/calling-from-apps.md
PYTHON=/usr/bin/python3
"$PYTHON" -c 'import psycopg2' 2>/dev/null ||
    { echo "FAILED: no psycopg2 for $PYTHON (scripts/install-deps.sh test installs python3-psycopg2)" >&2; exit 1; }
command -v node >/dev/null || { echo "FAILED: no node (scripts/install-deps.sh test installs nodejs)" >&2; exit 1; }
NODE_PATH=$(npm root -g 2>/dev/null || true)
export NODE_PATH
node -e "require('pg')" 2>/dev/null ||
    { echo "FAILED: no node module pg in $NODE_PATH (scripts/install-deps.sh test: npm install -g pg@8)" >&2; exit 1; }

# The block of language $1 (```$1 ... ```) and the ```text block after it.
block() { # language n: n=1 the code, n=2 its output
    awk -v lang="$1" -v want="$2" '
        /^```/ && !infence { infence = 1; if ($0 == "```" lang) { state = 1; next } if (state == 2 && $0 == "```text") { state = 3; next } state = (state == 2 ? 4 : state); next }
        /^```/ && infence { infence = 0; if (state == 1) state = 2; else if (state == 3) state = 4; next }
        infence && state == 1 && want == 1 { print }
        infence && state == 3 && want == 2 { print }
    ' "$DOC"
}
fresh_db $DB
trap 'drop_db $DB; rm -rf "$TEST_TMP"' EXIT
load_ecommerce $DB
q $DB "SELECT train_intent_model() ->> 'deployed'" >/dev/null
export PGDATABASE=$DB
for lang in python js; do
    block $lang 1 >"$TEST_TMP/snippet.$lang"
    block $lang 2 >"$TEST_TMP/expected.$lang"
    [ -s "$TEST_TMP/snippet.$lang" ] && [ -s "$TEST_TMP/expected.$lang" ] ||
        { echo "FAILED: no \`\`\`$lang block with its \`\`\`text output in $DOC" >&2; exit 1; }
    case $lang in
    python) "$PYTHON" "$TEST_TMP/snippet.$lang" >"$TEST_TMP/actual.$lang" ;;
    js) node "$TEST_TMP/snippet.$lang" >"$TEST_TMP/actual.$lang" ;;
    esac
    if ! diff -u "$TEST_TMP/expected.$lang" "$TEST_TMP/actual.$lang" >&2; then
        echo "FAILED: the $lang snippet of $DOC does not print what the page shows" >&2
        exit 1
    fi
    echo "ok: the $lang snippet of $DOC prints what the page shows"
done
