// The longest partition value a classifier serves or trains (0.3.2).
#pragma once

#include <cstddef>

namespace pg_intent {

// A partition value is stored in ai_intent_models.partition_key and
// ai_training_runs.partition_key, which btree indexes hold with the
// classifier's name (ai_intent_models_active_idx: classifier, partition_key;
// ai_training_runs_classifier_idx: classifier, partition_key, started_at). A
// btree entry holds at most 2704 bytes on 8 kB pages (BTMaxItemSize); 0.3.1
// let any value through, and one value of about 2.7 kB failed a whole
// train_classifier() call with 54000 when its run row was inserted. 2048
// bytes (in the server encoding) leaves room for the index tuple's header,
// a 63-byte name, the timestamp and alignment, uncompressed.
//
// The bound holds both ways: every function taking a p_partition
// (predict_label(), classify_label(), explain_label(), evaluate_label(), and
// through _pg_intent_check_partition_key() rollback_classifier() and
// get_classifier_review_queue()) refuses a longer one with 22023, by one
// check (check_partition_key(), classifier_cache.h), before reading it
// (0.3.1 kept a 1 GB partition argument's copy in a reused buffer for the
// rest of the session), and training skips a source row with a longer
// partition value, counted in the run's metrics.rows_skipped_long_partition
// (no model could ever answer for it).
constexpr size_t kMaxPartitionKeyBytes = 2048;

} // namespace pg_intent
