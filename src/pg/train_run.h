// One training run, owned by C: train_intent_model()'s one run and each run
// of a train_classifier() call go through train_run().
//
// A run is three steps, each called by OID as the extension owner:
// _pg_intent_train_run_begin() (checks the arguments and options, takes the
// classifier's training lock and a training slot, records the run as
// running, names the active model), the trainer called from C (the rows it
// trains on are intent's, read from ai_training_data by train_reader.cpp, or
// the rows a train_classifier() call read; it inserts the run's rows itself,
// in batches), then one record: _pg_intent_train_run_record() taking the
// trainer's typed row, the trainer and the record in one subtransaction, or,
// when either failed (all of it rolled back), _pg_intent_train_run_failed().
// An error that
// _pg_intent_run_error_raised_again() names (a cancel, a timeout, ...) is
// raised again, never recorded.
//
// The policy row and the classifier's training options are the call's,
// read once at its start (RunCall): every run of the call follows them, and
// what a run records of them that is the same for every run (the policy's
// limits) is computed once per call too.
#pragma once

#include "guard.h"
#include "pg_headers.h"

#include <optional>
#include <string>

namespace pg_intent {

// What the call that starts a run passes to each of its runs.
struct RunCall {
    Oid owner = InvalidOid; // the extension owner, whom the steps run as
    Datum run_name = 0;     // text
    bool run_name_null = false;
    Datum run_type = 0; // text
    bool run_type_null = false;
    Datum options = 0; // the caller's (jsonb); NULL is the begin step's to refuse
    bool options_null = false;
    Datum classifier = 0; // text
    // What the call read once at its start, which every run of it follows:
    // the effective policy (an ai_training_policy row) and the classifier's
    // stored training options (jsonb).
    Datum policy = 0;
    bool policy_null = false;
    Datum training_options = 0;
    bool training_options_null = false;
    // What every run of the call merges into its metrics before its own
    // extra (jsonb, {"limits": ...}: a classifier's call computes its
    // policy's limits once, _pg_intent_policy_limits()); nullopt for intent.
    std::optional<Datum> call_metrics;
};

// The functions of a run (40_training.sql), by OID.
struct RunFunctions {
    Oid begin = InvalidOid, train = InvalidOid, record = InvalidOid, failed = InvalidOid,
        raised_again = InvalidOid;
};

// Looks them up in `schema` (internal_schema()); ERROR (42883) when one is
// missing.
RunFunctions run_functions(Oid schema);

// Calls `fn` (a step's function) by OID as the extension owner `owner`,
// with search_path pinned: nullopt for a NULL result.
std::optional<Datum> call_as_owner(Oid owner, Oid fn, int nargs, const Datum *args, const bool *nulls);

// A field of the row `row` (a composite Datum): nullopt when NULL.
std::optional<Datum> row_field(Datum row, const char *name);

// What a run records besides what it is given: the batch of the call's
// runs, the partition (NULL: unpartitioned or the fallback) and what goes
// into the run's metrics.
struct RunPlace {
    std::optional<Datum> batch;     // uuid
    std::optional<Datum> partition; // text
    std::optional<Datum> extra;     // jsonb
};

// What train_run() passes its trainer (call_extension_function_with()'s
// context): the rows it was given (a StagedSource for a classifier's run,
// nullptr for intent's) and, once the trainer has read the run's rows, how
// many it kept and what it left out or cut of them (read_counts: the
// report's rows_skipped_* and messages_truncated, a JSON object; with the
// subword vectors, once their texts are read, unlabelled_texts and what the
// bounds left out of them, train_entry.cpp's add_unlabelled_counts()). A run
// that fails after that (its rows refused, PI001; the memory budget in
// training, 53200; its rows' insert or its record) keeps both in its failed
// run's metrics, as a trained run's report has them. 0.3.2 before this
// kept them for refused rows only.
struct TrainerCall {
    void *rows = nullptr;
    std::optional<int32> rows_read;
    std::string read_counts;
};

// One run, under the policy the call read: begin, the trainer (`trainer` with `rows`, under the guard, as the
// C function _pg_intent_train_table() is called; nullptr: that function as
// SQL calls it, which reads intent's rows from ai_training_data), then
// record or failed. Its values live in a memory context of its own,
// deleted when it ends; the result (jsonb) is copied into the caller's.
Datum train_run(const RunCall &call, const RunFunctions &fns, const RunPlace &place, GuardedBodyWith trainer,
                void *rows);

// The headline numbers of a training report's metrics object (jsonb):
// accuracy, precision, recall, f1, coverage and accepted_accuracy, each
// read as macro_<key> where <key> is missing; nullopt when `metrics` is
// not an object. The one rule: each run's result (final_metrics) and
// _pg_intent_headline_metrics(jsonb).
std::optional<Datum> headline_metrics(std::optional<Datum> metrics);

// {key: value} as jsonb, `value` a jsonb datum (JSON null when `isnull`).
// PostgreSQL calls only: use inside pg_call().
Datum jsonb_object_of(const char *key, Datum value, bool isnull) noexcept;

// _pg_intent_train_table()'s body for intent's run of train_run() (`call`, a
// TrainerCall), which records the run's rows itself (run_rows.cpp); the
// SQL-callable body (0.3.1's worker) returns them as arrays instead.
Datum train_intent_rows(FunctionCallInfo fcinfo, void *call);

} // namespace pg_intent
