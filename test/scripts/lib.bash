# Shared helpers for the scripted tests. Expects the PG* variables of a
# running cluster (scripts/test.sh exports them; by hand:
# eval "$(scripts/pg-cluster.sh start)") and runs from the repository root.
set -euo pipefail
# Under pipefail, `producer | grep -q` is a race: grep exits at its first
# match, and a producer still writing then dies of SIGPIPE (status 141),
# failing the test although the text matched. Match on the whole output:
# grep -q PATTERN <<<"$(producer)".

# A private scratch directory for this test, removed when it exits.
TEST_TMP=$(mktemp -d "${RUN_DIR:-${TMPDIR:-/tmp}}/$(basename "$0" .sh).XXXXXX")
chmod 755 "$TEST_TMP"
trap 'rm -rf "$TEST_TMP"' EXIT

as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# Creates a fresh database $1 with pg_intent installed (extra CREATE DATABASE
# options in $2, e.g. "ENCODING LATIN1 TEMPLATE template0 LOCALE 'C'").
fresh_db() {
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" -c "CREATE DATABASE $1 ${2:-}" >/dev/null
    psql -X -q -d "$1" -c "SET client_min_messages = warning" -c "CREATE EXTENSION pg_intent" >/dev/null
}

drop_db() {
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" >/dev/null
}

# Loads the bundled Spanish training rows as interactions (table demo_rows
# keeps the CSV for later use).
load_ecommerce() {
    psql -X -q -v ON_ERROR_STOP=1 -d "$1" <<'SQL' >/dev/null
CREATE TABLE demo_rows (split text, text text, intent text);
\copy demo_rows FROM 'data/ecommerce_es.csv' WITH (FORMAT csv, HEADER true)
SELECT record_interaction(text, intent, 90) FROM demo_rows WHERE split = 'train';
SQL
}

# psql returning one unaligned value.
q() {
    local db=$1
    shift
    psql -X -At -v ON_ERROR_STOP=1 -d "$db" -c "$*"
}

# Session A: a long-lived psql on database $1 that answers each query sent
# with ask_a (its first line of output); end it with end_session_a.
start_session_a() {
    coproc SESSION_A { psql -X -At -q -d "$1" 2>&1; }
}
ask_a() {
    echo "$1" >&"${SESSION_A[1]}"
    local line
    IFS= read -r -t 60 line <&"${SESSION_A[0]}"
    echo "$line"
}
end_session_a() {
    echo '\q' >&"${SESSION_A[1]}"
    wait "$SESSION_A_PID" 2>/dev/null || true
}

expect_eq() {
    if [ "$1" != "$2" ]; then
        echo "FAILED: $3: expected '$2', got '$1'" >&2
        exit 1
    fi
    echo "ok: $3"
}

# A second server for this test (a standby, a differently configured
# cluster): data and socket in $TEST_TMP/$1, on a free port. Sets
# <NAME>_PORT and <NAME>_HOST. Stopped by stop_extra_cluster or at exit.
EXTRA_CLUSTERS=()
# A port no server listens on, below the kernel's ephemeral range (32768 and
# up by default): a port in that range may be the local end of an outgoing
# connection (Citus's between nodes), which no probe sees and on which the
# server's bind fails ("Address already in use").
free_port() {
    local p low=32768
    read -r low _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || true
    [ "$low" -gt 21024 ] || low=32768
    for _ in $(seq 1 200); do
        p=$((20000 + RANDOM % (low - 21000)))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && [ ! -e "$PGHOST/.s.PGSQL.$p" ]; then
            echo "$p"
            return 0
        fi
    done
    return 1
}
stop_extra_clusters() {
    local d
    for d in "${EXTRA_CLUSTERS[@]}"; do
        as_owner pg_ctl -D "$d/data" -m immediate -w stop >/dev/null 2>&1 || true
    done
    rm -rf "$TEST_TMP"
}
trap stop_extra_clusters EXIT

