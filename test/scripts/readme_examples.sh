#!/usr/bin/env bash
# The documentation as an executable specification: the ```sql blocks of
# README.md, then of docs/*.md (in file-name order), run in the order they
# appear against one fresh database with pg_intent installed, each block in
# its own psql session (as a user pasting it would), from the repository
# root (so the Quick start's \copy of data/ecommerce_es.csv works; the
# Quick start, which loads the demo data, is the first thing that runs).
# The test fails on any error, and on any WARNING, of any block, and on any
# difference between a block's documented output and what psql prints.
# It also checks the reference tables against the catalog: every signature
# written out in the docs, every function of the extension's schema named in
# docs/sql-reference.md, the session settings and the training policy's
# defaults.
#
# Documented output. A ```text block that follows a ```sql block (only
# blank lines and HTML comments between) is what psql prints for it: its
# standard output (psql -X -q, aligned, the "(N rows)" footers; NOTICEs go
# to stderr and are not part of it). They are compared line by line, after
# dropping trailing blanks and blank last lines, with three narrow rules:
#   - a run of spaces matches a run of spaces (psql pads columns to the
#     widest value), and a line of only - and + matches any such line (the
#     rule under a header, as wide as the columns);
#   - <uuid> matches one uuid;
#   - ... written as the single character U+2026 (an ellipsis) matches any
#     text within the line: for what changes from run to run (timestamps,
#     model versions, durations). Prefer leaving such columns out of the
#     example's SELECT; training is deterministic, so its figures may be shown
#     (rounded in the query, as the examples do).
# A ```sql block may show results in -- comments instead; those are not
# compared (keep them for output that cannot be shown whole).
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
# README_FILE checks another copy of the README (say, an older one);
# DOC_FILES replaces the list of files (README first; the checks that the
# whole documentation has enough blocks, outputs and signatures are then off).
README=${README_FILE:-README.md}
FULL=1
if [ -n "${DOC_FILES:-}" ]; then
    read -r -a FILES <<<"$DOC_FILES"
    FULL=0
