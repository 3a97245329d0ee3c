#!/usr/bin/env bash
# PostgreSQL majors other than the system's (Debian 12's 15): their server
# trees and a build of the extension for each.
#
#   scripts/pg-major.sh tree NN         # unpacks the NN tree once; prints its pg_config
#   scripts/pg-major.sh build PG_CONFIG # builds the extension for that server; prints the build directory
#   scripts/pg-major.sh is-system PG_CONFIG # true when it is the system's major (built in the checkout)
#
# tree: 15 is the system's PostgreSQL (`pg_config` on PATH). 16, 17 and 18
# come from the archives pgNN-bookworm-amd64.tar.xz in PGI_PG_TARBALLS
# (default ../shared/postgresql next to this checkout), relocatable trees
# with contrib, pg_cron and pgTAP's SQL (their README says how they are
# built). A missing archive is an error that names it. The tree is unpacked
# into build/postgresql/NN, again only when the archive changed, and owned by
# `postgres` when run as root (initdb runs as postgres).
#
# build: PGXS writes its objects next to the sources, so each major builds
# in its own copy of the checkout, build/pgNN (only what changed,
# modification times kept). The core (src/core) includes no PostgreSQL
# header: its objects and the CLI's, when the checkout has them, are copied
# with the sources and reused as they are, so the core is compiled once for
# every major. The system's major (15) builds in the checkout itself, as
# `make` does. Set CXX, WERROR and JOBS (2) as for make.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)

# The system's pg_config, the one `make` in the checkout builds for:
# PGI_CHECKOUT_PG_CONFIG, else Debian's /usr/bin/pg_config (the newest
# server-dev installed), else the first on PATH. Not simply PATH's: a
# cluster's environment puts its private copy first, of whatever major.
system_pg_config() {
    if [ -n "${PGI_CHECKOUT_PG_CONFIG:-}" ]; then
        echo "$PGI_CHECKOUT_PG_CONFIG"
    elif [ -x /usr/bin/pg_config ]; then
        echo /usr/bin/pg_config
    else
        local path=$PATH
        [ -n "${PGI_BINDIR:-}" ] && path=${path//$PGI_BINDIR:/}
        PATH=$path command -v pg_config
    fi
}

# Whether PG_CONFIG is the system's server (a private copy of it counts).
is_system() { # pg_config
    [ "$("$1" --version)" = "$("$(system_pg_config)" --version)" ]
}

major_of() { # pg_config
    "$1" --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/'
}

cmd_tree() {
    local major=$1
    if [ "$major" = "$(major_of "$(system_pg_config)")" ]; then
        system_pg_config
        return
    fi
    local dir=${PGI_PG_TARBALLS:-$ROOT/../shared/postgresql}
    local tarball=$dir/pg$major-bookworm-amd64.tar.xz
    [ -f "$tarball" ] || {
        echo "PostgreSQL $major: no server tree: $tarball is missing (set PGI_PG_TARBALLS to its directory)" >&2
        exit 1
    }
    local dest=$ROOT/build/postgresql/$major stamp
    mkdir -p "$ROOT/build"
    stamp="$(realpath "$tarball") $(stat -c '%s %Y' "$tarball")"
    (
        flock 9
        if [ "$(cat "$dest.stamp" 2>/dev/null)" != "$stamp" ]; then
            rm -rf "$dest" "$dest.stamp"
            mkdir -p "$dest"
            tar -xJf "$tarball" -C "$dest" || { rm -rf "$dest"; echo "PostgreSQL $major: cannot unpack $tarball" >&2; exit 1; }
            [ "$(id -u)" = 0 ] && chown -R postgres "$dest"
            echo "$stamp" >"$dest.stamp"
        fi
    ) 9>"$ROOT/build/postgresql.$major.lock" || exit 1
    local pgc=$dest/opt/postgresql/$major/bin/pg_config
    [ -x "$pgc" ] || { echo "PostgreSQL $major: $tarball holds no opt/postgresql/$major/bin/pg_config" >&2; exit 1; }
    echo "$pgc"
}

cmd_build() {
    local pgc=$1 major dest
    # An absolute path: make runs in another directory.
    if [[ $pgc == */* ]]; then pgc=$(cd "$(dirname "$pgc")" && pwd)/$(basename "$pgc"); else pgc=$(command -v "$pgc"); fi
    major=$(major_of "$pgc")
    if is_system "$pgc"; then
        dest=$ROOT
    else
        dest=$ROOT/build/pg$major
    fi
    mkdir -p "$dest"
    (
        flock 9
        if [ "$dest" != "$ROOT" ]; then
            # The sources as they are in the checkout (tracked or not, not the
            # ignored build output), plus the core's and the CLI's objects.
            (cd "$ROOT" && git ls-files -co --exclude-standard 2>/dev/null || find . -path ./build -prune -o -type f -print) |
                grep -v '^build/' >"$dest.files"
            (cd "$ROOT" && ls src/core/*.o src/cli/main.o pg-intent 2>/dev/null) >>"$dest.files" || true
            # Copied when their size or modification time differs (either
            # way: a file restored to an older version is copied too), with
            # their modification time, under the checkout's build lock (no
            # half-written object).
            (
                flock 8
                cd "$ROOT" && xargs -d '\n' stat -c '%s %Y %n' <"$dest.files" | sort >"$dest.src"
                # (files not copied yet are missing there: stat's status 123 is expected)
                (cd "$dest" && xargs -d '\n' stat -c '%s %Y %n' <"$dest.files" 2>/dev/null || true) | sort >"$dest.dst"
                comm -23 "$dest.src" "$dest.dst" | cut -d' ' -f3- | xargs -r -d '\n' cp -a --parents -t "$dest"
                rm -f "$dest.src" "$dest.dst"
            ) 8>"$ROOT/.build.lock"
            # A source removed from the checkout goes from the copy too (the
            # Makefile builds every src/*/*.cpp and every sql/ script).
            (cd "$dest" && find src sql test -type f ! -name '*.o' | sort | comm -23 - <(sort "$dest.files") | xargs -r -d '\n' rm -f)
            rm -f "$dest.files"
        fi
        # make does not see a change of flags: objects compiled without
        # -Werror (a test that built this major first, without WERROR) were
        # reused by a later WERROR=1 build, which then compiled nothing with
        # -Werror. The glue's objects are compiled here for these flags, and
        # compiled again when the flags differ from those of the last build
        # (the core's come from the checkout's own build).
        if [ "$dest" != "$ROOT" ]; then
            local flags="CXX=${CXX:-} WERROR=${WERROR:-}"
            if [ "$(cat "$dest/.build-flags" 2>/dev/null)" != "$flags" ]; then
                find "$dest/src/pg" -name '*.o' -delete 2>/dev/null || true
                rm -f "$dest"/*.so
                echo "$flags" >"$dest/.build-flags"
            fi
        fi
        make -C "$dest" -s -j"${JOBS:-2}" PG_CONFIG="$pgc" ${CXX:+CXX="$CXX"} ${WERROR:+WERROR="$WERROR"} >&2
    ) 9>"$dest/.build.lock"
    echo "$dest"
}

case "${1:-}" in
tree) cmd_tree "${2:?major}" ;;
build) cmd_build "${2:?pg_config}" ;;
is-system) is_system "${2:?pg_config}" ;;
*)
    echo "usage: $0 tree NN | build PG_CONFIG | is-system PG_CONFIG" >&2
    exit 2
    ;;
esac
