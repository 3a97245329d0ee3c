#!/usr/bin/env bash
# Issue 33, point 2: one train_classifier() call runs under one policy, the
# one it read when it began. Before, the fallback's run and each partition's
# read the effective policy again, each in a statement of its own, so an
# administrator's UPDATE of ai_training_policy committed while the source
# was being read applied to every run of the call, and one committed
# between two runs would have split the call between two policies.
#
#  a. the classifier's source waits, while it is read, on an advisory lock
#     the administrator's session holds (the test's synchronisation: no
#     sleep);
#  b. meanwhile the administrator commits max_intents = 500 and releases
#     the lock;
#  c. every run of the call records the limits it ran under
#     (metrics.limits): max_intents 1000, the policy at the call's start;
#  d. the next call runs under 500.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
DB=pgi_classifier_policy_once
fresh_db $DB
load_ecommerce $DB
trap 'drop_db $DB; rm -rf "$TEST_TMP"' EXIT
psql -X -q -v ON_ERROR_STOP=1 -d $DB <<'SQL' >/dev/null
CREATE TABLE shop_rows AS
SELECT row_number() OVER (ORDER BY text, intent) AS id, text AS body, intent AS label,
       CASE WHEN row_number() OVER (ORDER BY text, intent) % 2 = 0 THEN 'north' ELSE 'south' END AS shop
  FROM demo_rows WHERE split = 'train';
-- Waits for the administrator's session: the source's code runs as the
-- classifier's owner while train_classifier() reads it.
CREATE FUNCTION public.wait_for_admin() RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_catalog.pg_advisory_xact_lock_shared(4242);
    RETURN true;
END
$$;
CREATE VIEW gated_rows AS SELECT s.* FROM shop_rows AS s WHERE (SELECT public.wait_for_admin());
SELECT create_classifier('shops', 'gated_rows', 'body', 'label',
                         '{"key_column": "id", "partition_column": "shop", "min_partition_rows": 20, "seed": 1}') IS NOT NULL;
SQL

session_open admin $DB
session_open trainer $DB
trainer_pid=$(session_pid trainer)
session_run admin "SELECT pg_advisory_lock(4242);" >/dev/null

# a. The trainer reads the source and waits there.
session_send trainer "SELECT r ->> 'status', jsonb_array_length(r -> 'partitions') FROM train_classifier('shops', 'during', '{}') AS r;"
wait_until_waiting_on_lock $DB "$trainer_pid"

# b. The administrator changes the policy, commits, and lets the read go on.
session_run admin "UPDATE ai_training_policy SET max_intents = 500; SELECT pg_advisory_unlock(4242);" >/dev/null
expect_eq "$(session_wait trainer)" "completed|2" "the call trained the fallback and both shops"

# c. Every run of the call ran under the policy it began with.
expect_eq "$(q $DB "SELECT string_agg(coalesce(r.partition_key, '(fallback)') || '=' || (r.metrics #>> '{limits,max_intents}'),
                                   ',' ORDER BY r.partition_key NULLS FIRST)
                      FROM ai_training_runs AS r WHERE r.run_name = 'during'")" \
    "(fallback)=1000,north=1000,south=1000" \
    "every run of the call records max_intents 1000, the policy when the call began"

# d. The next call reads the policy as it is then.
PGOPTIONS="-c client_min_messages=warning" q $DB "SELECT train_classifier('shops', 'after', '{}') IS NOT NULL" >/dev/null
expect_eq "$(q $DB "SELECT string_agg(DISTINCT r.metrics #>> '{limits,max_intents}', ',')
                      FROM ai_training_runs AS r WHERE r.run_name = 'after'")" \
    "500" "the next call runs under max_intents 500"
session_close admin
session_close trainer