else
    FILES=("$README")
    for f in docs/*.md; do [ -e "$f" ] && FILES+=("$f"); done
fi
MAX_SKIPS=8
# KEEP_DB=1 keeps the database for a look at the examples' results.
trap '[ -n "${KEEP_DB:-}" ] || drop_db $DB; stop_own_clusters; stop_extra_clusters' EXIT

# Splits each file into $TEST_TMP/block.NNN.sql, one per ```sql block (and
# block.NNN.expected when a ```text block follows it), numbered across the
# files, and writes one line per block to $TEST_TMP/blocks: number, file,
# line, directive (run, skip or defer), section heading.
extract_blocks() { # file
    awk -v dir="$TEST_TMP" -v src="$1" -v n="$(cat "$TEST_TMP/count" 2>/dev/null || echo 0)" '
        /^```/ && !infence {
            infence = 1
            if ($0 ~ /^```sql[ \t]*$/) {
                insql = 1; n++
                file = sprintf("%s/block.%03d.sql", dir, n)
                printf "" > file
                printf "%03d\t%s\t%d\t%s\t%s\n", n, src, NR, (directive == "" ? "run" : directive), section >> (dir "/blocks")
            } else if ($0 ~ /^```text[ \t]*$/ && after_sql) {
                inout = 1
                file = sprintf("%s/block.%03d.expected", dir, n)
                printf "" > file
            }
            directive = ""; after_sql = 0
            next
        }
        /^```/ && infence {
            infence = 0; if (insql || inout) close(file)
            after_sql = insql; insql = 0; inout = 0
            next
        }
        infence { if (insql || inout) print > file; next }
        /^#+ / { section = $0; sub(/^#+ /, "", section); directive = ""; after_sql = 0; next }
        /^<!-- readme-test: / {
            directive = $0
            sub(/^<!-- readme-test: /, "", directive); sub(/ *-->$/, "", directive)
            next
        }
        /^<!--/ || /^[ \t]*$/ { next }
        { directive = ""; after_sql = 0 }
        END { print n > (dir "/count") }
    ' "$1"
}
: >"$TEST_TMP/blocks"
for f in "${FILES[@]}"; do
    [ -f "$f" ] || { echo "FAILED: $f not found" >&2; exit 1; }
    extract_blocks "$f"
done
# The reference checks read every file as one text.
ALL_DOCS=$TEST_TMP/all_docs.md
cat "${FILES[@]}" >"$ALL_DOCS"
total=$(wc -l <"$TEST_TMP/blocks")
[ "$FULL" = 0 ] || [ "$total" -ge 15 ] || { echo "FAILED: only $total sql blocks found in ${FILES[*]}" >&2; exit 1; }
outputs=$(find "$TEST_TMP" -name 'block.*.expected' | wc -l)
[ "$FULL" = 0 ] || [ "$outputs" -ge 10 ] || { echo "FAILED: only $outputs documented outputs found in ${FILES[*]}" >&2; exit 1; }

# Every directive is known and says why.
bad=$(cut -f4 "$TEST_TMP/blocks" | grep -vE '^(run|(skip|defer) \(.+\))$' || true)
[ -z "$bad" ] || { echo "FAILED: unknown or unexplained readme-test directive: $bad" >&2; exit 1; }
skips=$(cut -f4 "$TEST_TMP/blocks" | grep -c '^skip' || true)
[ "$skips" -le "$MAX_SKIPS" ] || { echo "FAILED: $skips sql blocks skipped (at most $MAX_SKIPS)" >&2; exit 1; }

fresh_db $DB
# ------------------------------------------------------------ reference tables
# Checked first, while the database is as CREATE EXTENSION left it (the
# examples change the policy).
# Every signature the docs write out in backticks, name(p_... type ...),
# equals the catalog's arguments (PostgreSQL's spelling of types and
# defaults mapped to the docs': timestamptz, no casts on defaults), and
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
        }' "$ALL_DOCS" | sort -u
}
checked=0
while IFS=$'\t' read -r name args ret; do
    if ! grep -qxF -- "$args" <<<"$(catalog_sigs "$name" | cut -f1)"; then
        echo "FAILED: the docs document $name($args); the catalog has:" >&2
        catalog_sigs "$name" | cut -f1 | sed "s/^/    $name(/; s/\$/)/" >&2
        exit 1
    fi
    if [ -n "$ret" ] && ! grep -qxF -- "$args"$'\t'"$ret" <<<"$(catalog_sigs "$name")"; then
        echo "FAILED: the docs say $name($args) returns $ret; the catalog: $(catalog_sigs "$name" | grep -F -- "$args" | cut -f2)" >&2
        exit 1
    fi
    checked=$((checked + 1))
done < <(readme_sigs)
[ "$FULL" = 0 ] || [ "$checked" -ge 20 ] || { echo "FAILED: only $checked signatures found in the docs" >&2; exit 1; }
echo "ok: the $checked function signatures written out in the docs match the catalog"

# And the other way: every function, table and view of the extension that
# is not internal (_pg_intent_*) is named in README.md or docs/*.md.
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
    grep -qF -- "$obj" "$ALL_DOCS" || undocumented="$undocumented $obj"
done
[ "$FULL" = 0 ] || [ -z "$undocumented" ] || { echo "FAILED: not named in README.md or docs/*.md:$undocumented" >&2; exit 1; }
echo "ok: every function, table and view of the extension is named in README.md or docs/*.md"

# And the reference has every function of the contract (every one not
# internal: those granted to PUBLIC, to a grant_intent_access() set, or to
# nobody but the owner), each named there as `name(`, with its errors.
if [ "$FULL" = 1 ]; then
    unreferenced=""
    for fn in $(q $DB "SELECT DISTINCT p.proname FROM pg_proc p
                         JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
                         JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pg_intent'
                        WHERE p.pronamespace = e.extnamespace AND p.proname NOT LIKE '\_%'"); do
        grep -qF -- "\`$fn(" docs/sql-reference.md || unreferenced="$unreferenced $fn()"
    done
    [ -z "$unreferenced" ] || { echo "FAILED: not in docs/sql-reference.md:$unreferenced" >&2; exit 1; }
    echo "ok: every function of the extension's schema is in docs/sql-reference.md"
fi

# The training policy's defaults (the Settings table: | `column` | default |).
policy_defaults=$(sed -n '/^| column | default | meaning |/,/^$/p' "$ALL_DOCS" | sed -nE 's/^\| `([a-z0-9_]+)` \| `?([^`|]*)`? \|.*/\1=\2/p')
[ "$FULL" = 0 ] || [ "$(wc -l <<<"$policy_defaults")" -ge 9 ] || { echo "FAILED: no policy table in the docs" >&2; exit 1; }
while IFS='=' read -r col def; do
    [ -n "$col" ] || continue
    actual=$(q $DB "SELECT coalesce($col::text, 'NULL') FROM ai_training_policy")
    expect_eq "$actual" "${def%% (*}" "docs/settings.md: the policy's $col defaults to $def"
