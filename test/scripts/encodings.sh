#!/usr/bin/env bash
# Security issue item 4: databases whose encoding is not UTF-8. The same
# rows (Spanish, accented, with an accented intent name) are loaded into a
# UTF8, a LATIN1 and a SQL_ASCII database; each trains with the same options
# and classifies messages read from a table. 0.1.0 read past the end of
# unconverted messages (SQL_ASCII: 22021 on plain 'hola'; LATIN1: an empty
# message classified as the neighbouring column's text), trained on
# unconverted LATIN1 bytes (any accented text failed the run) and stored an
# accented label that no model load could read back (every prediction then
# failed with XX001).
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
trap 'for d in pgi_enc_utf8 pgi_enc_latin1 pgi_enc_ascii pgi_enc_eucjp pgi_enc_win1252; do drop_db $d; done; stop_own_clusters; stop_extra_clusters' EXIT

setup() { # db create-options client-encoding
    fresh_db "$1" "$2"
    PGCLIENTENCODING=$3 psql -X -q -v ON_ERROR_STOP=1 -d "$1" <<'SQL' >/dev/null
CREATE TABLE demo_rows (split text, text text, intent text);
\copy demo_rows FROM 'data/ecommerce_es.csv' WITH (FORMAT csv, HEADER true)
-- an intent whose name has an accent
UPDATE demo_rows SET intent = 'devolución' WHERE intent = 'return_process';
SELECT record_interaction(text, intent, 90) FROM demo_rows WHERE split = 'train';
-- messages read from a table: short, empty, ASCII only, accented, and
-- next to a longer neighbouring value in the same row
CREATE TABLE inbox (id int, message text, neighbour text);
INSERT INTO inbox VALUES (1, 'hola', 'quiero devolver un producto que compré'),
                         (2, '', 'mi pedido no ha llegado todavía'),
                         (3, 'quiero devolver las zapatillas', 'x'),
                         (4, '¿Dónde está mi envío? ¡Ya pasó una semana!', 'señor'),
                         (5, 'cancelar el pedido', repeat('ñ', 100));
SQL
}
setup pgi_enc_utf8 "" UTF8
setup pgi_enc_latin1 "ENCODING LATIN1 TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C'" UTF8
setup pgi_enc_ascii "ENCODING SQL_ASCII TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C'" SQL_ASCII
expect_eq "$(q pgi_enc_latin1 "SELECT pg_encoding_to_char(encoding) FROM pg_database WHERE datname = current_database()")" LATIN1 "LATIN1 database"
expect_eq "$(q pgi_enc_ascii "SELECT pg_encoding_to_char(encoding) FROM pg_database WHERE datname = current_database()")" SQL_ASCII "SQL_ASCII database"

# What each database says, as UTF-8 for comparison.
predictions() { # db client-encoding
    PGCLIENTENCODING=$2 psql -X -At -v ON_ERROR_STOP=1 -d "$1" -c \
        "SELECT i.id, p.predicted_intent, p.confidence, p.uncertain, classify_intent(i.message)
           FROM inbox i, LATERAL predict_intent(i.message) p ORDER BY i.id"
}
for db in pgi_enc_utf8 pgi_enc_latin1 pgi_enc_ascii; do
    enc=UTF8
    [ $db = pgi_enc_ascii ] && enc=SQL_ASCII
    result=$(PGCLIENTENCODING=$enc q $db "SELECT train_intent_model('enc', 'full', '{\"seed\": 5}') ->> 'status'")
    expect_eq "$result" completed "$db: training on accented texts and an accented intent completes"
    expect_eq "$(PGCLIENTENCODING=$enc q $db "SELECT (intent_model_info(model) -> 'intents') ? 'devolución' FROM ai_intent_models WHERE is_active")" t \
        "$db: the stored model loads and holds the accented intent"
    predictions $db $enc >"$TEST_TMP/pred.$db"
done
for db in pgi_enc_latin1 pgi_enc_ascii; do
    if ! diff -u "$TEST_TMP/pred.pgi_enc_utf8" "$TEST_TMP/pred.$db"; then
        echo "FAILED: $db predicts differently from the UTF8 database (- UTF8, + $db)" >&2
        exit 1
    fi
    echo "ok: $db gives exactly the UTF8 database's predictions on messages read from a table"
