// The key_column values a classifier's run records (0.3.2): at most
// kMaxRowKeyBytes, never NULL.
#pragma once

#include "memory_budget.h"

#include <cstddef>
#include <utility>

namespace pg_intent {

// A run records each source row's key in ai_classifier_run_rows.row_key,
// whose primary key (run_id, row_key) holds at most 2704 bytes an entry on
// 8 kB pages (BTMaxItemSize). One source row with a longer key (a text
// column the source does not index can hold one) failed every run of the
// classifier with 54000 when its rows were inserted, so one logged row
// stopped retraining. Training skips a source row whose key is longer than
// this, counted in the run's metrics.rows_skipped_long_key, and reads the
// key on this many bytes only. 2048 bytes (in the server encoding), the
// partition value's bound (partition_key.h), leaves room for the index
// tuple's header and the run's uuid, uncompressed.
//
// A NULL key is no row id either: row_key is NOT NULL, and any text the run
// wrote in its place is a key another row may have. 0.3.1 and 0.3.2 before
// this recorded it as '', so a row whose key is NULL and one whose key is ''
// were one key: the run rows kept whichever came first (ON CONFLICT DO
// NOTHING), the gate took one for the other's training row (not fresh when
// their labels matched) and get_classifier_review_queue() showed the ''
// row's text beside the NULL row's label. As a key too long to record,
// training skips such a row, counted in metrics.rows_skipped_null_key: every
// row a run trains on is one it recorded, under its own key. COMPAT(0.3.1)
// the '' a 0.3.1 run recorded may stand for a NULL key: read as '' (the
// only reading left), it can only make a row whose key is '' look seen to
// the runs gated against that run. retrain_classifiers()' count of the
// source's rows does not read the key: it counts such a row, as one with a
// key too long.
constexpr size_t kMaxRowKeyBytes = 2048;

// What an entry of a run's key set or map costs its run's budget beside
// the key's bytes: the core's formulas (src/core/memory_budget.h).
using intent::hashed_entry_bytes;
using intent::tree_entry_bytes;

} // namespace pg_intent
