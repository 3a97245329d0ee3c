// The training memory budget: ai_training_policy.max_training_memory_mb,
// read by the C trainers themselves (by name in the extension's schema,
// never through search_path), so a caller cannot pass a larger one.
#pragma once

#include "pg_headers.h"

#include <cstddef>

namespace pg_intent {

// The policy column's default, used when the schema has no policy table
// (0.1.0's schema, whose SQL still calls _pg_intent_train() until ALTER
// EXTENSION UPDATE runs).
constexpr int kDefaultTrainingMemoryMb = 2048;

// Bytes a training run may charge to its intent::MemoryBudget: the policy
// row's max_training_memory_mb of the ai_training_policy table in `schema`.
// May throw PgError (pg_call).
size_t training_memory_limit(Oid schema);

// The policy's bounds on rows no reviewer vouches for (0.2.1 columns of
// ai_training_policy; their defaults when the schema has no such column).
struct UnreviewedRowLimits {
    int message_bytes = 2048; // max_unreviewed_message_bytes
    int min_intent_rows = 3;  // min_unreviewed_intent_rows
    int max_intents = 100;    // max_intents
};
// May throw PgError (pg_call).
UnreviewedRowLimits unreviewed_row_limits(Oid schema);

} // namespace pg_intent
