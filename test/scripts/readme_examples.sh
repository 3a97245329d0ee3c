#!/usr/bin/env bash
# README.md as an executable specification: its ```sql blocks run, in the
# order they appear, against one fresh database with pg_intent installed,
# each block in its own psql session (as a user pasting it would), from the
# repository root (so the Quick start's \copy of data/ecommerce_es.csv
# works). The test fails on any error, and on any WARNING, of any block.
# It also checks the README's reference tables against the catalog: every
# signature in the SQL reference, the session settings and the training
# policy's defaults.
#
# Convention for blocks that do not run as they are. An HTML comment just
# before the block's opening fence (only blank lines and other HTML
# comments may come between), with a reason:
#   <!-- readme-test: skip (reason) -->   the block is not run
#   <!-- readme-test: defer (reason) -->  the block runs after all others
#                                         (it needs the data later blocks load)
# Keep skips few (at most MAX_SKIPS): a block that needs a placeholder value
# should take it from an earlier statement (psql's \gset) instead.
# Deterministic: training is deterministic and no statement depends on the
# time of day (snapshots cut whole past periods).
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
DB=pgi_readme
# README_FILE checks another copy of the README (say, an older one).
README=${README_FILE:-README.md}
MAX_SKIPS=5
# KEEP_DB=1 keeps the database for a look at the examples' results.
trap '[ -n "${KEEP_DB:-}" ] || drop_db $DB; stop_own_clusters; stop_extra_clusters' EXIT

