// A run's rows (ai_training_run_rows, or a keyed classifier's
// ai_classifier_run_rows): each row read, the label it was read with,
// whether it was fresh, and what the run learnt of it out of fold. Written
// here (record_rows()), and read here for the deploy gate (run_labels()).
#pragma once

#include "pg_headers.h"
#include "train_reader.h"

#include "memory_budget.h"
#include "training.h"

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace pg_intent {

// Rows [from, from + count) as the table's columns, one array each, in the
// current memory context. `key` is the rows' ai_training_data ids
// (intent_rows) or their key_column texts (with_keys); 0 with neither.
struct RunRowArrays {
    Datum key = 0;
    Datum label = 0;
    Datum fresh = 0;
    Datum fold = 0;
    Datum predicted = 0;
    Datum confidence = 0;
    Datum label_probability = 0;
    Datum uncertain = 0;
};
RunRowArrays run_row_arrays(const RunRows &data, const std::vector<intent::RowResult> &results,
                            const std::vector<std::string> &labels, bool intent_rows, bool with_keys,
                            size_t from, size_t count);

// Inserts the run's rows as the caller (the extension owner, in the run's
// subtransaction: train_run()), in batches, each batch's arrays freed before
// the next. A classifier without a key_column records none; with one, the
// first row of each key (`distinct_keys`: the run's read found no key held
// by two of its rows, counts.duplicate_key; then a plain INSERT).
void record_rows(Oid schema, Datum run_id, const RunRows &data, const std::vector<intent::RowResult> &results,
                 const std::vector<std::string> &labels, bool intent_rows, bool keyed, bool distinct_keys);

// This run's rows, each with the label the active model's run recorded it
// with ("" where it recorded no such row; a label is never ""): for the
// built-in intent by ai_training_data id (ai_training_run_rows), for a
// classifier with a key_column by key, views into its staged rows
// (ai_classifier_run_rows).
using RunRowLabels = std::unordered_map<Uuid, std::string, UuidHash>;
using RunKeyLabels = std::unordered_map<std::string_view, std::string>;

// Sets in `labels` the label run `run_id` recorded each of its rows with,
// and returns whether that run recorded any row: a run that recorded none
// (0.1.0's runs, which kept no list; a classifier's before its key_column
// was set) tells no row from another, so the caller judges none fresh.
// One rule for both tables (issue 33: two copies of it had drifted apart in
// their snapshot, their NULLs and their result): read through the table's
// primary key (run_id first), each run row's values in a memory context
// reset for the next, so it holds no more than `labels` whatever the run's
// size; the labels it keeps are charged to `charge`; cancellable every
// 4,096 rows. A row with a NULL key or label (both columns are NOT NULL in
// the extension's tables) counts as recorded and names no row.
//
// The snapshot is a fresh one (a catalog snapshot, which sees every commit
// so far), not the statement's: the active model and its run were chosen by
// _pg_intent_train_run_begin() under a snapshot of its own, taken after the
// statement's, and the model's bytes are loaded under a fresh one
// (load_model_row()). A run committed between the statement's start and the
// begin step, and deployed, is the active model's: under the statement's
// snapshot none of its rows was visible and every reviewed row was judged
// fresh, those that model trained on too (test/scripts/gate_run_rows.sh).
// A run's rows are written with its model in one transaction and never
// added to later, so a later snapshot sees the rows the begin step's did.
template <typename Labels>
bool run_labels(Oid schema, Datum run_id, Labels &labels, intent::MemoryCharge &charge);

} // namespace pg_intent
