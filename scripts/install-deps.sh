#!/usr/bin/env bash
# Installs through apt-get the Debian 12 packages one set of tasks needs and
# this machine lacks. Safe to run again: it only installs what is missing,
# and prints each package it installs.
#
#   scripts/install-deps.sh build      # compile the extension and the CLI
#   scripts/install-deps.sh demo       # build + the PostgreSQL 15 server (scripts/demo.sh)
#   scripts/install-deps.sh package    # build + the Debian packaging tools (debian/)
#   scripts/install-deps.sh test       # demo + package + what scripts/test.sh runs
#   scripts/install-deps.sh bench      # test + the benchmark peers (bench/)
#   scripts/install-deps.sh --list SET # print the set's packages, install nothing
#
# Several sets may be named; no set means `test`. It never changes the
# host's PostgreSQL configuration. Installing postgresql-15 lets Debian
# create and start its default cluster 15/main on port 5432 (as on any
# Debian host); the tests do not use it (each runs a private cluster on a
# free port and socket). This script says so when it happens; remove that
# cluster with `pg_dropcluster --stop 15 main` if you do not want it.
set -euo pipefail

# Build only: the PGXS build of the library and the CLI (Makefile);
# gettext's msgfmt compiles the Spanish error messages (po/es.po), and its
# xgettext, msgmerge and msgcmp serve make update-po and po_complete.sh.
build=(g++ make pkg-config gettext postgresql-server-dev-15 nlohmann-json3-dev)
# Running the extension: the server.
demo=(postgresql-15)
# dpkg-buildpackage with postgresql-common's pg_buildext (debian/rules).
package=(dpkg-dev debhelper postgresql-server-dev-all)
# scripts/test.sh: the core's unit tests (CMake, GoogleTest); the fuzzers
# and the sanitizers (clang, its runtime); pg_cron for the scheduled
# retraining test; pgTAP, and pg_prove, which postgresql-15-pgtap only
# recommends; python3 for scripts/check-meta.py; Chromium renders the HTML
# training report (test/scripts/report_browser.sh, headless); Valgrind runs
# every backend of scripts/stress.sh; locales gives the es_ES.UTF-8 locale
# that test/sql/language.sql sets lc_messages to (generated below, once);
# gdb looks inside a backend (test/scripts/read_errors.sh: where an error
# lives when the guard raises it) or holds it at a point
# (test/scripts/model_row_replaced.sh); python3-psycopg2 and nodejs run
# docs/calling-from-apps.md's snippets
# (test/scripts/app_snippets.sh), with node-postgres (`pg`, from the npm
# registry: node_postgres() below); the libraries that Citus 13.2.2's build
# (../shared/citus, test/scripts/citus.sh) links: libpq, libcurl, libzstd,
# liblz4, OpenSSL, GSSAPI; pgbouncer puts a transaction-mode pooler between
# the clients and the server (test/scripts/pooled_sessions.sh).
test=(locales cmake libgtest-dev clang libclang-rt-14-dev postgresql-15-cron postgresql-15-pgtap
    libtap-parser-sourcehandler-pgtap-perl python3 chromium valgrind gdb python3-psycopg2 nodejs
    libpq5 libcurl4 libzstd1 liblz4-1 libssl3 libgssapi-krb5-2 pgbouncer)
# bench/serving.sh: the seed's service (FastAPI, uvicorn) and wrk;
# bench/statement_cost.sh --profile: perf; bench/scale.sh: GNU time;
# bench/kernels: Google Benchmark, LIBLINEAR, Eigen (the alternatives the
# kernels were measured against).
bench=(python3-sklearn fasttext python3-fasttext python3-fastapi python3-uvicorn wrk curl linux-perf time
    libbenchmark-dev liblinear-dev libeigen3-dev)

list_only=0
needs_spanish_locale=0
if [ "${1:-}" = --list ]; then
    list_only=1
    shift