# Splits the README into $TEST_TMP/block.NNN.sql, one per ```sql block, and
# writes one line per block to $TEST_TMP/blocks: number, README line,
# directive (run, skip or defer), section heading.
extract_blocks() {
    awk -v dir="$TEST_TMP" '
        /^```/ && !infence {
            infence = 1
            if ($0 ~ /^```sql[ \t]*$/) {
                insql = 1; n++
                file = sprintf("%s/block.%03d.sql", dir, n)
                printf "" > file
                printf "%03d\t%d\t%s\t%s\n", n, NR, (directive == "" ? "run" : directive), section > (dir "/blocks")
            }
            directive = ""
            next
        }
        /^```/ && infence { infence = 0; if (insql) close(file); insql = 0; next }
        infence { if (insql) print > file; next }
        /^#+ / { section = $0; sub(/^#+ /, "", section); directive = ""; next }
        /^<!-- readme-test: / {
            directive = $0
            sub(/^<!-- readme-test: /, "", directive); sub(/ *-->$/, "", directive)
            next
        }
        /^<!--/ || /^[ \t]*$/ { next }
        { directive = "" }
    ' "$README"
}
extract_blocks
total=$(wc -l <"$TEST_TMP/blocks")
[ "$total" -ge 15 ] || { echo "FAILED: only $total sql blocks found in $README" >&2; exit 1; }

# Every directive is known and says why.
bad=$(cut -f3 "$TEST_TMP/blocks" | grep -vE '^(run|(skip|defer) \(.+\))$' || true)
[ -z "$bad" ] || { echo "FAILED: unknown or unexplained readme-test directive: $bad" >&2; exit 1; }
skips=$(cut -f3 "$TEST_TMP/blocks" | grep -c '^skip' || true)
[ "$skips" -le "$MAX_SKIPS" ] || { echo "FAILED: $skips README blocks skipped (at most $MAX_SKIPS)" >&2; exit 1; }

fresh_db $DB

# ------------------------------------------------------------ reference tables
# Checked first, while the database is as CREATE EXTENSION left it (the
# examples change the policy).
# Every signature the README writes out in backticks, name(p_... type ...),
# equals the catalog's arguments (PostgreSQL's spelling of types and
# defaults mapped to the README's: timestamptz, no casts on defaults), and
# its return type, where it gives one (`... RETURNS type`, or a reference
# table's next cell when that is a plain type), equals the catalog's.
catalog_sigs() {
    q $DB "SELECT regexp_replace(regexp_replace(regexp_replace(regexp_replace(pg_get_function_arguments(p.oid),
                  '(^|, )OUT [^,]+', '', 'g'), '^, ', ''),
                  '::[a-z ]+(\[\])?', '', 'g'), 'timestamp with time zone', 'timestamptz', 'g')
                  || E'\t' || pg_get_function_result(p.oid)
           FROM pg_proc p
           JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
           JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pg_intent'
           WHERE p.proname = '$1'"
}
readme_sigs() {
    perl -0777 -ne '
        while (/`([a-z_]+)\((p_[a-z_]+\s[^`]*?)\)(?:\s+RETURNS\s+([^`]+))?`(?: \| `([a-z0-9]+(?: [a-z]+)?)` \|)?/g) {
            my ($name, $args, $ret) = ($1, $2, $3 // $4 // "");
            next if $args =~ /\x{2026}|\xe2\x80\xa6/;
            s/\s+/ /g for $args, $ret;
            print "$name\t$args\t$ret\n";
        }' "$README" | sort -u
}
checked=0
while IFS=$'\t' read -r name args ret; do
    if ! catalog_sigs "$name" | cut -f1 | grep -qxF -- "$args"; then
        echo "FAILED: $README documents $name($args); the catalog has:" >&2
        catalog_sigs "$name" | cut -f1 | sed "s/^/    $name(/; s/\$/)/" >&2
        exit 1
    fi
    if [ -n "$ret" ] && ! catalog_sigs "$name" | grep -qxF -- "$args"$'\t'"$ret"; then
        echo "FAILED: $README says $name($args) returns $ret; the catalog: $(catalog_sigs "$name" | grep -F -- "$args" | cut -f2)" >&2
        exit 1
    fi
    checked=$((checked + 1))
done < <(readme_sigs)
[ "$checked" -ge 20 ] || { echo "FAILED: only $checked signatures found in $README" >&2; exit 1; }
echo "ok: the $checked function signatures written out in $README match the catalog"

# And the other way: every function, table and view of the extension that
# is not internal (_pg_intent_*) is named in the README.
undocumented=""
for obj in $(q $DB "SELECT DISTINCT p.proname || '(' FROM pg_proc p
                      JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
                      JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pg_intent'
                     WHERE p.proname NOT LIKE '\_%'
                    UNION
                    SELECT c.relname FROM pg_class c
                      JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
                      JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pg_intent'
                     WHERE c.relkind IN ('r', 'v')"); do
    grep -qF -- "$obj" "$README" || undocumented="$undocumented $obj"
done
[ -z "$undocumented" ] || { echo "FAILED: not named in $README:$undocumented" >&2; exit 1; }
echo "ok: every function, table and view of the extension is named in $README"

# The training policy's defaults (the Settings table: | `column` | default |).
policy_defaults=$(sed -n '/^| column | default | meaning |/,/^$/p' "$README" | sed -nE 's/^\| `([a-z0-9_]+)` \| `?([^`|]*)`? \|.*/\1=\2/p')
[ "$(wc -l <<<"$policy_defaults")" -ge 9 ] || { echo "FAILED: no policy table in $README" >&2; exit 1; }
while IFS='=' read -r col def; do
    actual=$(q $DB "SELECT coalesce($col::text, 'NULL') FROM ai_training_policy")
    expect_eq "$actual" "${def%% (*}" "README: the policy's $col defaults to $def"
done <<<"$policy_defaults"

# The session settings (| `pg_intent.x` | default | ...).
while IFS='=' read -r name def; do
    actual=$(q $DB "SELECT current_setting('$name')")
    expect_eq "$actual" "$def" "README: $name defaults to $def"
done < <(sed -nE 's/^\| `(pg_intent\.[a-z0-9_]+)` \| ([^|]*[^ |]) *\|.*/\1=\2/p' "$README" | sed 's/ kB$/kB/')

# ------------------------------------------------------------ the examples

run_block() { # number line directive section
    local out=$TEST_TMP/out.$1
    if ! psql -X -q -v ON_ERROR_STOP=1 -d $DB -f "$TEST_TMP/block.$1.sql" >"$out" 2>&1; then
        echo "FAILED: $README line $2 ($4): the sql block fails:" >&2
        grep -E '^(psql:|ERROR|DETAIL|HINT|LINE)' "$out" | head -20 >&2
        exit 1
    fi
    if grep -qE '^(psql:[^ ]*: )?(WARNING|warning):' "$out"; then
        echo "FAILED: $README line $2 ($4): the sql block warns:" >&2
        grep -EA2 '^(psql:[^ ]*: )?(WARNING|warning):' "$out" | head -20 >&2
        exit 1
    fi
    echo "ok: $README line $2 ($4) runs"
}
ran=0
while IFS=$'\t' read -r n line directive section; do
    case $directive in
    run)
        run_block "$n" "$line" "$directive" "$section"
        ran=$((ran + 1))
        ;;
    skip*) echo "skipped: $README line $line ($section): ${directive#skip }" ;;
    esac
done <"$TEST_TMP/blocks"
while IFS=$'\t' read -r n line directive section; do
    case $directive in
    defer*)
        run_block "$n" "$line" "$directive" "$section"
        ran=$((ran + 1))
        ;;
    esac
done <"$TEST_TMP/blocks"
echo "ok: $ran of $total README sql blocks ran ($skips skipped)"

