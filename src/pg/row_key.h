// The longest key_column value a classifier's run records (0.3.2).
#pragma once

#include <cstddef>

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
constexpr size_t kMaxRowKeyBytes = 2048;

} // namespace pg_intent
