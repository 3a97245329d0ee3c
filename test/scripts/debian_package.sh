#!/usr/bin/env bash
# The Debian package: builds postgresql-15-pg-intent from a copy of this tree
# with dpkg-buildpackage (debian/, pg_buildext), installs it with apt from the
# built .deb files only (no download), checks that the shipped library and CLI
# are stripped and that their debug symbols are in the -dbgsym package, starts
# a cluster on the SYSTEM PostgreSQL tree (the packaged files, not a private
# copy), runs CREATE EXTENSION, checks that every C function binds to the
# packaged library and that it reads the packaged Spanish catalogue, runs the
# pg_regress files that exercise what only the package changes (PKG_REGRESS
# below; PKG_REGRESS=all runs the whole suite) against it, then purges both
# packages: the host is left as found. Needs root (apt) and the build tools
# of `scripts/install-deps.sh package`.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
ROOT=$(pwd)
PKG=postgresql-15-pg-intent

[ "$(id -u)" = 0 ] || { echo "FAILED: installs a package: run as root" >&2; exit 1; }
# Installing over files another `make install` put into the system tree
# would lose them at the purge: refuse instead.
SYS_PG_CONFIG=${PGI_SYSTEM_PG_CONFIG:-$(command -v pg_config)}
libdir=$("$SYS_PG_CONFIG" --pkglibdir)
bindir=$("$SYS_PG_CONFIG" --bindir)
extdir=$("$SYS_PG_CONFIG" --sharedir)/extension
# The Spanish error messages, where the server's pg_bindtextdomain() looks.
mo=$("$SYS_PG_CONFIG" --localedir)/es/LC_MESSAGES/pg_intent-15.mo
if dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null | grep -q 'ok installed'; then
    echo "FAILED: $PKG is already installed on this host; this test installs and purges it" >&2
    exit 1
fi
if [ -e "$libdir/pg_intent.so" ] || [ -e "$extdir/pg_intent.control" ]; then
    echo "FAILED: $libdir/pg_intent.so or $extdir/pg_intent.control exists (a manual make install?);" \
        "this test would overwrite and then remove it" >&2
    exit 1
fi

# The tree as it is (tracked and untracked files, not the ignored build
# output), so the checkout gets no debian/ build litter.
src=$TEST_TMP/src/pg-intent
mkdir -p "$src"
git ls-files -z -co --exclude-standard | xargs -0 cp --parents -t "$src"
version=$(dpkg-parsechangelog -l debian/changelog -S Version)
arch=$(dpkg --print-architecture)

echo "==> dpkg-buildpackage -us -uc -b ($version)"
start=$(date +%s)
# The .deb files are compressed with gzip at level 1 for this test only
# (dpkg-deb's default, xz -6, took about 90 s of a 1144 s build here, 2 CPUs
# at load 8-12, mostly on the -dbgsym package's DWARF; gzip -1 under 6 s): the
# test checks their contents, which no compressor changes. debian/rules, which
# a release builds with, is untouched.
(cd "$src" && MAKEFLAGS=-j${JOBS:-2} DPKG_DEB_COMPRESSOR_TYPE=gzip DPKG_DEB_COMPRESSOR_LEVEL=1 dpkg-buildpackage -us -uc -b) \
    >"$TEST_TMP/build.log" 2>&1 ||
    { tail -40 "$TEST_TMP/build.log" >&2; echo "FAILED: dpkg-buildpackage" >&2; exit 1; }
echo "    built in $(($(date +%s) - start)) s"
deb=$TEST_TMP/src/${PKG}_${version}_$arch.deb
dbg=$TEST_TMP/src/${PKG}-dbgsym_${version}_$arch.deb
[ -f "$deb" ] || { ls "$TEST_TMP/src" >&2; echo "FAILED: no $deb" >&2; exit 1; }
[ -f "$dbg" ] || { ls "$TEST_TMP/src" >&2; echo "FAILED: no debug symbol package $(basename "$dbg")" >&2; exit 1; }
# Nothing written back into the checkout.
[ ! -e "$ROOT/debian/files" ] && [ ! -e "$ROOT/debian/$PKG" ] ||
    { echo "FAILED: the package build wrote into the checkout's debian/" >&2; exit 1; }

