# Shared helpers for the scripted tests. Expects PGHOST/PGPORT/PGUSER of a
# running cluster (scripts/test.sh exports them) and runs from the repo root.
set -euo pipefail

# Creates a fresh database $1 with pg_intent installed.
fresh_db() {
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" -c "CREATE DATABASE $1" >/dev/null
    psql -X -q -d "$1" -c "SET client_min_messages = warning" -c "CREATE EXTENSION pg_intent" >/dev/null
}

# Loads the bundled Spanish training rows as reviewed interactions.
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

expect_eq() {
    if [ "$1" != "$2" ]; then
        echo "FAILED: $3: expected '$2', got '$1'" >&2
        exit 1
    fi
    echo "ok: $3"
}
