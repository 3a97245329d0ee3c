#!/usr/bin/env bash
# pg_intent.so exports only what PostgreSQL looks up: the magic block,
# _PG_init, and each C function named in the install scripts with its
# pg_finfo_ record. No C++ symbol of the core or of libstdc++ leaks out, so
# the library cannot interpose on another extension's symbols.
cd "$(dirname "$0")/../.."
set -euo pipefail
[ -f pg_intent.so ] || { echo "build pg_intent.so first" >&2; exit 1; }
exported=$(nm -D --defined-only pg_intent.so | awk '{print $3}' | sort)
# Every AS 'MODULE_PATHNAME', 'symbol' of every script, the frozen ones of
# released versions (their SQL may run against this library until ALTER
# EXTENSION) and the current version's, which `make` generates in build/sql/.
ls build/sql/pg_intent--*.sql >/dev/null 2>&1 || { echo "build the current version's scripts first (make)" >&2; exit 1; }
symbols=$(grep -ohE "'MODULE_PATHNAME', '[a-z_0-9]+'" sql/*.sql build/sql/*.sql | sed -E "s/.*, '(.*)'/\1/" | sort -u)
expected=$( { echo Pg_magic_func; echo _PG_init; for s in $symbols; do echo "$s"; echo "pg_finfo_$s"; done; } | sort)
if [ "$exported" != "$expected" ]; then
    echo "exported symbols differ from the expected ones:" >&2
    diff <(echo "$expected") <(echo "$exported") >&2
    exit 1
fi
echo "ok: $(wc -l <<<"$exported") exported symbols, all SQL-callable (or magic block / _PG_init)"
