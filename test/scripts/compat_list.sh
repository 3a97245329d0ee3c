#!/usr/bin/env bash
# The one list of code for older versions (docs/internals.md, "Code for
# older versions") names every file with a COMPAT(version) comment, and
# every file it names has one. No cluster needed.
set -euo pipefail
cd "$(dirname "$0")/../.."

# Files of src/ (not the frozen migrations) with a COMPAT( comment.
marked() { grep -rl 'COMPAT(' src --include='*.cpp' --include='*.h' --include='*.sql' | grep -v '^src/sql/upgrade/' | sort -u; }
# Files the table of that section names (second column).
listed() {
    sed -n '/^## Code for older versions/,/^## /p' docs/internals.md |
        sed -nE 's/^\| *[0-9.x]+ *\| *`([^`]+)` *\|.*/\1/p' | sort -u
}

# compare MARKED LISTED: prints what is missing where, fails if anything is.
compare() {
    local missing_row missing_mark
    missing_row=$(comm -23 "$1" "$2")
    missing_mark=$(comm -13 "$1" "$2")
    [ -z "$missing_row" ] || { echo "COMPAT( comment, but no row in docs/internals.md: $missing_row"; }
    [ -z "$missing_mark" ] || { echo "row in docs/internals.md, but no COMPAT( comment: $missing_mark"; }
    [ -z "$missing_row" ] && [ -z "$missing_mark" ]
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
marked >"$tmp/marked"
listed >"$tmp/listed"
n=$(wc -l <"$tmp/listed")
[ "$n" -ge 10 ] || { echo "FAIL: the table lists $n files; the section or its format changed"; exit 1; }
compare "$tmp/marked" "$tmp/listed" || { echo "FAIL: the list of code for older versions is not true"; exit 1; }
echo "ok: $n files with code for older versions, each listed in docs/internals.md"

# The check can fail: a marked file without a row, and a row without a mark.
(cat "$tmp/marked"; echo src/pg/new_shim.cpp) | sort >"$tmp/marked_more"
if compare "$tmp/marked_more" "$tmp/listed" >/dev/null; then echo "FAIL: an unlisted COMPAT( file passed"; exit 1; fi
grep -v 'settings_010' "$tmp/marked" >"$tmp/marked_less"
if compare "$tmp/marked_less" "$tmp/listed" >/dev/null; then echo "FAIL: a listed file without COMPAT( passed"; exit 1; fi
echo "ok: an unlisted marked file and a listed unmarked file each fail the check"
