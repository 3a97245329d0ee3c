// retrain_classifiers(): scheduled retraining of every named classifier,
// from one pg_cron job.
//
// The rule: a classifier is counted and trained AS ITS OWNER, in a
// security-restricted operation, never with the rights of the job's role. Its
// source is a table or view its owner chose: run with a superuser's rights,
// a view's function written by a less-privileged owner would be that owner's
// way to the superuser (the reason VACUUM and REFRESH MATERIALIZED VIEW run
// index and view code as the table's owner, restricted). Inside the
// restricted operation (as_owner.h) SET ROLE, RESET ROLE and SET SESSION
// AUTHORIZATION are refused, so that code cannot take back the caller's
// rights, and every setting it changes is rolled back when it ends.
//
// Each classifier runs in a subtransaction: a failure (its source dropped, a
// column gone) is reported in the result and the others go on, as a failed
// run of one partition does not stop the others. A cancel or statement
// timeout is not caught (no code may go on after it): it ends the call and
// rolls back everything the call did. So that a classifier whose count or
// training always outlasts the job's statement_timeout does not end every
// call, and starve the classifiers after it, its attempt is marked in a
// sequence before it starts and unmarked when it ends (setval() is not
// rolled back); the next call records a marked attempt as failed, and the
// classifier backs off from it (_pg_intent_classifier_retrain_resume(),
// src/sql/46_retrain_attempts.sql). Only the call holding the
// retraining lock (try_lock_retraining()) marks and reads attempts: a
// concurrent call would take the holder's running attempt for an interrupted
// one; it runs as before, unmarked, and tries no classifier whose last
// attempt was interrupted. Such a classifier, once its back-off has passed,
// is tried only as the first attempt of a call that recorded no interrupted
// attempt (retrain_all() says why); the plan puts it first, and the
// classifiers whose failed attempt raised an error last.
#include "as_owner.h"
#include "extension_locks.h"
#include "guard.h"
#include "module.h"
#include "relations.h"
#include "spi.h"
#include "subtransaction.h"
#include "text_io.h"

extern "C" {
#include "access/xact.h"
#include "access/xlog.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "parser/parse_func.h"
#include "pgtime.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/guc.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
}

