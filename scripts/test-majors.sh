#!/usr/bin/env bash
# The suite that touches server internals, on PostgreSQL majors other than
# the system's 15 (scripts/test.sh runs everything on 15, then this):
#
#   scripts/test-majors.sh            # 16, 17 and 18, side by side
#   scripts/test-majors.sh 18         # only these majors
#
# For each major, in its own process, cluster, port and socket directory:
#   - the server tree (scripts/pg-major.sh tree: a missing archive is a
#     failure that names it, not a skip);
#   - the extension built with -Werror against it (scripts/pg-major.sh build:
#     the glue compiled for that major, the core's objects reused from the
#     checkout's build) and its exported symbols;
#   - pg_regress, every file;
#   - pgTAP, every file;
#   - the scripted tests that touch server internals: the upgrade from
#     0.1.0, hot-standby and logical replication invalidation, the drop
#     guard, cancellation, postmaster death; on 18 also the upgrade from 0.3.0, the upgrade's
#     locks and foreign triggers, and pg_dump/pg_restore.
# Each major's lines are prefixed with "[pgNN]". At the end, one line per
# major and kind: "result pgNN KIND PASSED FAILED" (KIND: build, pg_regress,
# pgtap, scripts), which scripts/test.sh counts; and the failures as
# "failed pgNN WHAT (LOG)". Exits non-zero on any failure.
#
# Settings: CXX, WERROR (1), JOBS (2) for the builds; RUN_DIR (logs);
# PGI_PG_TARBALLS (the archives' directory); MAJOR_SCRIPTS, MAJOR_SCRIPTS_NN;
# MAJOR_LANES, MAJOR_LANES_NN (scripted tests at once, each lane on a cluster
# of its own: 2 on 18, 1 on the others).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
source scripts/lib/lanes.bash
RUN_DIR=${RUN_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/pg_intent_majors.XXXXXX")}
mkdir -p "$RUN_DIR"
chmod 755 "$RUN_DIR"
export RUN_DIR
MAJORS=("$@")
[ ${#MAJORS[@]} -gt 0 ] || MAJORS=(16 17 18)
# The scripted tests: on the newest major, the upgrades from 0.1.0 and 0.3.0 (and
# 0.3.1's grants, pg_init_privs and pg_dump),
# the upgrade's locks and foreign triggers, pg_dump/pg_restore, and every
# function open to PUBLIC or Supabase's roles fed hostile arguments (under
# transaction_timeout, which 17 added: public_fuzz); on the
# others the 0.1.0 chain only, to keep CI's time. Not upgrade_020: it builds
# 0.2.0's library from its commit, which predates 16 (pg_proc_aclcheck);
# upgrade.sh builds 0.1.0's, which compiles and runs on every major. MAJOR_SCRIPTS (all
# majors) or MAJOR_SCRIPTS_NN (one) choose others.
# Longest first (scripts/lib/lanes.bash), in two lanes on 18, whose list is
# the longest, one on the others (MAJOR_LANES, MAJOR_LANES_NN).
INTERNALS="two_phase cancel_training postmaster_death logical_invalidation standby_invalidation drop_guard"
default_scripts() { # major
    if [ "$1" = 18 ]; then
        echo "public_fuzz $INTERNALS upgrade upgrade_030 upgrade_031_grants dump_restore upgrade_foreign_triggers upgrade_ops"
    else
        echo "$INTERNALS upgrade"
    fi
}
default_lanes() { # major
    if [ -n "${MAJOR_LANES:-}" ]; then echo "$MAJOR_LANES"; elif [ "$1" = 18 ]; then echo 2; else echo 1; fi
}
export WERROR=${WERROR:-1}

# One major, from the tree to the last scripted test. Prints its lines and
# ends with its result lines.
one_major() { # major
    local major=$1 dir=$RUN_DIR/pg$1 pgc src t start
    local -A pass=([build]=0 [pg_regress]=0 [pgtap]=0 [scripts]=0) fail=([build]=0 [pg_regress]=0 [pgtap]=0 [scripts]=0)
    local failures=()
    mkdir -p "$dir"
    chmod 755 "$dir"
    finish() {
        local k
        for k in build pg_regress pgtap scripts; do echo "result pg$major $k ${pass[$k]} ${fail[$k]}"; done
        for k in "${failures[@]}"; do echo "failed pg$major $k"; done
    }
    if ! pgc=$(scripts/pg-major.sh tree "$major" 2>"$dir/tree.log"); then
        sed 's/^/    /' "$dir/tree.log"
        fail[build]=1
        failures+=("server tree: $(tail -1 "$dir/tree.log")")
        finish
        return 1
    fi
    echo "    $("$pgc" --version), $pgc"

    start=$(date +%s)
    if src=$(scripts/pg-major.sh build "$pgc" 2>"$dir/build.log"); then
        printf '    ok   %-28s %4ss\n' "-Werror build" "$(($(date +%s) - start))"
        pass[build]=$((pass[build] + 1))
        if bash "$src/test/scripts/exports.sh" >"$dir/exports.log" 2>&1; then
            echo "    ok   exported symbols"
            pass[build]=$((pass[build] + 1))
        else
            sed 's/^/    /' "$dir/exports.log" | tail -20
            fail[build]=$((fail[build] + 1))
            failures+=("exported symbols ($dir/exports.log)")
        fi
    else
        tail -40 "$dir/build.log" | sed 's/^/    /'
        fail[build]=$((fail[build] + 1))
        failures+=("build ($dir/build.log)")
        finish
        return 1
    fi

    # The cluster: a private copy of this major's tree with the extension
    # built above installed into it.
    if ! PGI_SYSTEM_PG_CONFIG=$pgc PGI_SOURCE=$src scripts/pg-cluster.sh start >"$dir/cluster.env" 2>"$dir/cluster.log"; then
        tail -30 "$dir/cluster.log" | sed 's/^/    /'
        fail[build]=$((fail[build] + 1))
        failures+=("cluster start ($dir/cluster.log)")
        finish
        return 1
    fi
    eval "$(cat "$dir/cluster.env")"
    # shellcheck disable=SC2064
    trap "PGI_DIR=$PGI_DIR scripts/pg-cluster.sh stop >/dev/null 2>&1" EXIT
    echo "    cluster $PGI_DIR, port $PGPORT"

    # pg_regress with this major's pg_regress (PATH's pg_config is the copy's).
    make -C "$src" -s installcheck PG_CONFIG="$PGI_BINDIR/pg_config" PGDATABASE=contrib_regression \
        EXTRA_REGRESS_OPTS="--outputdir=$dir/regress --use-existing" >"$dir/regress.log" 2>&1
    local ok bad
    ok=$(grep -cE '^ok [0-9]+ |\.\.\. ok' "$dir/regress.log")
    bad=$(grep -cE '^not ok [0-9]+ |\.\.\. FAILED' "$dir/regress.log")
    grep -E '^(ok|not ok) [0-9]+ |\.\.\. FAILED' "$dir/regress.log" | grep -v '^ok' | sed 's/^/    /'
    if [ "$bad" -gt 0 ] || ! grep -qE 'All [0-9]+ tests passed' "$dir/regress.log"; then
        printf '    FAIL pg_regress: %d ok, %d failed\n' "$ok" "$bad"
        head -80 "$dir/regress/regression.diffs" 2>/dev/null | sed 's/^/    /'
        pass[pg_regress]=$ok
        fail[pg_regress]=$((bad > 0 ? bad : 1))
        failures+=("pg_regress (diffs: $dir/regress/regression.diffs)")
    else
        printf '    ok   pg_regress: %d files\n' "$ok"
        pass[pg_regress]=$ok
    fi

    # pgTAP: pg_prove reads this major's pgtap extension (its SQL is in the tree).
    PROVE_FLAGS= bash test/scripts/pgtap.sh >"$dir/pgtap.log" 2>&1
    local status=$? files
    files=$(sed -nE 's/^Files=([0-9]+).*/\1/p' "$dir/pgtap.log" | tail -1)
    ok=$(grep -cE '\.\. ok' "$dir/pgtap.log")
    if [ $status -eq 0 ] && [ -n "$files" ] && [ "$ok" -eq "$files" ]; then
        printf '    ok   pgTAP: %d files, %s assertions\n' "$ok" "$(sed -nE 's/.*Tests=([0-9]+).*/\1/p' "$dir/pgtap.log" | tail -1)"
        pass[pgtap]=$ok
    else
        grep -E '^not ok|^# |Failed' "$dir/pgtap.log" | head -20 | sed 's/^/    /'
        bad=$((${files:-0} - ok))
        pass[pgtap]=$ok
        fail[pgtap]=$((bad > 0 ? bad : 1))
        failures+=("pgTAP ($dir/pgtap.log)")
    fi

    local scripts_var=MAJOR_SCRIPTS_$major lanes_var=MAJOR_LANES_$major names=() result name log
    for t in ${!scripts_var:-${MAJOR_SCRIPTS:-$(default_scripts "$major")}}; do
        if [ -f "test/scripts/$t.sh" ]; then
            names+=("$t")
        else
            echo "    FAIL $t: no test/scripts/$t.sh"
            fail[scripts]=$((fail[scripts] + 1))
            failures+=("test/scripts/$t.sh does not exist")
        fi
    done
    major_script() { bash "test/scripts/$1.sh" >"$2" 2>&1; }
    major_cluster() { PGI_SYSTEM_PG_CONFIG=$pgc PGI_SOURCE=$src scripts/pg-cluster.sh start; }
    run_in_lanes "${!lanes_var:-$(default_lanes "$major")}" "$dir/scripts" major_cluster major_script "${names[@]}"
    while read -r result name log; do
        if [ "$result" = ok ]; then
            pass[scripts]=$((pass[scripts] + 1))
        else
            fail[scripts]=$((fail[scripts] + 1))
            failures+=("test/scripts/$name.sh ($log)")
        fi
    done <"$dir/scripts/lanes.results"
    finish
    [ ${#failures[@]} -eq 0 ]
}

pids=()
for major in "${MAJORS[@]}"; do
    (one_major "$major" 2>&1 | sed -u "s/^/[pg$major] /") &
    pids+=($!)
done
status=0
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
# A major whose process died before its result lines counts as failed.
exit $status
