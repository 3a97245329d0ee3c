#!/usr/bin/env bash
# Every error message marked for translation (N_() in C++, the pattern of
# intent_output_error() in src/sql/) has a Spanish translation in po/es.po:
# the template is extracted afresh (scripts/update-po.sh --pot), and msgcmp
# fails on a msgid of it that es.po lacks or leaves untranslated or fuzzy.
# msgfmt --check then verifies each translation keeps its msgid's %s.
# Also checks the check: a pattern added to a copy of the sources fails it.
# No cluster needed.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
scripts/update-po.sh --pot "$TEST_TMP/pg_intent.pot" || { echo "FAILED: extracting the messages" >&2; exit 1; }
n=$(grep -c '^msgid "[^"]' "$TEST_TMP/pg_intent.pot")
[ "$n" -gt 100 ] || { echo "FAILED: only $n messages extracted; the markers are not found" >&2; exit 1; }
if ! msgcmp po/es.po "$TEST_TMP/pg_intent.pot" 2>"$TEST_TMP/msgcmp.log"; then
    echo "FAILED: po/es.po lacks a Spanish translation (run make update-po and translate):" >&2
    head -20 "$TEST_TMP/msgcmp.log" >&2
    exit 1
fi
msgfmt --check -o /dev/null po/es.po || { echo "FAILED: msgfmt --check po/es.po" >&2; exit 1; }
echo "ok: the $n messages marked for translation have a Spanish msgstr in po/es.po"

# The check can fail: a new marked message, untranslated.
printf '%s\n' '#include "messages.h"' 'const char *p = N_("a message nobody translated");' >"$TEST_TMP/new.cpp"
xgettext --language=C++ --keyword= --keyword=N_ -o "$TEST_TMP/new.pot" "$TEST_TMP/new.cpp"
msgcat -o "$TEST_TMP/more.pot" "$TEST_TMP/pg_intent.pot" "$TEST_TMP/new.pot"
if msgcmp po/es.po "$TEST_TMP/more.pot" 2>/dev/null; then
    echo "FAILED: msgcmp accepted a message es.po does not translate" >&2
    exit 1
fi
echo "ok: an untranslated message fails the check"