done
expect_eq "$(PGCLIENTENCODING=UTF8 q pgi_enc_latin1 "SELECT predicted_intent FROM predict_intent('quiero devolver el abrigo')")" "devolución" \
    "the accented intent comes back in the database's encoding"
# A partitioned classifier weighs each shop's first model against the
# fallback on the shop's rows, by label: the labels the models answer with
# (UTF-8). The comparison read a LATIN1 row's label in the database's
# encoding, so 'devolución' never matched an answer there and both models
# scored 0 on its rows; the figures must be the UTF8 database's.
# The shops' names and the row keys are accented too. In LATIN1 the call
# took the partition values read for UTF-8: 'tienda_ñ' failed the whole call
# (22021), and 'shopÃ©', whose LATIN1 bytes happen to be UTF-8, became
# 'shopé', a partition without rows; an accented key failed every run
# (22P05) once the report named it.
for db in pgi_enc_utf8 pgi_enc_latin1; do
    PGCLIENTENCODING=UTF8 psql -X -q -v ON_ERROR_STOP=1 -d $db <<'SQL' >/dev/null
SET client_min_messages = warning;
CREATE TABLE shop_rows AS
SELECT 'clave_ñ_' || n AS ref, text, intent,
       CASE n % 3 WHEN 0 THEN 'tienda_ñ' WHEN 1 THEN 'tiendaé' ELSE 'shopÃ©' END AS shop
  FROM (SELECT row_number() OVER (ORDER BY text, intent) AS n, text, intent FROM demo_rows WHERE split = 'train') AS r;
SELECT create_classifier('shops', 'shop_rows', 'text', 'intent',
                         '{"key_column": "ref", "partition_column": "shop", "min_partition_rows": 20, "seed": 5}');
SELECT train_classifier('shops');
SQL
    PGCLIENTENCODING=UTF8 q $db "SELECT partition_key, status, metrics #> '{fallback_comparison,candidate}', metrics #> '{fallback_comparison,fallback}',
                                        metrics #> '{fallback_comparison,row_keys}', metrics #> '{metrics,misclassified}'
                                   FROM ai_training_runs WHERE classifier = 'shops' ORDER BY 1 NULLS FIRST" >"$TEST_TMP/cmp.$db"
done
expect_eq "$(grep -c '"accuracy"' "$TEST_TMP/cmp.pgi_enc_utf8")" 3 "UTF8: the three shops' first models were compared with the fallback"
expect_eq "$(PGCLIENTENCODING=UTF8 q pgi_enc_latin1 "SELECT string_agg(coalesce(partition_key, '-') || ':' || status, ' ' ORDER BY partition_key NULLS FIRST)
                                                    FROM ai_training_runs WHERE classifier = 'shops'")" \
    "-:completed shopÃ©:completed tienda_ñ:completed tiendaé:completed" "LATIN1: accented shops and keys train, under their own names"
expect_eq "$(cat "$TEST_TMP/cmp.pgi_enc_latin1")" "$(cat "$TEST_TMP/cmp.pgi_enc_utf8")" \
    "LATIN1: the shops' comparison with the fallback is the UTF8 database's (an accented label compared as the models know it)"
# Bytes that are not UTF-8 in a SQL_ASCII database get a clear error.
expect_eq "$(psql -X -At -d pgi_enc_ascii -v VERBOSITY=sqlstate -c "SELECT classify_intent(convert_from('\\xe9'::bytea, 'SQL_ASCII'))" 2>&1 | tr -d '\n')" \
    "ERROR:  22021" "invalid UTF-8 in a SQL_ASCII database is 22021"
# An error that quotes such bytes keeps its own SQLSTATE: the bytes become
# '?' in the message. Before, quoting them failed the message with 22021.
expect_eq "$(psql -X -At -d pgi_enc_ascii -v VERBOSITY=sqlstate \
                 -c "SELECT record_interaction('hola', 'greeting', 5, p_source => convert_from('\\x66ff'::bytea, 'SQL_ASCII'))" 2>&1 | tr -d '\n')" \
    "ERROR:  22023" "SQL_ASCII: a bad p_source holding bytes that are not UTF-8 is still 22023"
