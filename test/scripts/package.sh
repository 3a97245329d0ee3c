#!/usr/bin/env bash
# What a packager gets: `make install DESTDIR=...` stages the library, the
# control file, every versioned SQL script (the frozen 0.1.0 one and each
# upgrade script included) and the pg-intent CLI; META.json validates against
# the PGXN Meta Spec 1.0.0 and names files that exist.
cd "$(dirname "$0")/../.."
set -euo pipefail
PG_CONFIG=${PGI_SYSTEM_PG_CONFIG:-$(command -v pg_config)}
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
make -s install DESTDIR="$stage" PG_CONFIG="$PG_CONFIG" >/dev/null
pkglib=$stage$("$PG_CONFIG" --pkglibdir)
share=$stage$("$PG_CONFIG" --sharedir)/extension
bindir=$stage$("$PG_CONFIG" --bindir)
expect=("$pkglib/pg_intent.so" "$share/pg_intent.control" "$bindir/pg-intent")
for f in sql/pg_intent--*.sql; do expect+=("$share/$(basename "$f")"); done
for f in "${expect[@]}"; do
    [ -f "$f" ] || { echo "FAILED: make install DESTDIR did not stage ${f#"$stage"}" >&2; exit 1; }
done
# The scripts staged are the committed ones, byte for byte.
for f in sql/pg_intent--*.sql; do
    cmp -s "$f" "$share/$(basename "$f")" || { echo "FAILED: staged $(basename "$f") differs from sql/" >&2; exit 1; }
done
# The upgrade chain reaches the default version from 0.1.0, one adjacent
# step at a time (PostgreSQL chains them).
default=$(sed -nE "s/^default_version = '(.*)'/\1/p" pg_intent.control)
v=0.1.0
while [ "$v" != "$default" ]; do
    next=$(ls "$share"/pg_intent--"$v"--*.sql 2>/dev/null | sed -E "s/.*--$v--(.*)\.sql/\1/" | head -1)
    [ -n "$next" ] || { echo "FAILED: no upgrade script from $v towards $default" >&2; exit 1; }
    v=$next
done
grep -q "^requires = 'plpgsql'" pg_intent.control || { echo "FAILED: the control file does not require plpgsql" >&2; exit 1; }
"$bindir/pg-intent" --help >/dev/null 2>&1 || { echo "FAILED: the staged pg-intent CLI does not run" >&2; exit 1; }
echo "ok: make install DESTDIR stages ${#expect[@]} files: the library, the control file, $(ls sql/pg_intent--*.sql | wc -l) SQL scripts, the CLI"
python3 scripts/check-meta.py