# A cluster of this test's own (scripts/pg-cluster.sh) in $TEST_TMP/$1,
# with the PG* variables pointed at it; settings such as PGI_SOURCE or
# PGI_PRELOAD come from the environment. Stopped when the test exits.
OWN_CLUSTERS=()
start_own_cluster() {
    local dir=$TEST_TMP/$1 env_out
    env_out=$(PGI_DIR=$dir scripts/pg-cluster.sh start) || return 1
    eval "$env_out"
    OWN_CLUSTERS+=("$dir")
}
stop_own_clusters() {
    local d
    for d in "${OWN_CLUSTERS[@]}"; do PGI_DIR=$d scripts/pg-cluster.sh stop >/dev/null 2>&1 || true; done
    OWN_CLUSTERS=()
}
trap 'stop_own_clusters; stop_extra_clusters' EXIT

# Concurrent sessions: a background psql fed through a FIFO.
#   session_open NAME DB [psql args...]   starts it (e.g. -U role)
#   session_send NAME SQL                 sends SQL without waiting
#   session_wait NAME                     waits until all sent SQL has run; prints its output
#   session_run NAME SQL                  send + wait
#   session_pid NAME                      its backend pid
#   session_close NAME
# Output is unaligned, tuples only; errors show as "ERROR:  ..." lines
# (and warnings as "WARNING:  ..."; NOTICEs are not shown).
declare -A SESSION_FD
session_open() {
    local name=$1 db=$2
    shift 2
    mkfifo "$TEST_TMP/session.$name.in"
    # Errors belong in the output (tests compare them); NOTICEs, such as
    # training progress, would only interleave with the rows.
    PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning" \
        psql -X -At -q -d "$db" "$@" <"$TEST_TMP/session.$name.in" >"$TEST_TMP/session.$name.out" 2>&1 &
    local fd
    exec {fd}>"$TEST_TMP/session.$name.in"
    SESSION_FD[$name]=$fd
}
session_send() {
    printf '%s\n' "$2" >&"${SESSION_FD[$1]}"
}
session_wait() {
    # Markers are unique per call (session_wait may run in a subshell, so no
    # state is kept between calls): the output is what lies between the
    # previous marker in the file and this one.
    local name=$1 file=$TEST_TMP/session.$1.out mark end start
    mark="__session_mark_${BASHPID}_${RANDOM}${RANDOM}__"
    printf '\\echo %s\n' "$mark" >&"${SESSION_FD[$name]}"
    for _ in $(seq 1 1200); do
        grep -q "^$mark\$" "$file" && break
        sleep 0.1
    done
    end=$(grep -n "^$mark\$" "$file" | cut -d: -f1)
    [ -n "$end" ] || { echo "session $name did not finish" >&2; return 1; }
    start=$(head -n "$((end - 1))" "$file" | grep -n '^__session_mark_[0-9_]*__$' | tail -1 | cut -d: -f1 || true)
    sed -n "$((${start:-0} + 1)),$((end - 1))p" "$file"
}
session_run() {
    session_send "$1" "$2"
    session_wait "$1"
}
session_pid() {
    session_run "$1" "SELECT pg_backend_pid();"
}
session_close() {
    printf '\\q\n' >&"${SESSION_FD[$1]}"
    exec {SESSION_FD[$1]}>&-
}
# Attaches gdb to backend $1 in the background (GDB_PID), with the commands
# in $TEST_TMP/gdb.cmds and its output in $TEST_TMP/gdb.out. The commands
# print "breakpoints set" once their breakpoints are in place; this returns
# then, and fails the test when gdb cannot attach (it needs ptrace).
gdb_attach() {
    chmod 644 "$TEST_TMP/gdb.cmds"
    # Emptied here, before gdb starts: the background job's own redirection
    # truncates the file only once its process runs, and a wait that read
    # the previous gdb's "breakpoints set" first stopped at once, then found
    # the file empty (retrain_crash.sh's second attach, in CI).
    : >"$TEST_TMP/gdb.out"
    as_owner gdb -q -batch -x "$TEST_TMP/gdb.cmds" -p "$1" >>"$TEST_TMP/gdb.out" 2>&1 &
    GDB_PID=$!
    # Waits while gdb runs (a loaded machine may take long to read the
    # symbols); a gdb that could not attach exits, which ends the wait.
    for _ in $(seq 1 3000); do
        grep -q "^breakpoints set" "$TEST_TMP/gdb.out" && break
        kill -0 "$GDB_PID" 2>/dev/null || break
        sleep 0.1
    done
    grep -q "^breakpoints set" "$TEST_TMP/gdb.out" ||
        { echo "FAILED: gdb could not attach to the backend (ptrace is needed):" >&2; cat "$TEST_TMP/gdb.out" >&2; exit 1; }
}
# Holds backend $1 at function $2 with gdb (gdb_attach), for a test to change
# something under it: gdb_hold_at PID FUNCTION returns once the breakpoint
# is set; gdb_wait_held waits until the backend stops there (and fails the
# test when it never does); gdb_release lets it go on and waits for gdb to
# detach (it detaches by itself after 60 s).
gdb_hold_at() {
    GDB_SYNC=$TEST_TMP/gdb_sync
    mkdir -p "$GDB_SYNC"
    chmod 777 "$GDB_SYNC"
    cat >"$TEST_TMP/gdb.cmds" <<GDB
set pagination off
handle SIGALRM nostop noprint pass
handle SIGINT nostop noprint pass
handle SIGUSR1 nostop noprint pass
break $2
echo breakpoints set\n
continue
shell touch $GDB_SYNC/paused
shell for i in \$(seq 1 600); do [ -e $GDB_SYNC/go ] && break; sleep 0.1; done
detach
GDB
    gdb_attach "$1"
}
gdb_wait_held() {
    for _ in $(seq 1 300); do [ -e "$GDB_SYNC/paused" ] && return 0; sleep 0.1; done
    echo "FAILED: the backend never stopped at its breakpoint:" >&2
    cat "$TEST_TMP/gdb.out" >&2
    exit 1
}
gdb_release() {
    touch "$GDB_SYNC/go"
    wait "$GDB_PID" || true
}
# Waits until backend $2 (in database $1) is blocked on a lock.
wait_until_waiting_on_lock() {
    for _ in $(seq 1 600); do
        [ "$(q "$1" "SELECT wait_event_type FROM pg_stat_activity WHERE pid = $2")" = Lock ] && return 0
        sleep 0.1
    done
    echo "backend $2 never waited on a lock" >&2
    return 1
}