expect_eq "$(q pgi_enc_ascii "SELECT intent_output_error('got %s', convert_from('\\x66ff67'::bytea, 'SQL_ASCII'))")" "got f?g" \
    "SQL_ASCII: intent_output_error() quotes such bytes as '?'"
# A valid UTF-8 message longer than pg_intent.max_message_bytes is read on
# its first bytes cut at a UTF-8 character boundary: cut at the byte limit,
# a 2-byte 'ñ' straddling it made the message invalid (22021 at offset 1023)
# while a shorter one was classified.
long_ascii=$(PGCLIENTENCODING=UTF8 psql -X -At -d pgi_enc_ascii -v VERBOSITY=sqlstate -c "SET pg_intent.max_message_bytes = 1024" \
    -c "SELECT classify_intent('a' || repeat('ñ', 600)) IS NOT NULL" 2>&1 | tail -1 || true)
expect_eq "$long_ascii" t "SQL_ASCII: a long UTF-8 message is cut at a character boundary, not made invalid"
# A row that is not UTF-8 in a SQL_ASCII database (any role that may log
# interactions can write one) is left out of training and counted; it failed
# every run before.
q pgi_enc_ascii "SELECT record_interaction(convert_from('\\xfffe20686f6c61'::bytea, 'SQL_ASCII'), 'devolución', 90)" >/dev/null
result=$(PGCLIENTENCODING=SQL_ASCII q pgi_enc_ascii "SELECT r ->> 'status' FROM train_intent_model('bad bytes', 'full', '{\"seed\": 5}') AS r")
expect_eq "$result" completed "SQL_ASCII: a row of invalid UTF-8 does not fail training"
expect_eq "$(q pgi_enc_ascii "SELECT metrics ->> 'rows_skipped_invalid_utf8' FROM ai_training_runs WHERE run_name = 'bad bytes'")" 1 \
    "SQL_ASCII: the run counts the row it left out"
# The same bytes in a message longer than the 64 kB training reads: the cut
# at a character boundary walked back over every byte 0x80..0xBF down to an
# empty prefix, so the row trained as an empty message instead of being left
# out (and prediction could walk back a gigabyte without polling).
q pgi_enc_ascii "SELECT record_interaction(repeat(chr(128), 70000), 'devolución', 90), record_interaction(repeat(chr(128), 60000), 'devolución', 90)" >/dev/null
result=$(PGCLIENTENCODING=SQL_ASCII q pgi_enc_ascii "SELECT r ->> 'status' FROM train_intent_model('long bad bytes', 'full', '{\"seed\": 5, \"deploy\": \"never\"}') AS r")
expect_eq "$result" completed "SQL_ASCII: long rows of invalid UTF-8 do not fail training"
expect_eq "$(q pgi_enc_ascii "SELECT metrics ->> 'rows_skipped_invalid_utf8' FROM ai_training_runs WHERE run_name = 'long bad bytes'")" 3 \
    "SQL_ASCII: the long invalid rows are left out too, not trained as empty messages"
expect_eq "$(psql -X -At -d pgi_enc_ascii -v VERBOSITY=sqlstate -c "SELECT classify_intent(repeat(chr(128), 70000))" 2>&1 | tr -d '\n')" \
    "ERROR:  22021" "SQL_ASCII: a long message of invalid UTF-8 is 22021, not classified as empty text"
# A named classifier's source in a SQL_ASCII database: a row whose text or
# label is not UTF-8 (any role that may write the source table can write
# one) is left out and counted, as ai_training_data's are, and the others
# train. Both reached the core: the text failed every run of the
# classifier (22021), and the label, once trained, made a model that
# could not be loaded.
psql -X -q -v ON_ERROR_STOP=1 -d pgi_enc_ascii <<'SQL' >/dev/null
SET client_min_messages = warning;
CREATE TABLE ascii_rows AS SELECT text, intent FROM demo_rows WHERE split = 'train';
INSERT INTO ascii_rows VALUES (convert_from('\xfffe20686f6c61'::bytea, 'SQL_ASCII'), 'devolución'),
                              ('hola otra vez', convert_from('\x73616c75646fff'::bytea, 'SQL_ASCII'));
