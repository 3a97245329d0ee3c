#!/usr/bin/env bash
# docs/operations.md's pg_cron note (issue 36), on a server with a Unix
# socket only (listen_addresses = '', as every cluster of these tests) and
# pg_cron running jobs through connections (cron.use_background_workers =
# off, its default; the other tests turn it on):
#   1. with cron.host at its default (localhost, TCP) a job fails;
#   2. cron.job.nodename is what cron.host was when the job was scheduled:
#      after cron.host names the socket directory (and a restart), a job
#      scheduled again runs, and the one scheduled before still fails.
# pg_cron 1.4 takes cron syntax only: each step waits for the next minute's
# run (up to about two minutes); nothing asserts a duration.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
[ -f "$(pg_config --pkglibdir)/pg_cron.so" ] ||
    { echo "FAILED: pg_cron is not installed (scripts/install-deps.sh test installs postgresql-15-cron)" >&2; exit 1; }
PGI_PRELOAD=pg_cron,pg_intent PGI_CONF="cron.use_background_workers = off" start_own_cluster cron
DB=contrib_regression
socket=$PGHOST
q $DB "CREATE EXTENSION pg_cron" >/dev/null

# Waits until job $1 has a finished run numbered above $2; prints its
# status and message. (By run id: a run whose connection failed has no
# start_time.)
last_run() { q $DB "SELECT coalesce(max(runid), 0) FROM cron.job_run_details"; }
wait_run() { # jobid runid
    local r
    for _ in $(seq 1 180); do
        r=$(q $DB "SELECT status || ': ' || coalesce(return_message, '') FROM cron.job_run_details
                    WHERE jobid = $1 AND runid > $2 AND status IN ('succeeded', 'failed')
                    ORDER BY runid DESC LIMIT 1")
        [ -n "$r" ] && { echo "$r"; return 0; }
        sleep 1
    done
    echo "no run"
}

t0=$(last_run)
old=$(q $DB "SELECT cron.schedule('before', '* * * * *', 'SELECT 1')")
expect_eq "$(q $DB "SELECT nodename FROM cron.job WHERE jobid = $old")" localhost "a job scheduled under the default cron.host connects to localhost"
r=$(wait_run "$old" "$t0")
[[ $r == failed:* ]] || { echo "FAILED: on a socket-only server a job to localhost should fail; it ran: $r" >&2; exit 1; }
echo "ok: with cron.host = localhost on a socket-only server the job fails ($r)"

# cron.host names the socket directory (a postmaster setting: restart).
echo "cron.host = '$socket'" >>"$PGI_DIR/data/postgresql.conf"
as_owner pg_ctl -D "$PGI_DIR/data" -w -t 60 restart >/dev/null
expect_eq "$(q $DB "SHOW cron.host")" "$socket" "cron.host names the socket directory after the restart"
t1=$(last_run)
new=$(q $DB "SELECT cron.schedule('after', '* * * * *', 'SELECT 1')")
expect_eq "$(q $DB "SELECT nodename FROM cron.job WHERE jobid = $new")" "$socket" "a job scheduled now records the socket directory"
expect_eq "$(q $DB "SELECT nodename FROM cron.job WHERE jobid = $old")" localhost "the job scheduled before keeps localhost"
r=$(wait_run "$new" "$t1")
[[ $r == succeeded:* ]] || { echo "FAILED: the job scheduled after cron.host was set should run: $r" >&2; exit 1; }
echo "ok: the job scheduled after cron.host was set runs ($r)"
r=$(wait_run "$old" "$t1")
[[ $r == failed:* ]] || { echo "FAILED: the job scheduled before should still fail: $r" >&2; exit 1; }
echo "ok: the job scheduled before still fails ($r)"