# Prints the backend pid of the session named $1 (application_name) once
# its training is past reading the rows: inside the C++ trainer, where a
# test means to interrupt it. Reads ai_training_progress in database $2
# (default $DB), which shows the phase when pg_intent is preloaded (the
# clusters of scripts/pg-cluster.sh). Synchronises on the phase, not on a
# fixed sleep.
wait_until_training() { # application_name [database]
    local pid=
    for _ in $(seq 1 1200); do
        pid=$(q "${2:-$DB}" "SELECT p.pid FROM ai_training_progress p JOIN pg_stat_activity a USING (pid)
                     WHERE a.application_name = '$1' AND p.phase IS NOT NULL AND p.phase <> 'reading'")
        [ -n "$pid" ] && break
        sleep 0.05
    done
    [ -n "$pid" ] || { echo "FAILED: the training of $1 never got past reading its rows" >&2; return 1; }
    echo "$pid"
}

# Builds the library of a landed release from its commit in a directory of
# this test's own and prints that directory (start_own_cluster installs it
# with PGI_SOURCE). A shallow clone is deepened first. Built for the tests'
# time, not for speed: COPT="-g0 -O1", after pg_config's -g and the
# Makefile's -O3 (0.2.0 and later honour COPT for C++, 0.1.0 ignores it).
# -g0 leaves the instructions as they are (objdump -d -r of 0.3.1's core
# objects compared) and saves about a quarter of the compile time; -O1 halves
# what is left (0.3.1's training.cpp: 27 s at -O3, 15 s at -O1). What the
# upgrade tests check of a release's library is its SQL behaviour and the
# rows and models it leaves: no optimisation level changes a float result
# (the core builds with -ffp-contract=off, and GCC reassociates no float
# operation without -ffast-math), and upgrade_020.sh compares the release's
# predictions with this checkout's -O3 library bit for bit, so a level that
# did change one would fail that test, not hide anything.
# With PGI_RELEASE_CACHE set (a directory), a release built once is kept
# there, by its commit and the PostgreSQL it was built for (the majors' phase
# builds the same release for another server), and used again by the next
# test; a lock makes a second builder of the same one wait and take it.
build_release() { # version commit
    local version=$1 commit=$2 dir
    if [ -z "${PGI_RELEASE_CACHE:-}" ]; then
        dir=$TEST_TMP/release-$version
        build_release_into "$dir" "$version" "$commit" || return 1
        echo "$dir"
        return 0
    fi
    dir=$PGI_RELEASE_CACHE/release-$version-$commit-pg$("${PG_CONFIG:-pg_config}" --version | awk '{print $2}')
    (
        flock 9
        [ -e "$dir/.built" ] && exit 0
        rm -rf "$dir"
        build_release_into "$dir" "$version" "$commit" && touch "$dir/.built"
    ) 9>"$dir.lock" || return 1
    echo "$dir"
}
build_release_into() { # dir version commit
    local dir=$1 version=$2 commit=$3
    if ! git cat-file -e "$commit^{commit}" 2>/dev/null; then
        git fetch -q --unshallow 2>/dev/null || true
    fi
    git cat-file -e "$commit^{commit}" 2>/dev/null ||
        { echo "FAILED: commit $commit ($version) is not in this clone's history" >&2; return 1; }
    mkdir -p "$dir"
    git archive "$commit" | tar -x -C "$dir"
    make -C "$dir" -s -j"${JOBS:-2}" COPT="-g0 -O1" >"$dir.build.log" 2>&1 || { tail -20 "$dir.build.log" >&2; return 1; }
}

# Supabase's API roles as the platform creates them: anon and authenticated
# (NOINHERIT), service_role (BYPASSRLS), and authenticator, PostgREST's login,
# which switches to each (supabase.sh, supabase_rls_all.sh).
create_supabase_roles() {
    psql -X -q -v ON_ERROR_STOP=1 -d postgres <<'SQL'
CREATE ROLE anon NOLOGIN NOINHERIT;
CREATE ROLE authenticated NOLOGIN NOINHERIT;
CREATE ROLE service_role NOLOGIN NOINHERIT BYPASSRLS;
CREATE ROLE authenticator LOGIN NOINHERIT;
GRANT anon, authenticated, service_role TO authenticator;
SQL
}

# A database set up as Supabase's: USAGE on public for its three roles
# (create_supabase_roles), auth.jwt() and auth.uid() reading the claims
# PostgREST sets for a request, and its default privileges: ALL on the
# tables, functions and sequences postgres creates in public, the
# extension's included, which the documented recipe then narrows.
create_supabase_db() { # db
    psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $1" >/dev/null
    psql -X -q -v ON_ERROR_STOP=1 -d "$1" <<'SQL' >/dev/null
GRANT USAGE ON SCHEMA public TO anon, authenticated, service_role;
CREATE SCHEMA auth;
GRANT USAGE ON SCHEMA auth TO anon, authenticated, service_role;
CREATE FUNCTION auth.jwt() RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT coalesce(nullif(current_setting('request.jwt.claim', true), ''),
                    nullif(current_setting('request.jwt.claims', true), ''))::jsonb $$;
CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE AS $$
    SELECT coalesce(nullif(current_setting('request.jwt.claim.sub', true), ''),
                    nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')::uuid $$;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON TABLES TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON FUNCTIONS TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON SEQUENCES TO anon, authenticated, service_role;
SQL
}

# The SQL of the documented block NAME (between <!-- NAME:begin --> and
# <!-- NAME:end --> in the one file of README.md and docs/*.md that holds
# it, without its code fence): the Supabase recipe, the dashboard recipe.
doc_sql_block() { # name
    local files
    files=$(grep -l -- "<!-- $1:begin -->" README.md docs/*.md || true)
    [ "$(wc -w <<<"$files")" -eq 1 ] || { echo "FAILED: the block $1 should be in one file, found in: ${files:-none}" >&2; return 1; }
    sed -n "/<!-- $1:begin -->/,/<!-- $1:end -->/p" "$files" | sed '1,2d;$d' | sed '$d'
}

# The classifier "mirror": a view over ai_training_data's training rows
# (id, body, label, created_at), with the options given ($2, JSON): a named
# classifier whose rows are intent's, for tests that compare the two paths.
create_mirror_classifier() { # db options
    psql -X -q -v ON_ERROR_STOP=1 -d "$1" -v opts="$2" <<'SQL' >/dev/null
SET client_min_messages = warning;
CREATE VIEW mirror_rows AS
SELECT d.id, d.user_message AS body, d.training_label AS label, d.created_at
  FROM ai_training_data AS d WHERE d.training_label IS NOT NULL;
SELECT create_classifier('mirror', 'mirror_rows', 'body', 'label', :'opts');
SQL
}