# What the package ships, where.
contents=$(dpkg-deb -c "$deb" | awk '{print $NF}' | sed 's|^\./|/|')
mapfile -t shipped < <(make -s print-shipped-sql)
for f in "$libdir/pg_intent.so" "$extdir/pg_intent.control" "$bindir/pg-intent" "$mo" $(for s in "${shipped[@]}"; do echo "$extdir/$s"; done); do
    grep -qxF "$f" <<<"$contents" || { echo "FAILED: $PKG does not ship $f" >&2; exit 1; }
done
[ "$(grep -c "^$extdir/pg_intent--.*\.sql\$" <<<"$contents")" = "${#shipped[@]}" ] ||
    { echo "FAILED: $PKG ships other SQL scripts than make install does" >&2; exit 1; }
echo "ok: $PKG ships the library, the control file, ${#shipped[@]} SQL scripts, $bindir/pg-intent and $mo"
grep -q '^ Depends:.*postgresql-15' <(dpkg-deb -I "$deb") || { echo "FAILED: $PKG does not depend on postgresql-15" >&2; exit 1; }

# Purge at exit whatever this test installed, whatever happened; on a
# failure name the line and keep the build and test logs.
trap 'echo "FAILED: line $LINENO: $BASH_COMMAND" >&2' ERR
cleanup() {
    local status=$?
    if [ $status -ne 0 ]; then
        mkdir -p "${RUN_DIR:-/tmp}/debian_package.logs"
        cp "$TEST_TMP"/*.log "${RUN_DIR:-/tmp}/debian_package.logs/" 2>/dev/null
        cp -r "$TEST_TMP/regress" "${RUN_DIR:-/tmp}/debian_package.logs/" 2>/dev/null
        echo "logs: ${RUN_DIR:-/tmp}/debian_package.logs" >&2
    fi
    [ -n "${PGI_DIR:-}" ] && "$ROOT/scripts/pg-cluster.sh" stop >/dev/null 2>&1
    for p in "$PKG-dbgsym" "$PKG"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" && dpkg --purge "$p" >/dev/null 2>&1
    done
    rm -rf "$TEST_TMP"
}
trap cleanup EXIT

echo "==> apt-get install ./$(basename "$deb") ./$(basename "$dbg")"
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$deb" "$dbg" \
    >"$TEST_TMP/apt.log" 2>&1 || { cat "$TEST_TMP/apt.log" >&2; echo "FAILED: apt-get install" >&2; exit 1; }
expect_eq "$(dpkg-query -W -f='${Status}' "$PKG")" "install ok installed" "$PKG installed"

# Stripped: no symbol table and no DWARF left in the shipped ELF files; the
# debug file named by each one's build id comes with the -dbgsym package.
for f in "$libdir/pg_intent.so" "$bindir/pg-intent"; do
    if grep -qE '\.symtab|\.debug_info' <<<"$(readelf -S -W "$f")"; then
        echo "FAILED: $f is not stripped" >&2
        exit 1
    fi
    id=$(readelf -n "$f" | sed -nE 's/.*Build ID: ([0-9a-f]+).*/\1/p')
    debug=/usr/lib/debug/.build-id/${id:0:2}/${id:2}.debug
    [ -n "$id" ] && [ -f "$debug" ] || { echo "FAILED: no debug file $debug for $f" >&2; exit 1; }
    grep -q '\.debug_info' <<<"$(readelf -S -W "$debug" 2>/dev/null)" || { echo "FAILED: $debug holds no DWARF" >&2; exit 1; }
    echo "ok: $f stripped ($(($(stat -c %s "$f") / 1024)) KiB), debug symbols in $debug ($(dpkg -S "$debug" | cut -d: -f1))"
done
"$bindir/pg-intent" --help >/dev/null 2>&1 || { echo "FAILED: the packaged pg-intent CLI does not run" >&2; exit 1; }
echo "ok: $bindir/pg-intent runs"

# A cluster on the system tree: the server loads the packaged library (and
# pg_cron, preloaded as in the other tests, when installed).
unset PGI_DIR
eval "$(PGI_TREE=system "$ROOT/scripts/pg-cluster.sh" start)"
expect_eq "$PGI_BINDIR" "$bindir" "the cluster runs the system's PostgreSQL, which loads extensions from $libdir"
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE pkg_check" >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -d pkg_check -c "SET client_min_messages = warning" -c "CREATE EXTENSION pg_intent" >/dev/null
expect_eq "$(q pkg_check "SELECT extversion FROM pg_extension WHERE extname = 'pg_intent'")" \
    "$(sed -nE "s/^default_version = '(.*)'/\1/p" pg_intent.control)" "CREATE EXTENSION pg_intent from the package"
c_functions="FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
    JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pg_intent' WHERE p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'c')"
n=$(q pkg_check "SELECT count(*) $c_functions")
[ "$n" -gt 0 ] || { echo "FAILED: the extension has no C function" >&2; exit 1; }
expect_eq "$(q pkg_check "SELECT count(*) $c_functions AND p.probin = '\$libdir/pg_intent'")" "$n" \
    "all $n C functions bind to the packaged \$libdir/pg_intent"
expect_eq "$(q pkg_check "SELECT intent_model_info(NULL::bytea) IS NULL")" t "a C function of the packaged library runs"
expect_eq "$(psql -X -qAt -d pkg_check -c "SET pg_intent.language = 'es'" -c "SELECT intent_output_error('model %s does not exist', 7)")" \
    "el modelo 7 no existe" "the packaged library reads the packaged Spanish catalogue"
psql -X -q -d postgres -c "DROP DATABASE pkg_check" >/dev/null

# pg_regress against the package: the files that exercise what the package
# changes. Its library is the same source as the checkout's, which phase 5
# of scripts/test.sh runs every pg_regress file against; what differs is how
# it is built and installed: dpkg-buildflags (hardening, -ffile-prefix-map,
# -Wl,-z,relro), dh_strip, and the system's paths. The rest is checked above
# (the shipped files, stripped ELF files and the -dbgsym package, CREATE
# EXTENSION, every C function bound to the packaged library, the packaged
# Spanish catalogue read) and below (the purge); each file here adds one of
# those differences at work:
#   extension_oids  the packaged control file and scripts: DROP and CREATE
#                   EXTENSION again in one session;
#   privileges      the grants the packaged install script applies;
#   training        the packaged trainer (the core at -O3 with Debian's flags);
#   predict         the packaged scorer (its per-CPU kernels);
#   bad_input       C++ exceptions turned into errors in a stripped library
#                   (unwinding through what dh_strip keeps);
#   language_es     every kind of Spanish message from the packaged catalogue.
# The whole suite against the package took 76 s here, these six 4 s
# (ops_retrain.sql alone waits up to a minute for pg_cron's tick, which is
# pg_cron's packaging, not ours). Every file also runs in phases 5, 6 and 7
# of scripts/test.sh; PKG_REGRESS=all runs them all against the package.
PKG_REGRESS=${PKG_REGRESS:-extension_oids privileges training predict bad_input language_es}
regress_files=()
[ "$PKG_REGRESS" = all ] || regress_files=(REGRESS="$PKG_REGRESS")
echo "==> make installcheck against the installed package (${PKG_REGRESS})"
start=$(date +%s)
if ! make -C "$src" -s installcheck PG_CONFIG="$SYS_PG_CONFIG" PGDATABASE=contrib_regression "${regress_files[@]}" \
    EXTRA_REGRESS_OPTS="--outputdir=$TEST_TMP/regress --use-existing" >"$TEST_TMP/regress.log" 2>&1; then
    tail -40 "$TEST_TMP/regress.log" >&2
    head -100 "$TEST_TMP/regress/regression.diffs" >&2 2>/dev/null || true
    echo "FAILED: make installcheck against the package" >&2
    exit 1
fi
grep -qE 'All [0-9]+ tests passed' "$TEST_TMP/regress.log" ||
    { tail -40 "$TEST_TMP/regress.log" >&2; echo "FAILED: pg_regress did not report all tests passed" >&2; exit 1; }
sed -nE 's/^ *(All [0-9]+ tests passed).*/\1/p' "$TEST_TMP/regress.log"
echo "ok: pg_regress against the package ($(($(date +%s) - start)) s)"

"$ROOT/scripts/pg-cluster.sh" stop >/dev/null
unset PGI_DIR
for p in "$PKG-dbgsym" "$PKG"; do dpkg --purge "$p" >>"$TEST_TMP/purge.log" 2>&1 || { cat "$TEST_TMP/purge.log" >&2; exit 1; }; done
[ ! -e "$libdir/pg_intent.so" ] && [ ! -e "$bindir/pg-intent" ] && [ ! -e "$extdir/pg_intent.control" ] && [ ! -e "$mo" ] ||
    { echo "FAILED: files left after dpkg --purge" >&2; exit 1; }
echo "ok: $PKG purged, the system tree is as before"
