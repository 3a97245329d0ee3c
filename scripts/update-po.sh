#!/usr/bin/env bash
# The error messages for translation (make update-po): writes po/pg_intent.pot
# from the sources and merges it into every po/LANG.po.
#
#   scripts/update-po.sh            # rewrites po/pg_intent.pot, updates po/*.po
#   scripts/update-po.sh --pot FILE # writes the template to FILE only
#
# A message is marked where it is written: N_("...") in C++ (messages.h;
# errors carry the pattern and its arguments), and the first argument of
# intent_output_error('...', ...) in src/sql/ (the words of a RAISE). Then
# translate the new entries in po/es.po (msgstr), and test/scripts/po_complete.sh
# checks that none is left untranslated.
set -euo pipefail
cd "$(dirname "$0")/.."
pot=po/pg_intent.pot
only_pot=0
if [ "${1:-}" = --pot ]; then
    pot=$2
    only_pot=1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

xgettext --language=C++ --from-code=UTF-8 --keyword= --keyword=N_ --add-location=file --sort-by-file \
    --package-name=pg_intent --msgid-bugs-address=dev@pg-intent.invalid \
    -o "$tmp/cpp.pot" src/core/*.cpp src/core/*.h src/pg/*.cpp src/pg/*.h

# SQL: xgettext has no SQL parser. The literal is a standard SQL string
# ('' for a quote), written on the same line as intent_output_error(.
python3 - "$tmp/sql.pot" src/sql/*.sql src/sql/*/*.sql <<'PY'
import re, sys
out, files = sys.argv[1], sys.argv[2:]
pat = re.compile(r"intent_output_error\(\s*'((?:[^']|'')*)'")
seen = {}
for f in files:
    for line in open(f, encoding="utf-8"):
        for m in pat.finditer(line):
            msgid = m.group(1).replace("''", "'")
            seen.setdefault(msgid, [])
            if f not in seen[msgid]:
                seen[msgid].append(f)
def q(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
with open(out, "w", encoding="utf-8") as o:
    o.write('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n')
    for msgid, where in seen.items():
        o.write("#: " + " ".join(where) + "\n")
        if "%" in msgid:
            o.write("#, c-format\n")
        o.write("msgid " + q(msgid) + '\nmsgstr ""\n\n')
PY
msgcat --use-first --sort-by-file -o "$tmp/all.pot" "$tmp/cpp.pot" "$tmp/sql.pot"
# No creation date: the template changes only when the messages do.
grep -v '^"POT-Creation-Date:' "$tmp/all.pot" >"$pot"
[ $only_pot = 1 ] && exit 0
for po in po/*.po; do
    msgmerge --quiet --update --backup=none --no-fuzzy-matching --sort-by-file "$po" "$pot"
done
echo "wrote $pot; translate what is new in: $(ls po/*.po | tr '\n' ' ')"