namespace pg_intent {
namespace {

struct Planned {
    char *name;
    Oid owner;
    char *count_sql;
    bool has_since;
    TimestampTz since;
    bool has_rows_at_last;
    int64 rows_at_last;
    bool has_threshold;
    int32 threshold;
};

// The plan, from _pg_intent_classifier_retrain_plan(), read as the
// extension owner: the order of every classifier, from their failed
// attempts and runs, which the caller (the models set's, a pg_cron job's)
// is not shown, so it is granted to no one. It names each classifier only:
// each is a Planned with its name, the rest read when its turn comes
// (read_current_plan()).
// PostgreSQL calls only; the result is palloc'd in the caller's context.
__attribute__((noinline)) List *read_plan(Oid schema, Oid extension_owner) noexcept {
    MemoryContext caller = CurrentMemoryContext;
    List *plan = NIL;
    char *sql = psprintf("SELECT name FROM %s._pg_intent_classifier_retrain_plan()",
                         quote_identifier(get_namespace_name(internal_schema(schema))));
    AsExtensionOwner as_owner(extension_owner);
    spi_select_in_pg(sql, 0, nullptr, nullptr, nullptr, 0, "the retraining plan could not be read",
                     [&](const SpiRow &row) noexcept {
                         bool isnull = false;
                         MemoryContext old = MemoryContextSwitchTo(caller);
                         Planned *p = static_cast<Planned *>(palloc0(sizeof(Planned)));
                         p->name = TextDatumGetCString(row.value(1, &isnull));
                         plan = lappend(plan, p);
                         MemoryContextSwitchTo(old);
                     });
    return plan;
}

// The classifier `planned` names as it is when its turn comes
// (_pg_intent_classifier_count_plan(), as the extension owner, as
// read_plan()), or nullptr when it no longer exists. A call trains one
// classifier after another, for minutes each: the plan read at its start
// is not what a classifier is by its turn. Read then, a classifier trained
// by hand meanwhile counts from that run (the start's plan had it due, and
// a second model was trained at once), and one altered, reassigned or
// dropped meanwhile is counted as it is now, as its owner now, or not at
// all. PostgreSQL calls only; palloc'd in the caller's context.
__attribute__((noinline)) Planned *read_current_plan(Oid schema, Oid extension_owner,
                                                     const Planned *planned) noexcept {
    MemoryContext caller = CurrentMemoryContext;
    Planned *current = nullptr;
    char *sql = psprintf("SELECT owner, count_sql, since, rows_at_last, threshold FROM "
                         "%s._pg_intent_classifier_count_plan($1)",
                         quote_identifier(get_namespace_name(internal_schema(schema))));
    Oid argtypes[1] = {TEXTOID};
    Datum args[1] = {CStringGetTextDatum(planned->name)};
    AsExtensionOwner as_owner(extension_owner);
    spi_select_in_pg(sql, 1, argtypes, args, nullptr, 1, "the retraining plan could not be read",
                     [&](const SpiRow &row) noexcept {
                         bool isnull = false;
                         MemoryContext old = MemoryContextSwitchTo(caller);
                         Planned *p = static_cast<Planned *>(palloc0(sizeof(Planned)));
                         p->name = planned->name;
                         p->owner = DatumGetObjectId(row.value(1, &isnull));
                         if (isnull) p->owner = InvalidOid; // orphaned (_pg_intent_classifier_count_plan())
                         const Datum count_sql = row.value(2, &isnull);
                         // NULL: the source was dropped (_pg_intent_classifier_count_plan())
                         p->count_sql = isnull ? nullptr : TextDatumGetCString(count_sql);
                         Datum since = row.value(3, &isnull);
                         p->has_since = !isnull;
                         if (!isnull) p->since = DatumGetTimestampTz(since);
                         Datum rows = row.value(4, &isnull);
                         p->has_rows_at_last = !isnull;
                         if (!isnull) p->rows_at_last = DatumGetInt64(rows);
                         Datum threshold = row.value(5, &isnull);
                         p->has_threshold = !isnull;
                         if (!isnull) p->threshold = DatumGetInt32(threshold);
                         current = p;
                         MemoryContextSwitchTo(old);
                     });
    return current;
}

// The functions retrain_classifiers() calls, found in the extension's schema.
struct Functions {
    Oid train;  // train_classifier(text, text, jsonb)
    Oid due;    // _pg_intent_classifier_retrain_due(text, bigint, timestamptz, bigint, integer, bigint)
    Oid record; // _pg_intent_classifier_retrain_record(text, timestamptz, bigint, text, text, text)
    // COMPAT(0.3.1) 0.3.1's SQL, which this library serves until ALTER
    // EXTENSION UPDATE, has neither of the two above (nor the back-off table
    // they keep): its rule is _pg_intent_classifier_due(bigint, timestamptz,
    // bigint, integer), and no attempt is recorded. `due` and `record` are
    // then InvalidOid.
    Oid due_031;
    // 0.3.2 too: the attempt in progress and the back-off of an interrupted
    // one (InvalidOid under 0.3.1's SQL: attempts are not marked).
    Oid held;   // _pg_intent_classifier_retrain_held(text)
    Oid mark;   // _pg_intent_classifier_retrain_mark(text, timestamptz, boolean)
    Oid resume; // _pg_intent_classifier_retrain_resume()
    // The count the rule compared with min_samples_for_training, for
    // ai_classifier_alerts (InvalidOid before the SQL has it).
    Oid checked; // _pg_intent_classifier_retrain_checked(text, timestamptz, bigint)
    // The check of the columns a count reads, the dashboards' too
    // (InvalidOid under 0.3.1's SQL, which has no such check).
    Oid count_check; // _pg_intent_classifier_source_statement(text, oid, text)
    Oid language;    // intent_output_language()
    Oid wording;     // intent_output_text(text, text)
    // The caller's time zone, for the times an entry gives (json_time()).
    pg_tz *caller_zone;
};

// Appends a timestamptz as jsonb writes one (ISO 8601, JsonEncodeDateTime())
// in `zone`, the caller's: the failed_at and retry_after of an entry are
// those retrain_if_needed() gives for intent (jsonb_build_object()), in one
// format. The entry is built while the owner's pinned TimeZone (the
// policy's) is in effect, and under any DateStyle timestamptz_to_str()
// wrote "2026-11-30 16:28:39.72+00" beside intent's
// "2026-11-30T11:28:39.68-05:00".
void append_json_time(StringInfo out, TimestampTz t, pg_tz *zone) noexcept {
    char buf[MAXDATELEN + 1];
    if (TIMESTAMP_NOT_FINITE(t)) {
        EncodeSpecialTimestamp(t, buf);
    } else {
        struct pg_tm tm;
        fsec_t fsec;
        int tz;
        if (timestamp2tm(t, &tz, &tm, &fsec, nullptr, zone) != 0)
            elog(ERROR, "timestamp out of range"); // cannot happen: the back-off's own times
        EncodeDateTime(&tm, fsec, true, tz, nullptr, USE_XSD_DATES, buf);
    }
    escape_json(out, buf);
}

// One classifier's attempt, for the bookkeeping of its back-off: filled by
// retrain_one() and read after it, also when it raised (so palloc'd, not a
// local of the PG_TRY frame).
struct Attempt {
    bool counted;
    int64 count;
    // Every row that could train was counted (the rule's samples): recorded
    // for ai_classifier_alerts after the attempt (record_samples()).
    bool sampled;
    int64 samples;
    bool trained; // train_classifier() was called
    TimestampTz started;
};

// _pg_intent_classifier_retrain_due(): the one rule of scheduled retraining
// (_pg_intent_retrain_rule(), intent's too: its new rows, the minimum of
// samples, the back-off), stated once in SQL, on the counts (`every_row`:
// every row that could train, nullptr when not counted: then decided on the
// new rows only). Called through fmgr, which
// skips the EXECUTE check: the classifier's owner, the current user here,
// need not hold it; it is the extension's own rule applied to numbers.
// Appends the reason (and the back-off's times) to `out` when the
// classifier is not due.
void apply_due_rule(const Functions &fns, int64 count, const int64 *every_row, const Planned *p,
                    int64 &new_rows, bool &due, StringInfo reason) noexcept {
    const Datum args[6] = {CStringGetTextDatum(p->name),
                           Int64GetDatum(count),
                           TimestampTzGetDatum(p->has_since ? p->since : 0),
                           Int64GetDatum(p->has_rows_at_last ? p->rows_at_last : 0),
                           Int32GetDatum(p->has_threshold ? p->threshold : 0),
                           Int64GetDatum(every_row ? *every_row : 0)};
    const bool nulls[6] = {
        false, false, !p->has_since, !p->has_rows_at_last, !p->has_threshold, every_row == nullptr};
    bool result_null = false;
    const bool before_032 = !OidIsValid(fns.due);
    const Datum result = before_032
                             ? call_extension_function(fns.due_031, 4, args + 1, nulls + 1, result_null)
                             : call_extension_function(fns.due, 6, args, nulls, result_null);
    if (result_null) elog(ERROR, "_pg_intent_classifier_retrain_due returned NULL");
    HeapTupleHeader row = DatumGetHeapTupleHeader(result);
    bool isnull = false;
    const Datum rows = GetAttributeByNum(row, 1, &isnull);
    new_rows = isnull ? count : DatumGetInt64(rows);
    const Datum decision = GetAttributeByNum(row, 2, &isnull);
    due = !isnull && DatumGetBool(decision);
    if (due || before_032) return;
    const Datum why = GetAttributeByNum(row, 3, &isnull);
    if (isnull) return;
    appendStringInfoString(reason, ", \"reason\": ");
    escape_json(reason, TextDatumGetCString(why));
    const char *const times[2] = {"failed_at", "retry_after"};
    for (int i = 0; i < 2; ++i) {
        const Datum t = GetAttributeByNum(row, static_cast<AttrNumber>(4 + i), &isnull);
        if (isnull) continue;
        appendStringInfo(reason, ", \"%s\": ", times[i]);
        append_json_time(reason, DatumGetTimestampTz(t), fns.caller_zone);
    }
}

// _pg_intent_classifier_retrain_record(): a completed attempt ends the
// classifier's back-off, a failed one starts it. Through fmgr, as the due
// rule (SECURITY DEFINER: it writes ai_classifier_retrain_failures as the
// extension owner, whoever runs it).
void record_attempt(Oid record_fn, const Planned *p, const Attempt *a, const char *status,
                    const char *sqlstate, const char *error) noexcept {
    if (!OidIsValid(record_fn)) return; // COMPAT(0.3.1): no back-off to keep
    const Datum args[6] = {CStringGetTextDatum(p->name),
                           TimestampTzGetDatum(a->started),
                           Int64GetDatum(a->count),
                           CStringGetTextDatum(status),
                           sqlstate ? CStringGetTextDatum(sqlstate) : 0,
                           error ? CStringGetTextDatum(error) : 0};
    const bool nulls[6] = {false, false, !a->counted, false, sqlstate == nullptr, error == nullptr};
    bool result_null = false;
    (void)call_extension_function(record_fn, 6, args, nulls, result_null);
}

// A training that raised only because another transaction held what it
// needs: its classifier's training lock or every training slot (55P03, also
// a lock_timeout), or a conflict a retry resolves (40001, 40P01). Nothing is
// wrong with the classifier, so it starts no back-off: the next call tries
// it again, where a back-off would hold it for retry_failed_after. The
// reason's text key, or nullptr for an error that is the classifier's own.
// The one rule: retrain_if_needed() reads it for intent through
// _pg_intent_busy_reason() below.
const char *busy_reason(int sqlerrcode) noexcept {
    switch (sqlerrcode) {
    case ERRCODE_LOCK_NOT_AVAILABLE:
        return "retrain_in_progress";
    case ERRCODE_T_R_SERIALIZATION_FAILURE:
    case ERRCODE_T_R_DEADLOCK_DETECTED:
        return "retrain_conflict";
    default:
        return nullptr;
    }
}

// The text of `key` in the reader's language (intent_output_text()).
const char *output_text(const Functions &fns, const char *key) noexcept {
    bool isnull = false;
    const Datum language = call_extension_function(fns.language, 0, nullptr, nullptr, isnull);
    const Datum args[2] = {CStringGetTextDatum(key), language};
    const bool nulls[2] = {false, isnull};
    const Datum words = call_extension_function(fns.wording, 2, args, nulls, isnull);
    return isnull ? key : TextDatumGetCString(words);
}

// Marks the attempt on `name` starting at `started` (nullptr: none in
// progress) in ai_classifier_retrain_attempt_seq; `carrying`: this call
// recorded an interrupted attempt, which its own rollback would lose.
void mark_attempt(const Functions &fns, const char *name, TimestampTz started, bool carrying) noexcept {
    const Datum args[3] = {name ? CStringGetTextDatum(name) : 0, TimestampTzGetDatum(started),
                           BoolGetDatum(carrying)};
    const bool nulls[3] = {name == nullptr, name == nullptr, false};
    bool result_null = false;
    (void)call_extension_function(fns.mark, 3, args, nulls, result_null);
}

// Records the attempt an earlier call left marked as failed: it never ended
// (a cancel, statement_timeout, or its session's end rolled it back).
// `carrying` when one was recorded; `record_only` when this call must try
// nothing else (_pg_intent_classifier_retrain_resume() says why).
void resume_interrupted(const Functions &fns, bool &carrying, bool &record_only) noexcept {
    bool isnull = false;
    const Datum result = call_extension_function(fns.resume, 0, nullptr, nullptr, isnull);
    carrying = record_only = false;
    if (isnull) return;
    HeapTupleHeader row = DatumGetHeapTupleHeader(result);
    (void)GetAttributeByNum(row, 1, &isnull);
    carrying = !isnull;
    const Datum only = GetAttributeByNum(row, 3, &isnull);
    record_only = !isnull && DatumGetBool(only);
}

// Where a classifier's last attempt was interrupted
// (_pg_intent_classifier_retrain_held()): not (none), still backing off by
// time (held: not counted, not tried), or past its back-off (retry: tried
// only as the first attempt of a call that recorded no interrupted one).
enum class Interrupted { none, held, retry };

// Appends a classifier's entry that is not tried: `reason_key`'s text, and
// the interrupted attempt's start and retry time when given.
void not_tried(const Functions &fns, const Planned *p, const char *reason_key, const Datum *failed_at,
               const Datum *retry_after, StringInfo out) noexcept {
    appendStringInfoString(out, "{\"classifier\": ");
    escape_json(out, p->name);
    appendStringInfoString(out, ", \"retrained\": false, \"reason\": ");
    escape_json(out, output_text(fns, reason_key));
    if (failed_at) {
        appendStringInfoString(out, ", \"failed_at\": ");
        append_json_time(out, DatumGetTimestampTz(*failed_at), fns.caller_zone);
    }
    if (retry_after) {
        appendStringInfoString(out, ", \"retry_after\": ");
        append_json_time(out, DatumGetTimestampTz(*retry_after), fns.caller_zone);
    }
    appendStringInfoChar(out, '}');
}

// A classifier whose interrupted attempt made no count backs off by time
// only, and is not counted: the count may be what ran out of time. Past
// that back-off it may be tried, but only first (retrain_all()). Appends
// the entry of a held classifier to `out`; the interrupted attempt's start
// is in `failed_at` unless none.
Interrupted interrupted(const Functions &fns, const Planned *p, StringInfo out, Datum &failed_at) noexcept {
    if (!OidIsValid(fns.held)) return Interrupted::none;
    const Datum args[1] = {CStringGetTextDatum(p->name)};
    const bool nulls[1] = {false};
    bool isnull = false;
    const Datum result = call_extension_function(fns.held, 1, args, nulls, isnull);
    if (isnull) return Interrupted::none;
    HeapTupleHeader row = DatumGetHeapTupleHeader(result);
    failed_at = GetAttributeByNum(row, 1, &isnull);
    if (isnull) return Interrupted::none;
    const Datum backing_off = GetAttributeByNum(row, 3, &isnull);
    if (isnull || !DatumGetBool(backing_off)) return Interrupted::retry;
    const Datum retry_after = GetAttributeByNum(row, 2, &isnull);
    not_tried(fns, p, "retrain_backing_off", &failed_at, isnull ? nullptr : &retry_after, out);
    return Interrupted::held;
}

// Counts the classifier's new rows and trains it when due, as its owner
// (the current user when called). Appends its entry to `out`.
__attribute__((noinline)) void retrain_one(const Functions &fns, const Planned *p, StringInfo out,
                                           Attempt *attempt) noexcept {
    Oid argtypes[1] = {TIMESTAMPTZOID};
    Datum args[1] = {TimestampTzGetDatum(p->has_since ? p->since : 0)};
    char nulls[1] = {p->has_since ? ' ' : 'n'};
    int64 count = 0;
    // The statement names the source, which the job's role is not shown
    // (read_plan()): its other errors are reported by message only, but a
    // cancel or statement_timeout ends the call with its context, where
    // SPI quotes the statement. Taken out of it, as the dashboards' count
    // does (src/pg/source_reads.cpp).
    const char *not_counted = psprintf("the source of classifier \"%s\" could not be counted", p->name);
    // Each count is its own operation for settings: what the source's code
    // sets while it is counted (work_mem, DateStyle, statement_timeout...)
    // is rolled back before anything else runs as the owner, the next count
    // or the training, which starts from the settings it started from when
    // called alone.
    const auto count_rows = [&]() noexcept {
        const int settings = NewGUCNestLevel();
        int64 n = 0;
        hiding_statement_in_pg(p->count_sql, psprintf("counting the source of classifier \"%s\"", p->name),
                               [&]() noexcept {
                                   spi_select_in_pg(p->count_sql, 1, argtypes, args, nulls, 0, not_counted,
                                                    [&](const SpiRow &row) noexcept {
                                                        bool isnull = false;
                                                        n = DatumGetInt64(row.value(1, &isnull));
                                                    });
                               });
        AtEOXact_GUC(false, settings);
        return n;
    };
    count = count_rows();
    attempt->counted = true;
    attempt->count = count;
    int64 new_rows = 0;
    bool due = false;
    StringInfoData reason;
    initStringInfo(&reason);
    // Without a start (no time_column, or never trained) the count is of
    // every row that could train; with one it is of the new rows only, and
    // every row is counted (the same statement, no start) only when the
    // new rows make the classifier due: the rule then decides on it, the
    // minimum of samples before the back-off, in the one order of
    // _pg_intent_retrain_rule() (before, a classifier with a time_column
    // asked the back-off first, and said backing off where the others said
    // too few samples).
    if (!p->has_since) {
        attempt->sampled = true;
        attempt->samples = count;
        apply_due_rule(fns, count, &count, p, new_rows, due, &reason);
    } else {
        apply_due_rule(fns, count, nullptr, p, new_rows, due, &reason);
        if (due && OidIsValid(fns.due)) {
            nulls[0] = 'n';
            const int64 rows = count_rows();
            attempt->sampled = true;
            attempt->samples = rows;
            apply_due_rule(fns, count, &rows, p, new_rows, due, &reason);
        }
    }
    appendStringInfoString(out, "{\"classifier\": ");
    escape_json(out, p->name);
    appendStringInfo(out, ", \"new_rows\": " INT64_FORMAT ", \"retrained\": %s", new_rows,
                     due ? "true" : "false");
    appendStringInfoString(out, reason.data);
    if (due) {
        attempt->trained = true;
        Datum options = DirectFunctionCall1(jsonb_in, CStringGetDatum("{}"));
        Datum result = OidFunctionCall3(fns.train, CStringGetTextDatum(p->name),
                                        CStringGetTextDatum("scheduled"), options);
        Jsonb *json = DatumGetJsonbP(result);
        appendStringInfo(out, ", \"result\": %s", JsonbToCString(nullptr, &json->root, VARSIZE(json)));
        // The run's status (its fallback's, which every partition's model
        // falls back on): failed starts the back-off, completed ends it.
        JsonbValue key;
        key.type = jbvString;
        key.val.string.val = const_cast<char *>("status");
        key.val.string.len = 6;
        JsonbValue *status = findJsonbValueFromContainer(&json->root, JB_FOBJECT, &key);
        const char *status_text = "failed";
        if (status && status->type == jbvString)
            status_text = pnstrdup(status->val.string.val, status->val.string.len);
        const char *error = nullptr;
        key.val.string.val = const_cast<char *>("error");
        key.val.string.len = 5;
        JsonbValue *message = findJsonbValueFromContainer(&json->root, JB_FOBJECT, &key);
        if (message && message->type == jbvString)
            error = pnstrdup(message->val.string.val, message->val.string.len);
        record_attempt(fns.record, p, attempt, status_text, nullptr, error);
    }
    appendStringInfoChar(out, '}');
}

// Records the samples `attempt` counted, the figure the rule compared with
// min_samples_for_training, for ai_classifier_alerts' training_samples
// (_pg_intent_classifier_retrain_checked()): the view reads no source, and a
// classifier with too few rows is never trained, so it had no run to read
// them from and never alerted (issue 33 point 1, issue 34). After the
// attempt's subtransaction, so that a training that raised keeps its count,
// and in a subtransaction of its own: an error here is the bookkeeping's,
// never the classifier's, and costs neither the call nor any entry of its
// result; a cancel still ends the call, which rolls back every count it
// recorded, as the rest of what it did. But it is reported, a WARNING with
// the error's SQLSTATE and words: the view keeps the previous count, with
// nothing to say it is stale, so a silent failure (a row lock held on the
// table past lock_timeout, a full disk) left training_samples alerting on a
// source's old size, or silent where the source had shrunk, until a later
// call's write succeeded (test/scripts/retrain_samples_record.sh).
// Only with the retraining lock held (`marks`), so that no two calls write
// one classifier's row: a call would wait on another's, uncommitted until
// that call ends, and two calls in different orders would deadlock.
void record_samples(const Functions &fns, const Planned *p, const Attempt *attempt) noexcept {
    if (!OidIsValid(fns.checked) || !attempt->sampled) return;
    ErrorData *error = in_subtransaction_in_pg([&]() noexcept {
        const Datum args[3] = {CStringGetTextDatum(p->name), TimestampTzGetDatum(attempt->started),
                               Int64GetDatum(attempt->samples)};
        const bool nulls[3] = {false, false, false};
        bool result_null = false;
        (void)call_extension_function(fns.checked, 3, args, nulls, result_null);
    });
    if (!error) return;
    ereport(WARNING,
            (errcode(error->sqlerrcode),
             errmsg_internal(translate_pattern(N_("the rows of classifier \"%s\" that could train were "
                                                  "counted, but the count could not be recorded: %s")),
                             p->name, error->message ? error->message : ""),
             errhint("%s", translate_pattern(N_("ai_classifier_alerts keeps its previous "
                                                "training_samples figure until a later "
                                                "retrain_classifiers() call records one.")))));
    FreeErrorData(error);
}

// Every classifier in turn, each in a subtransaction, as its owner; with
// `marks` (the retraining lock held), each attempt marked while it runs.
void retrain_all(Oid schema, Oid extension_owner, const Functions &fns, bool marks, StringInfo out) noexcept {
    // Before the plan, which this call then reads with the back-off of the
    // attempt recorded.
    bool carrying = false;
    bool record_only = false;
    if (marks) resume_interrupted(fns, carrying, record_only);
    List *plan = read_plan(schema, extension_owner);
    const char *time_zone = policy_time_zone_in_pg(schema); // the owners' reads, whoever runs the job
    appendStringInfoString(out, "{\"classifiers\": [");
    ListCell *lc;
    bool first = true;
    bool tried = false; // an attempt was made in this call
    foreach (lc, plan) {
        const Planned *p = static_cast<const Planned *>(lfirst(lc));
        if (!first) appendStringInfoString(out, ", ");
        first = false;
        CHECK_FOR_INTERRUPTS();
        Datum failed_at = 0;
        const Interrupted last = interrupted(fns, p, out, failed_at);
        if (last == Interrupted::held) continue;
        if (record_only) {
            not_tried(fns, p, "retrain_deferred", nullptr, nullptr, out);
            continue;
        }
        // A classifier whose last attempt was interrupted is tried, past its
        // back-off, only as the first attempt of a call that holds the
        // retraining lock and recorded no interrupted attempt (the plan puts
        // it first), one per call (the one interrupted longest ago). So a
        // timeout in it loses no other classifier's training, and the next
        // call, which records that timeout, does not try it: the others train
        // on every other call at worst, however far apart the calls. Tried
        // after the others, it would roll their trainings back whenever its
        // back-off ran out between two calls (with a daily job and
        // retry_failed_after's 1 hour: in every call).
        if (last == Interrupted::retry && (!marks || carrying || tried)) {
            not_tried(fns, p, "retrain_interrupted_first", &failed_at, nullptr, out);
            continue;
        }
        tried = true;
        const int entry_start = out->len;
        Attempt *attempt = static_cast<Attempt *>(palloc0(sizeof(Attempt)));
        attempt->started = GetCurrentTimestamp();
        if (marks) mark_attempt(fns, p->name, attempt->started, carrying);
        ErrorData *error = in_subtransaction_in_pg([&]() noexcept {
            // The attempt reads the database as it is when it starts, not
            // as it was when the call's statement began (minutes or hours
            // of other trainings ago): the classifier's plan, its count and
            // its back-off. The subtransaction's abort pops the snapshot.
            CommandCounterIncrement();
            PushActiveSnapshot(GetTransactionSnapshot());
            UpdateActiveSnapshotCommandId();
            // Dropped since the call began: reported, and no attempt is
            // recorded for it (its name may be another classifier's next).
            const Planned *now = read_current_plan(schema, extension_owner, p);
            if (!now)
                ereport(ERROR, (errcode(ERRCODE_UNDEFINED_OBJECT),
                                errmsg("classifier \"%s\" does not exist", p->name)));
            // An orphaned classifier (its owner dropped: the plan gives no
            // owner) has no role to be read as; say so, in its entry.
            if (!OidIsValid(now->owner))
                ereport(ERROR,
                        (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                         errmsg("classifier \"%s\" is orphaned: its owner was dropped", p->name),
                         errhint("An administrator gives it a new owner with reassign_classifier().")));
            // Nor has one whose source was dropped (the plan gives no
            // count): reported, not left out of the result.
            if (!now->count_sql)
                ereport(ERROR, (errcode(ERRCODE_UNDEFINED_TABLE),
                                errmsg("the source of classifier \"%s\" does not exist", p->name)));
            // The columns the count reads (label, time, reviewed), checked
            // as the dashboards and a training check them, by the one rule
            // (_pg_intent_classifier_check_source(), asked by
            // _pg_intent_classifier_source_statement() for the owner, the
            // role the count runs as): one gone or retyped is named as the
            // classifier's column, with its role, where the count's own
            // error named its statement's alias ("column t.intent does not
            // exist"). Raised before the count, so reported as a count
            // that failed (retrain_not_counted, no back-off), as before.
            // Once per classifier per call, never per row.
            if (OidIsValid(fns.count_check)) {
                const Datum check_args[3] = {CStringGetTextDatum(p->name), ObjectIdGetDatum(now->owner),
                                             CStringGetTextDatum("count_columns")};
                const bool check_nulls[3] = {false, false, false};
                bool check_null = false;
                (void)call_extension_function(fns.count_check, 3, check_args, check_nulls, check_null);
            }
            const RestrictedOperation op = enter_restricted_operation(now->owner, time_zone);
            retrain_one(fns, now, out, attempt);
            leave_restricted_operation(op);
            PopActiveSnapshot();
        });
        // The abort restored the user, the security context and the settings.
        if (error) {
            out->len = entry_start;
            out->data[out->len] = '\0';
            appendStringInfoString(out, "{\"classifier\": ");
            escape_json(out, p->name);
            appendStringInfoString(out, ", \"retrained\": false");
            const char *busy = attempt->trained ? busy_reason(error->sqlerrcode) : nullptr;
            // Not counted (its source gone or failing to read, the
            // classifier orphaned or dropped): said in the reason, as the
            // dashboards say it (new_rows_unknown), so that the entry is not
            // taken for a training that raised, which backs off; this one
            // records nothing, and the next call counts again.
            const char *reason = busy ? busy : (!attempt->counted ? "retrain_not_counted" : nullptr);
            if (reason) {
                appendStringInfoString(out, ", \"reason\": ");
                escape_json(out, output_text(fns, reason));
            }
            appendStringInfo(out, ", \"error\": {\"sqlstate\": \"%s\", \"message\": ",
                             unpack_sql_state(error->sqlerrcode));
            escape_json(out, error->message ? error->message : "");
            appendStringInfoString(out, "}}");
            // A training that raised failed too: back off from it. Not when
            // it was only busy (busy_reason()): the next call tries again.
            if (attempt->trained && !busy)
                record_attempt(fns.record, p, attempt, "failed", unpack_sql_state(error->sqlerrcode),
                               error->message);
            FreeErrorData(error);
        }
        if (marks) mark_attempt(fns, nullptr, 0, false);
        // After the attempt is unmarked: a cancel while recording must not
        // leave a finished attempt marked, as one the next call would back
        // off from.
        if (marks) record_samples(fns, p, attempt);
    }
    appendStringInfoString(out, "]}");
}

} // namespace
} // namespace pg_intent