fi
[ $# -gt 0 ] || set -- test
packages=()
for set in "$@"; do
    case $set in
    build) packages+=("${build[@]}") ;;
    demo) packages+=("${build[@]}" "${demo[@]}") ;;
    package) packages+=("${build[@]}" "${package[@]}") ;;
    test) needs_spanish_locale=1; packages+=("${build[@]}" "${demo[@]}" "${package[@]}" "${test[@]}") ;;
    bench) needs_spanish_locale=1; packages+=("${build[@]}" "${demo[@]}" "${package[@]}" "${test[@]}" "${bench[@]}") ;;
    *)
        echo "usage: $0 [--list] [build|demo|package|test|bench ...]" >&2
        exit 2
        ;;
    esac
done
mapfile -t packages < <(printf '%s\n' "${packages[@]}" | awk '!seen[$0]++')
if [ $list_only = 1 ]; then
    printf '%s\n' "${packages[@]}"
    exit 0
fi

# Versions before 0.2.1 of this script wrote this file silently (it stops
# every later `apt-get install postgresql-NN` on the host from creating a
# default cluster). Remove it, saying so, when it is still the one it wrote.
ours=/etc/postgresql-common/createcluster.d/pg_intent.conf
if [ -f "$ours" ] && [ "$(cat "$ours")" = "create_main_cluster = false" ] && [ -w "$ours" ]; then
    rm -f "$ours"
    echo "removed $ours (written by an earlier scripts/install-deps.sh; Debian's default for new clusters applies again)"
fi

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# es_ES.UTF-8 added to the host's compiled locales (an addition, which
# changes nothing that exists; `localedef --delete-from-archive es_ES.utf8`
# takes it back). Said when done.
spanish_locale() {
    [ $needs_spanish_locale = 1 ] || return 0
    locale -a 2>/dev/null | grep -qix 'es_ES.utf8' && return 0
    if [ "$(id -u)" != 0 ]; then
        echo "missing locale es_ES.UTF-8 (run as root, or: localedef -i es_ES -f UTF-8 es_ES.UTF-8)" >&2
        exit 1
    fi
    localedef -i es_ES -f UTF-8 es_ES.UTF-8
    echo "added the locale es_ES.UTF-8 (test/sql/language.sql); remove it with: localedef --delete-from-archive es_ES.utf8"
}
# node-postgres, installed globally (npm root -g) from the npm registry:
# the only download besides apt-get's, and only here, never when a test
# runs. npm comes with Debian's `npm` package, or inside NodeSource's
# nodejs (which conflicts with Debian's npm: asked for only when missing).
needs_node_postgres=0
for p in "${packages[@]}"; do [ "$p" = nodejs ] && needs_node_postgres=1; done
node_postgres() {
    [ $needs_node_postgres = 1 ] || return 0
    NODE_PATH=$(npm root -g 2>/dev/null) node -e "require('pg')" 2>/dev/null && return 0
    if [ "$(id -u)" != 0 ]; then
        echo "missing node module pg (run as root, or: npm install -g pg@8)" >&2
        exit 1
    fi
    if ! command -v npm >/dev/null; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm >/dev/null
    fi
    echo "npm install -g pg@8"
    npm install -g --no-fund --no-audit pg@8 >/dev/null
}
if [ ${#missing[@]} -eq 0 ]; then
    spanish_locale
    node_postgres
    exit 0
fi

if [ "$(id -u)" != 0 ]; then
    echo "missing packages: ${missing[*]} (run as root, or install them)" >&2
    exit 1
fi
echo "apt-get install ${missing[*]}"
had_server=$(dpkg-query -W -f='${Status}' postgresql-15 2>/dev/null | grep -c "install ok installed" || true)
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
if [ "$had_server" = 0 ] && command -v pg_lsclusters >/dev/null && pg_lsclusters -h 2>/dev/null | grep -q '^15 *main '; then
    echo "note: Debian's postgresql-15 created its default cluster 15/main (port 5432); nothing here uses it." \
        "Remove it with: pg_dropcluster --stop 15 main"
fi
spanish_locale
node_postgres
