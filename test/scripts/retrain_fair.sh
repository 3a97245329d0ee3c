#!/usr/bin/env bash
# retrain_classifiers() and a classifier whose attempt never ends within the
# job's statement_timeout (a huge or slow source): the timeout is not caught
# per classifier, it ends the call and rolls everything back. The attempt is
# recorded as interrupted anyway (a sequence, which the rollback does not
# undo), so the next call backs off from it and the other classifiers train.
# Before, no back-off survived the rollback: a_slow, first by name, ended
# every call, and b_ok was never retrained.
#  a. a_slow (its source view sleeps) and b_ok, both never trained;
#  b. the first call under statement_timeout: a_slow's attempt times out
#     (57014), nothing is kept;
#  c. the second call trains b_ok and reports a_slow backing off from the
#     interrupted attempt (sqlstate 57014 in ai_classifier_retrain_failures),
#     without counting its source;
#  d. two slow classifiers (a_slow, c_slow): a call that recorded an
#     interrupted attempt and is interrupted in turn loses that record with
#     its rollback; the next call then records the new one and trains
#     nothing, so that both back off and b_ok trains again.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
DB=pgi_retrain_fair
fresh_db $DB
load_ecommerce $DB
trap 'drop_db $DB; stop_own_clusters; stop_extra_clusters' EXIT
psql -X -q -v ON_ERROR_STOP=1 -d $DB <<'SQL' >/dev/null
CREATE TABLE b_rows AS SELECT row_number() OVER () AS id, text AS body, intent AS label FROM demo_rows WHERE split = 'train';
CREATE TABLE slow_rows AS SELECT * FROM b_rows;
-- A source whose every read takes 30 s: the sleep is an initplan, run once
-- per statement.
CREATE FUNCTION slow_gate() RETURNS boolean LANGUAGE sql AS 'SELECT pg_sleep(30) IS NOT NULL';
CREATE VIEW a_src AS SELECT s.* FROM slow_rows AS s WHERE (SELECT slow_gate());
CREATE VIEW c_src AS SELECT s.* FROM slow_rows AS s WHERE (SELECT slow_gate());
SELECT create_classifier('a_slow', 'a_src', 'body', 'label', '{"seed": 1}') IS NOT NULL;
SELECT create_classifier('b_ok', 'b_rows', 'body', 'label', '{"seed": 1}') IS NOT NULL;
SQL
TIMEOUT=${RETRAIN_FAIR_TIMEOUT:-4s}
call() {
    PGOPTIONS="-c client_min_messages=warning -c statement_timeout=$TIMEOUT" \
        psql -X -At -q -d $DB -c "SELECT retrain_classifiers()" 2>&1 || true
}
entry() { # classifier, fields of its entry in the result $result
    q $DB "SELECT $2 FROM jsonb_array_elements('$result'::jsonb -> 'classifiers') AS e WHERE e ->> 'classifier' = '$1'"
}

# b. a_slow's attempt times out: the call fails as a whole.
result=$(call)
expect_eq "$(grep -c 'canceling statement due to statement timeout' <<<"$result")" 1 \
    "the first call is ended by statement_timeout on a_slow ($result)"
expect_eq "$(q $DB "SELECT count(*) FROM ai_training_runs WHERE classifier = 'b_ok'")" 0 "nothing of it is kept"

# c. The next call backs off from the interrupted attempt and trains b_ok.
result=$(call)
expect_eq "$(entry b_ok "e ->> 'retrained', e -> 'result' ->> 'status'")" "true|completed" \
    "the second call trains b_ok ($result)"
expect_eq "$(entry a_slow "e ->> 'retrained', e ->> 'reason', e ? 'failed_at', e ? 'retry_after', e ? 'new_rows'")" \
    "false|backing off after a failed run|t|t|f" "a_slow backs off, its source not counted"
expect_eq "$(q $DB "SELECT sqlstate, rows_counted IS NULL, error LIKE '%interrupted%',
                           failed_at BETWEEN now() - interval '2 minutes' AND now()
                      FROM ai_classifier_retrain_failures WHERE classifier = 'a_slow'")" "57014|t|t|t" \
    "the interrupted attempt is a failed one, from its start"
expect_eq "$(q $DB "SELECT count(*) FROM ai_classifier_retrain_failures WHERE classifier <> 'a_slow'")" 0 \
    "only a_slow failed"
