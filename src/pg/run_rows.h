// A run's rows (ai_training_run_rows, or a keyed classifier's
// ai_classifier_run_rows): each row read, the label it was read with,
// whether it was fresh, and what the run learnt of it out of fold.
#pragma once

#include "pg_headers.h"
#include "train_reader.h"

#include "memory_budget.h"
#include "training.h"

#include <string>
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
// the next. A classifier without a key_column records none. What it holds
// beside the rows (the set that tells whether their keys are distinct) is
// charged to `budget`, the run's (nullptr: none).
void record_rows(Oid schema, Datum run_id, const RunRows &data, const std::vector<intent::RowResult> &results,
                 const std::vector<std::string> &labels, bool intent_rows, bool keyed,
                 intent::MemoryBudget *budget);

} // namespace pg_intent