done <<<"$policy_defaults"

# The session settings (| `pg_intent.x` | default | ...).
while IFS='=' read -r name def; do
    actual=$(q $DB "SELECT current_setting('$name')")
    expect_eq "$actual" "$def" "docs/settings.md: $name defaults to $def"
done < <(sed -nE 's/^\| `(pg_intent\.[a-z0-9_]+)` \| ([^|]*[^ |]) *\|.*/\1=\2/p' "$ALL_DOCS" | sed 's/ kB$/kB/')

# ------------------------------------------------------------ the examples

# Compares documented output ($1) with psql's ($2) under the rules in the
# header; prints a diff and returns 1 on a difference.
same_output() {
    perl -CSD -e '
        use strict; use warnings;
        sub lines { my ($f) = @_; open(my $h, "<:encoding(UTF-8)", $f) or die "$f: $!";
                    my @l = map { s/\s+$//r } <$h>; pop @l while @l && $l[-1] eq ""; return @l }
        my @want = lines($ARGV[0]); my @got = lines($ARGV[1]);
        my $uuid = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
        my $bad = @want != @got;
        for my $i (0 .. ($#want < $#got ? $#want : $#got)) {
            my ($w, $g) = ($want[$i], $got[$i]);
            if ($w =~ /^[-+]+$/) { $bad ||= $g !~ /^[-+]+$/; next }
            my $re = join "", map {
                $_ eq "\x{2026}" ? ".*?" : $_ eq "<uuid>" ? $uuid : $_ =~ /^ +$/ ? " +" : quotemeta $_
            } split /(\x{2026}|<uuid>| +)/, $w;
            $bad ||= $g !~ /^$re$/;
        }
        exit($bad ? 1 : 0);
    ' "$1" "$2" && return 0
    diff -u -b --label documented --label psql "$1" "$2" | head -40 >&2
    return 1
}

# psql runs in a scratch directory that sees the repository's data/ (the
# Quick start's \copy), so files an example writes (\o report.html) stay
# out of the checkout.
ABS_TMP=$(cd "$TEST_TMP" && pwd)
WORK_DIR=$ABS_TMP/work
mkdir -p "$WORK_DIR"
ln -sfn "$PWD/data" "$WORK_DIR/data"
run_block() { # number file line directive section
    local out=$TEST_TMP/out.$1 err=$TEST_TMP/err.$1
    if ! (cd "$WORK_DIR" && psql -X -q -v ON_ERROR_STOP=1 -d $DB -f "$ABS_TMP/block.$1.sql") >"$out" 2>"$err"; then
        echo "FAILED: $2 line $3 ($5): the sql block fails:" >&2
        cat "$out" "$err" | grep -E '^(psql:|ERROR|DETAIL|HINT|LINE)' | head -20 >&2
        exit 1
    fi
    if grep -qE '^(psql:[^ ]*: )?(WARNING|warning):' "$out" "$err"; then
        echo "FAILED: $2 line $3 ($5): the sql block warns:" >&2
        grep -hEA2 '^(psql:[^ ]*: )?(WARNING|warning):' "$out" "$err" | head -20 >&2
        exit 1
    fi
    if [ -f "$TEST_TMP/block.$1.expected" ]; then
        if ! same_output "$TEST_TMP/block.$1.expected" "$out"; then
            echo "FAILED: $2 line $3 ($5): psql prints another output than the one documented (above)" >&2
            exit 1
        fi
        echo "ok: $2 line $3 ($5) runs and prints the documented output"
        compared=$((compared + 1))
    else
        echo "ok: $2 line $3 ($5) runs"
    fi
}
ran=0
compared=0
while IFS=$'\t' read -r n file line directive section; do
    case $directive in
    run)
        run_block "$n" "$file" "$line" "$directive" "$section"
        ran=$((ran + 1))
        ;;
    skip*) echo "skipped: $file line $line ($section): ${directive#skip }" ;;
    esac
done <"$TEST_TMP/blocks"
while IFS=$'\t' read -r n file line directive section; do
    case $directive in
    defer*)
        run_block "$n" "$file" "$line" "$directive" "$section"
        ran=$((ran + 1))
        ;;
    esac
done <"$TEST_TMP/blocks"
echo "ok: $ran of $total sql blocks ran ($skips skipped), $compared of them printed their documented output (${FILES[*]})"