result=$(call)
expect_eq "$(entry a_slow "e ->> 'reason'")" "backing off after a failed run" \
    "a later call still backs off from a_slow ($result)"
expect_eq "$(entry b_ok "e ->> 'retrained', e ->> 'reason'")" "false|not enough new rows since the last training" "and b_ok is not due"

# d. Two slow classifiers, none backing off: each call is interrupted by one.
psql -X -q -v ON_ERROR_STOP=1 -d $DB <<'SQL' >/dev/null
DELETE FROM ai_classifier_retrain_failures;
INSERT INTO b_rows SELECT id + 100000, body, label FROM b_rows;
SELECT create_classifier('c_slow', 'c_src', 'body', 'label', '{"seed": 1}') IS NOT NULL;
SQL
runs_before=$(q $DB "SELECT count(*) FROM ai_training_runs WHERE classifier = 'b_ok'")
trained=no
for i in 1 2 3 4 5 6; do
    result=$(call)
    if grep -q '^{' <<<"$result" && [ "$(entry b_ok "e ->> 'retrained'")" = true ]; then
        trained=$i
        break
    fi
done
expect_eq "$(q $DB "SELECT count(*) - $runs_before FROM ai_training_runs WHERE classifier = 'b_ok' AND status = 'completed'")|$([ "$trained" != no ] && echo yes)" \
    "1|yes" "with two slow classifiers b_ok trains again (at call $trained)"
expect_eq "$(q $DB "SELECT string_agg(classifier || ':' || sqlstate, ' ' ORDER BY classifier) FROM ai_classifier_retrain_failures")" \
    "a_slow:57014 c_slow:57014" "both slow classifiers back off"

# e. Calls further apart than retry_failed_after (a daily job and the default
#    1 hour; here 1 second, and each call outlasts it): an interrupted
#    classifier's back-off has always run out by the next call. It is tried
#    only as a call's first attempt, one per call, and not by the call that
#    records its interruption, so b_ok, due before every call, trains on
#    every other call, and each slow classifier is still retried. Before,
#    the slow ones were tried after b_ok, and their timeouts rolled back its
#    training in every call.
psql -X -q -v ON_ERROR_STOP=1 -d $DB <<'SQL' >/dev/null
UPDATE ai_training_policy SET retry_failed_after = '1 second';
SQL
# failed_at is the attempt's start rounded up to the millisecond (the
# attempt marker's), so never before this instant: compared exactly (cut to
# the second, it also passed for a failure recorded up to a second before).
e_start=$(q $DB "SELECT clock_timestamp()")
runs_before=$(q $DB "SELECT count(*) FROM ai_training_runs WHERE classifier = 'b_ok' AND status = 'completed'")
calls=()
second={}
for i in 1 2 3 4; do
    q $DB "INSERT INTO b_rows SELECT id + $i * 10000000, body, label FROM b_rows WHERE id < 10000000 ORDER BY id LIMIT 150" >/dev/null
    result=$(call)
    if grep -q '^{' <<<"$result"; then
        calls+=("$i:$(entry b_ok "e ->> 'retrained'")")
        [ $i = 2 ] && second=$result
    else
        calls+=("$i:timeout")
    fi
done
result=$second
expect_eq "${calls[*]}" "1:timeout 2:true 3:timeout 4:true" \
    "b_ok trains on every other call, each slow classifier tried first in the others"
expect_eq "$(q $DB "SELECT count(*) - $runs_before FROM ai_training_runs WHERE classifier = 'b_ok' AND status = 'completed'")" 2 \
    "both of b_ok's trainings are kept"
expect_eq "$(q $DB "SELECT string_agg(classifier || ':' || sqlstate || ':' || (failed_at >= '$e_start'), ' ' ORDER BY classifier)
                      FROM ai_classifier_retrain_failures")" "a_slow:57014:true c_slow:57014:true" \
    "both slow classifiers were retried, and back off again"
for c in a_slow c_slow; do
    expect_eq "$(entry $c "e ->> 'retrained', e ? 'failed_at', e ? 'new_rows', e ->> 'reason'")" \
        "false|t|f|not tried: its last attempt was interrupted; it is tried first in a later call" \
        "the call that records an interruption tries no interrupted classifier: $c ($result)"
done
psql -X -q -v ON_ERROR_STOP=1 -d $DB -c "UPDATE ai_training_policy SET retry_failed_after = DEFAULT" >/dev/null