SELECT create_classifier('ascii_shop', 'ascii_rows', 'text', 'intent', '{"seed": 5}');
SQL
result=$(PGCLIENTENCODING=SQL_ASCII psql -X -q -At -d pgi_enc_ascii -v VERBOSITY=sqlstate -c "SET client_min_messages = warning" \
    -c "SELECT r ->> 'status' FROM train_classifier('ascii_shop') AS r" 2>&1 | tr -d '\n')
expect_eq "$result" completed "SQL_ASCII: a classifier's source rows of invalid UTF-8 do not fail its run"
expect_eq "$(q pgi_enc_ascii "SELECT metrics ->> 'rows_skipped_invalid_utf8' FROM ai_training_runs WHERE classifier = 'ascii_shop'")" 2 \
    "SQL_ASCII: the classifier's run counts the two rows it left out"
expect_eq "$(q pgi_enc_ascii "SELECT classify_label('ascii_shop', 'quiero devolver el abrigo')")" "devolución" \
    "SQL_ASCII: the classifier's model loads and answers"
# A WIN1252 database holds bytes that have no Unicode character (0x81,
# 0x8D, 0x8F, 0x90, 0x9D), and the core reads UTF-8: one logged row with such
# a byte in its message or its label (any role that may log interactions
# can write one) failed every later run with 22P05. Such a row is left out
# while reading, counted, and the others train, an ordinary row logged with
# it among them.
setup pgi_enc_win1252 "ENCODING WIN1252 TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C'" UTF8
win_train() { # run-name
    PGCLIENTENCODING=UTF8 q pgi_enc_win1252 "SELECT concat_ws(' ', r ->> 'status', r ->> 'sqlstate', r ->> 'error') FROM train_intent_model('$1', 'full', '{\"seed\": 5}') AS r"
}
expect_eq "$(win_train 'win before')" completed "WIN1252: training completes"
q pgi_enc_win1252 "SELECT record_interaction('hola ' || chr(129), 'greeting', 90)" >/dev/null
ordinary=$(PGCLIENTENCODING=UTF8 q pgi_enc_win1252 "SELECT record_interaction('quiero devolver las botas de agua que compré', 'devolución', 90)")
expect_eq "$(win_train 'win message')" completed "WIN1252: a message with no Unicode equivalent does not fail training"
expect_eq "$(q pgi_enc_win1252 "SELECT metrics ->> 'rows_skipped_untranslatable' FROM ai_training_runs WHERE run_name = 'win message'")" 1 \
    "WIN1252: the run counts the row it left out"
expect_eq "$(PGCLIENTENCODING=UTF8 q pgi_enc_win1252 "SELECT count(*) FROM ai_training_run_rows rr JOIN ai_training_runs r ON r.id = rr.run_id
                                  WHERE r.run_name = 'win message' AND rr.training_data_id = '$ordinary' AND rr.intent = 'devolución'")" 1 \
    "WIN1252: an ordinary row logged with it trains, its label recorded in the database's encoding"
expect_eq "$(q pgi_enc_win1252 "SELECT count(*) FROM ai_training_run_rows rr JOIN ai_training_runs r ON r.id = rr.run_id
                                  WHERE r.run_name = 'win message' AND rr.training_data_id IN (SELECT id FROM ai_training_data WHERE user_message = 'hola ' || chr(129))")" 0 \
    "WIN1252: the row left out is not among the run's rows"
q pgi_enc_win1252 "SELECT record_interaction('hola otra vez', 'saludo' || chr(144), 90)" >/dev/null
expect_eq "$(win_train 'win label')" completed "WIN1252: a label with no Unicode equivalent does not fail training"
expect_eq "$(q pgi_enc_win1252 "SELECT metrics ->> 'rows_skipped_untranslatable' FROM ai_training_runs WHERE run_name = 'win label'")" 2 \
    "WIN1252: the run counts both rows it left out"
# evaluate_intent_model() scores the caller's rows: such a byte there is the
# caller's error (22P05), raised inside the query, and the session goes on.
expect_eq "$(psql -X -At -d pgi_enc_win1252 -v VERBOSITY=sqlstate -c "SELECT evaluate_intent_model(NULL, \$\$VALUES ('hola ' || chr(129), 'greeting')\$\$)" 2>&1 | tr -d '\n')" \
    "ERROR:  22P05" "WIN1252: evaluate_intent_model() on a message with no Unicode equivalent is 22P05"