using namespace pg_intent;

// retrain_classifiers(): see the file's comment.
PG_INTENT_FUNCTION(pg_intent_retrain_classifiers) {
    // Not inside a training of this backend (55000): each classifier would be
    // refused, and its failure recorded as a failed attempt.
    refuse_inside_training("retrain_classifiers()");
    Datum result = 0;
    CallingFunction self;
    Functions fns{};
    pg_call([&]() noexcept {
        self = calling_function(fcinfo);
        fns.caller_zone = session_timezone;
        const Oid schema = self.schema;
        const Oid train_args[3] = {TEXTOID, TEXTOID, JSONBOID};
        const Oid due_args[6] = {TEXTOID, INT8OID, TIMESTAMPTZOID, INT8OID, INT4OID, INT8OID};
        const Oid record_args[6] = {TEXTOID, TIMESTAMPTZOID, INT8OID, TEXTOID, TEXTOID, TEXTOID};
        fns.train = extension_function(schema, "train_classifier", 3, train_args);
        fns.due = extension_function_if_exists(schema, "_pg_intent_classifier_retrain_due", 6, due_args);
        fns.record =
            extension_function_if_exists(schema, "_pg_intent_classifier_retrain_record", 6, record_args);
        const Oid text_args[2] = {TEXTOID, TEXTOID};
        fns.language = extension_function(schema, "intent_output_language", 0, nullptr);
        fns.wording = extension_function(schema, "intent_output_text", 2, text_args);
        const Oid held_args[1] = {TEXTOID};
        const Oid mark_args[3] = {TEXTOID, TIMESTAMPTZOID, BOOLOID};
        fns.held = extension_function_if_exists(schema, "_pg_intent_classifier_retrain_held", 1, held_args);
        fns.mark = extension_function_if_exists(schema, "_pg_intent_classifier_retrain_mark", 3, mark_args);
        fns.resume = extension_function_if_exists(schema, "_pg_intent_classifier_retrain_resume", 0, nullptr);
        const Oid count_check_args[3] = {TEXTOID, OIDOID, TEXTOID};
        fns.count_check = extension_function_if_exists(schema, "_pg_intent_classifier_source_statement", 3,
                                                       count_check_args);
        const Oid checked_args[3] = {TEXTOID, TIMESTAMPTZOID, INT8OID};
        fns.checked =
            extension_function_if_exists(schema, "_pg_intent_classifier_retrain_checked", 3, checked_args);
        if (!OidIsValid(fns.due) || !OidIsValid(fns.record)) {
            const Oid due_031_args[4] = {INT8OID, TIMESTAMPTZOID, INT8OID, INT4OID};
            fns.due = fns.record = InvalidOid;
            fns.due_031 = extension_function(schema, "_pg_intent_classifier_due", 4, due_031_args);
        }
    });
    const bool marks = OidIsValid(fns.held) && OidIsValid(fns.mark) && OidIsValid(fns.resume) &&
                       try_lock_retraining(fns.resume);
    pg_call([&]() noexcept {
        StringInfoData out;
        initStringInfo(&out);
        retrain_all(self.schema, self.owner, fns, marks, &out);
        result = DirectFunctionCall1(jsonb_in, CStringGetDatum(out.data));
    });
    return result;
}

