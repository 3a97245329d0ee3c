// The rows of one run of a named classifier, and which of them the deploy
// gate judges fresh (classifier_fresh_rows.cpp). train_table() calls it for
// every run of train_classifier().
#pragma once

#include "classifier_source.h"
#include "pg_headers.h"
#include "train_memory.h"
#include "train_reader.h"

#include "memory_budget.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pg_intent {

// A classifier's rows for one run: those train_classifier() staged, of one
// partition (or all of them, for the fallback model), with the rows the gate
// judges marked fresh. Reviewed rows are fresh when the active model never
// trained on them, by the first rule that applies (`fresh_rule` names it,
// for the report):
//   "key": with a key_column, the active model's run did not train on the
//     row with that label (ai_classifier_run_rows). Only when that run
//     recorded its rows: a run of the classifier before its key_column was
//     set recorded none, and every row, those it trained on included, would
//     count as fresh. Never a row of a key several rows of this run hold
//     (counts.duplicate_key counts them): the active model's run recorded
//     one row under that key, and which one it trained on with that label
//     cannot be known, so the gate never judges that model on such a row;
//   "time_column": otherwise, with a time_column, the row is later than
//     the start of the active model's run and not later than the present
//     (_pg_intent_source_new_since(p_for_gate), the rule retrain_classifiers()
//     counts new rows by, from an earlier horizon there: one definition);
//   "none": neither (or no active model's run): no row is fresh and the
//     gate compares out-of-fold estimates.
// With gate_window_days, a fresh row must also fall in that recent window.
// (0.3.1 took, without a key, every reviewed row of the window as fresh:
// the window held the 1,983 rows the active model had trained on, so the
// gate weighed it on its own training rows, refused a better model as a
// regression (-0.118), and the report called those rows unseen. Issue 34,
// point 3.)
// `counts` is what the read left out or cut of this run's rows (a
// partition's own; every row's for the fallback: StagedSource::read_counts()),
// then what the policy's bounds on the classes leave out of them.
// With `groups`, each row's partition as a number (rows without one are a
// partition of their own), for the fallback's rule of two partitions.
std::vector<DataRow> classifier_rows(Oid schema, FunctionCallInfo fcinfo, const StagedSource &staged,
                                     const std::optional<std::string> &partition,
                                     const TrainingPolicy &policy, intent::MemoryCharge &charge,
                                     ReadCounts &counts, std::vector<uint32_t> *groups,
                                     std::string &fresh_rule);

} // namespace pg_intent
