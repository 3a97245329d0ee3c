#!/usr/bin/env bash
# The glue compiles against a server built without NLS (configure without
# --enable-nls). There, c.h defines gettext(), dgettext(), ngettext() and
# dngettext() as macros, and <libintl.h>, which the C++ standard library and
# nlohmann/json include after PostgreSQL's headers, no longer compiles
# (pg_headers.h includes it first). No such server is at hand: this test
# copies the server headers of PG_CONFIG (default the system's) with
# ENABLE_NLS undefined in pg_config.h, which is all configure changes in
# them, and compiles every glue file against the copy (-fsyntax-only,
# -Werror). It also checks that the copy does reproduce the clash, so the
# test can fail.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
PGC=${PG_CONFIG:-${PGI_SYSTEM_PG_CONFIG:-$(command -v pg_config)}}
server=$("$PGC" --includedir-server)
cp -a "$server" "$TEST_TMP/server"
grep -q '^#define ENABLE_NLS 1' "$TEST_TMP/server/pg_config.h" ||
    { echo "FAILED: $server/pg_config.h does not define ENABLE_NLS; expected a server with NLS to start from" >&2; exit 1; }
sed -i 's|^#define ENABLE_NLS 1|/* #undef ENABLE_NLS */|' "$TEST_TMP/server/pg_config.h"
compile() { # file [extra flags]
    g++ -fsyntax-only -std=c++17 -Wall -Wextra -Wshadow -Wnon-virtual-dtor -Werror -Isrc/core -Isrc/pg \
        -isystem "$TEST_TMP/server" -D_GNU_SOURCE "$@"
}
export -f compile
export TEST_TMP

# The clash itself: PostgreSQL's headers first, then <libintl.h>.
printf '%s\n' 'extern "C" {' '#include "postgres.h"' '}' '#include <libintl.h>' >"$TEST_TMP/clash.cpp"
if compile "$TEST_TMP/clash.cpp" 2>/dev/null; then
    echo "FAILED: <libintl.h> after postgres.h compiles against the copy: it does not reproduce a server without NLS" >&2
    exit 1
fi
echo "ok: the copy of $server without ENABLE_NLS reproduces the clash"

failed=$(ls src/pg/*.cpp | xargs -P "${JOBS:-2}" -I{} bash -c 'compile {} >"$TEST_TMP/$(basename {}).log" 2>&1 || echo {}')
if [ -n "$failed" ]; then
    for f in $failed; do echo "FAILED: $f without NLS:" >&2; head -5 "$TEST_TMP/$(basename "$f").log" >&2; done
    exit 1
fi
echo "ok: the $(ls src/pg/*.cpp | wc -l) glue files compile against $("$PGC" --version) without NLS"