// _pg_intent_busy_reason(p_sqlstate text): busy_reason() for SQL, the text
// key of the reason (NULL when the SQLSTATE is not a busy one).
PG_INTENT_FUNCTION(pg_intent_busy_reason) {
    const TextRef state = text_ref(PG_GETARG_DATUM(0));
    if (state.size != 5) PG_RETURN_NULL();
    const char *const s = state.data;
    const char *key = nullptr;
    pg_call([&]() noexcept { key = busy_reason(MAKE_SQLSTATE(s[0], s[1], s[2], s[3], s[4])); });
    if (!key) PG_RETURN_NULL();
    PG_RETURN_DATUM(utf8_to_text(key));
}

// _pg_intent_retrain_mark_durable(): an attempt's mark (the setval() of
// ai_classifier_retrain_attempt_seq or ai_intent_retrain_attempt_seq just before
// it) is on disk before its training starts. setval() writes WAL that
// nothing flushes before a commit or a full WAL page (the WAL writer flushes
// only those, or an asynchronous commit), and a training writes none for
// minutes in the core: a backend killed there (the OOM killer) restarts the
// server, recovery replays the WAL on disk only, and the mark was gone. The
// next call then trained the same run again, as if nothing had happened, and
// crashed the server again at every tick (test/scripts/retrain_crash.sh).
// One flush per scheduled attempt.
PG_INTENT_FUNCTION(pg_intent_retrain_mark_durable) {
    pg_call([&]() noexcept { XLogFlush(XactLastRecEnd); });
    PG_RETURN_VOID();
}
