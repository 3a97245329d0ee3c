#!/usr/bin/env bash
# What a packager gets: `make install DESTDIR=...` stages the library, the
# control file, the current version's install script and every upgrade
# script (generated at build time or frozen in sql/; not the install scripts
# of released versions) and the pg-intent CLI; META.json validates against
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
default=$(sed -nE "s/^default_version = '(.*)'/\1/p" pg_intent.control)
mapfile -t shipped < <(make -s print-shipped-sql)
for f in "${shipped[@]}"; do expect+=("$share/$f"); done
for f in "${expect[@]}"; do
    [ -f "$f" ] || { echo "FAILED: make install DESTDIR did not stage ${f#"$stage"}" >&2; exit 1; }
done
staged=$(cd "$share" && ls pg_intent--*.sql)
[ "$staged" = "$(printf '%s\n' "${shipped[@]}")" ] ||
    { echo "FAILED: make install DESTDIR staged other scripts than it ships:" $staged >&2; exit 1; }
# One install script, the current version's; the frozen scripts staged are
# the committed ones, byte for byte, and the generated ones are build/sql/'s.
[ "$(ls "$share"/pg_intent--*.sql | grep -vc -- '--.*--')" = 1 ] && [ -f "$share/pg_intent--$default.sql" ] ||
    { echo "FAILED: make install DESTDIR did not stage exactly one install script, $default's" >&2; exit 1; }
for f in "${shipped[@]}"; do
    src=sql/$f
    [ -f "$src" ] || src=build/sql/$f
    cmp -s "$src" "$share/$f" || { echo "FAILED: staged $f differs from $src" >&2; exit 1; }
done
# The upgrade chain reaches the default version from 0.1.0, one adjacent
# step at a time (PostgreSQL chains them).
v=0.1.0
while [ "$v" != "$default" ]; do
    next=$(ls "$share"/pg_intent--"$v"--*.sql 2>/dev/null | sed -E "s/.*--$v--(.*)\.sql/\1/" | head -1)
    [ -n "$next" ] || { echo "FAILED: no upgrade script from $v towards $default" >&2; exit 1; }
    v=$next
done
grep -q "^requires = 'plpgsql'" pg_intent.control || { echo "FAILED: the control file does not require plpgsql" >&2; exit 1; }
"$bindir/pg-intent" --help >/dev/null 2>&1 || { echo "FAILED: the staged pg-intent CLI does not run" >&2; exit 1; }
echo "ok: make install DESTDIR stages ${#expect[@]} files: the library, the control file, ${#shipped[@]} SQL scripts (the install script of $default and the upgrade chain), the CLI"
python3 scripts/check-meta.py