expect_eq "$(q pgi_enc_win1252 "SELECT evaluate_intent_model(NULL, \$\$VALUES ('hola', 'greeting')\$\$) ->> 'query_rows'")" 1 \
    "WIN1252: evaluate_intent_model() works after it"
# The core's messages are UTF-8: a LATIN1 database sends them in its own
# encoding (it showed "cafÃ©"), long ones are cut at a character boundary,
# and the list of valid options is whole.
msg=$(PGCLIENTENCODING=UTF8 psql -X -d pgi_enc_latin1 -c "SELECT intent_training_options('{\"café\": 1}')" 2>&1 | head -1 || true)
expect_eq "$msg" 'ERROR:  unknown training option "café"' "LATIN1: an error naming an accented option shows it as written"
hint=$(psql -X -d pgi_enc_utf8 -c "SELECT intent_training_options('{\"x\": 1}')" 2>&1 | grep '^HINT' || true)
expect_eq "${hint##*, }" "limit." "the hint lists every training option (it was cut before the last four)"
long=$(PGCLIENTENCODING=UTF8 psql -X -d pgi_enc_utf8 -c "SELECT intent_training_options(jsonb_build_object('a' || repeat(U&'\00e9', 600), 1))" 2>&1 | head -1 || true)
printf '%s' "$long" | iconv -f UTF-8 -t UTF-8 >/dev/null 2>&1 ||
    { echo "FAILED: a long error message was cut inside a character" >&2; exit 1; }
expect_eq "${long:0:31}" 'ERROR:  unknown training option' "a long error message is cut at a character boundary"

# A long message in a LATIN1 database is converted to UTF-8 in pieces: the
# result is that of converting it whole (a message longer than one piece,
# accented throughout, folds and predicts as in the UTF8 database), and a
# cancel or statement_timeout is noticed between pieces. PostgreSQL converts
# a string in one uninterruptible call; a role may raise
# pg_intent.max_message_bytes to about 1 GB, and a 336 MB message took 1.7 s
# to convert past the timeout before the vectoriser could notice it.
for db in pgi_enc_utf8 pgi_enc_latin1; do
    PGCLIENTENCODING=UTF8 psql -X -q -v ON_ERROR_STOP=1 -d $db \
        -c "CREATE TABLE long_inbox AS SELECT repeat('¿Dónde está mi envío? quiero devolver él pedído, señor. ', 60000) || 'Ñandú' AS m"
done
for expr in "md5(convert_to(intent_internal._pg_intent_fold(m), 'UTF8'))" "(SELECT predicted_intent || ' ' || confidence FROM predict_intent(m))"; do
    utf8=$(PGOPTIONS='-c pg_intent.max_message_bytes=100MB' PGCLIENTENCODING=UTF8 q pgi_enc_utf8 "SELECT $expr FROM long_inbox")
    latin1=$(PGOPTIONS='-c pg_intent.max_message_bytes=100MB' PGCLIENTENCODING=UTF8 q pgi_enc_latin1 "SELECT $expr FROM long_inbox")
    expect_eq "$latin1" "$utf8" "LATIN1: a message of $(q pgi_enc_latin1 "SELECT octet_length(m) FROM long_inbox") bytes converted in pieces gives $expr as in UTF8"
done
out=$(psql -X -At -d pgi_enc_latin1 2>&1 <<'SQL'
SET pg_intent.max_message_bytes = 1073741815;
CREATE TEMP TABLE huge AS SELECT repeat('quiero devolver ' || chr(233) || 'l ped' || chr(237) || 'do ', 6000000) AS m;
SET statement_timeout = '100ms';
\set VERBOSITY verbose
SELECT classify_intent(m) FROM huge;
SQL
)
expect_eq "$(grep -c '^ERROR:  57014' <<<"$out")" 1 "LATIN1: statement_timeout cancels a prediction on a 156 MB message"
expect_eq "$(grep -c '^CONTEXT:  pg_intent: text conversion cancelled (Stopped after converting [0-9]* of 156000000 bytes to UTF-8' <<<"$out")" 1 \
    "LATIN1: the conversion to UTF-8 noticed the timeout itself"
