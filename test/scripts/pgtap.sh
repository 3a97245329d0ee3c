#!/usr/bin/env bash
# The pgTAP contract (test/pgtap/*.sql) against a fresh install. The upgrade
# test runs the same files against an upgraded database.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
DB=pgi_tap
fresh_db $DB
psql -X -q -d $DB -c "CREATE EXTENSION pgtap" >/dev/null
pg_prove ${PROVE_FLAGS:-} -d $DB test/pgtap/*.sql
status=$?
drop_db $DB
exit $status