expect_eq "$(PGCLIENTENCODING=UTF8 q pgi_enc_latin1 "SELECT classify_intent('quiero devolver las zapatillas')")" "devolución" "LATIN1: prediction works after the cancel"

# The install scripts are ASCII: PostgreSQL reads them in the database's
# encoding, and EUC_JP refused 0.2.0's en dashes ("invalid byte sequence for
# encoding EUC_JP: 0xe2 0x80"), so the extension could not be created there;
# in LATIN1 the same bytes came out of every report as mojibake. Report text
# makes its characters with _pg_intent_glyph(): the character in UTF8, an
# ASCII stand-in elsewhere.
drop_db pgi_enc_eucjp 2>/dev/null
out=$(psql -X -q -d postgres -c "CREATE DATABASE pgi_enc_eucjp ENCODING EUC_JP TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C'" 2>&1 &&
    psql -X -q -d pgi_enc_eucjp -c "SET client_min_messages = warning" -c "CREATE EXTENSION pg_intent" 2>&1 && echo created)
expect_eq "$out" created "EUC_JP: CREATE EXTENSION pg_intent works"
expect_eq "$(PGCLIENTENCODING=UTF8 q pgi_enc_eucjp "SELECT intent_internal._pg_intent_md_num(NULL) || intent_internal._pg_intent_html('abcdefgh', 5)")" "-ab..." \
    "EUC_JP: report text uses ASCII stand-ins"
expect_eq "$(PGCLIENTENCODING=UTF8 q pgi_enc_latin1 "SELECT intent_internal._pg_intent_md_num(NULL) || intent_internal._pg_intent_md_cell('abcdefgh', 5)")" '-ab\.\.\.' \
    "LATIN1: report text uses ASCII stand-ins (the UTF-8 bytes of an en dash showed as mojibake; Markdown escapes the dots)"
expect_eq "$(PGCLIENTENCODING=UTF8 q pgi_enc_utf8 "SELECT intent_internal._pg_intent_md_num(NULL) || intent_internal._pg_intent_md_cell('abcdefgh', 5)")" "–abcd…" \
    "UTF8: report text keeps its en dash and ellipsis"
report=$(PGCLIENTENCODING=UTF8 q pgi_enc_latin1 "SELECT training_report()")
expect_eq "$(grep -c 'â' <<<"$report")" 0 "LATIN1: the training report has no mojibake"
expect_eq "$(grep -c '^# ' <<<"$report")" 1 "LATIN1: the training report is written"
# A label whose bytes are not valid in the database encoding: PostgreSQL
# stores such text unchecked from COPY ... ENCODING 'SQL_ASCII' (and from a
# client whose client_encoding is SQL_ASCII). normalize_intent_name() trims
# it as btrim() does, the whitespace bytes at either end, and raises no
# encoding error (a view trimming a classifier's labels with it read every
# row before it trimmed bytes through convert_to()/convert_from(), which it
# now does only beyond 64 kB, for the memory: a valid label that long is
# trimmed the same).
printf ' \v ab\377cd \f\n' >"$TEST_TMP/invalid_label.txt"
for db in pgi_enc_utf8 pgi_enc_eucjp; do
    psql -X -q -v ON_ERROR_STOP=1 -d $db -c "CREATE TABLE raw_labels (label text)" \
        -c "\\copy raw_labels FROM '$TEST_TMP/invalid_label.txt' WITH (ENCODING 'SQL_ASCII')" >/dev/null
    expect_eq "$(psql -X -At -d $db -c "SELECT octet_length(label), octet_length(normalize_intent_name(label)),
                                              normalize_intent_name(label) = btrim(label, E' \\t\\n\\f\\r' || chr(11))
                                         FROM raw_labels" 2>&1)" "10|5|t" \
        "$db: a stored label of bytes invalid in the encoding is trimmed, not an error"
    expect_eq "$(PGCLIENTENCODING=UTF8 psql -X -At -d $db -c "SELECT normalize_intent_name(E' \\t' || repeat('あ', 40000) || E'x\\n\\r') = repeat('あ', 40000) || 'x'" 2>&1)" "t" \
        "$db: a label over 64 kB is trimmed the same"
done
