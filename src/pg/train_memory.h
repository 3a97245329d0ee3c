// The training policy as the C trainers read it. A training run's worker
// reads the ai_training_policy row once and passes it whole to
// _pg_intent_train_table() (training_policy()); 0.1.0's entry point, which
// has no row to pass, reads the memory limit from the table itself (by name
// in the extension's schema, never through search_path). Either way a
// caller cannot pass a larger budget.
#pragma once

#include "pg_headers.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace pg_intent {

// COMPAT(0.1.0) The policy column's default, used when the schema has no policy table
// (0.1.0's schema, whose SQL still calls _pg_intent_train() until ALTER
// EXTENSION UPDATE runs).
constexpr int kDefaultTrainingMemoryMb = 2048;

// Bytes a training run may charge to its intent::MemoryBudget: the policy
// row's max_training_memory_mb of the ai_training_policy table in `schema`.
// May throw PgError (pg_call).
size_t training_memory_limit(Oid schema);

// The policy's bounds on rows no reviewer vouches for (0.2.1 columns of
// ai_training_policy). No defaults here: the table's are the only ones.
struct UnreviewedRowLimits {
    int message_bytes = 0;   // max_unreviewed_message_bytes
    int min_intent_rows = 0; // min_unreviewed_intent_rows
    int max_intents = 0;     // max_intents
    // max_unreviewed_rows (0.3.2). COMPAT(0.3.1) A policy row without that
    // column (0.3.1's SQL, until ALTER EXTENSION UPDATE) bounds nothing.
    int64_t max_rows = INT64_MAX;
};
// The columns of the ai_training_policy row that decide a training run, as
// training_policy() reads them from the row (no defaults here either).
struct TrainingPolicy {
    int min_samples_for_training = 0;
    double max_f1_regression = 0;
    float corrected_weight = 0;
    size_t memory_limit = 0; // bytes
    int max_training_threads = 0;
    int min_gate_rows = 0;
    std::string out_of_scope_intent; // UTF-8
    std::string out_of_scope_mode;
    bool only_reviewed = false;
    std::optional<int> max_training_rows;
    UnreviewedRowLimits unreviewed;
};

// The policy from an ai_training_policy row value (a composite datum).
// A NULL in a NOT NULL column (a row built by hand) is 22004 (SqlError).
// May throw PgError (pg_call).
TrainingPolicy training_policy(Datum row);

// Gives the heap memory a training run freed back to the operating system.
// After a run's large buffers are freed, glibc serves the allocations that
// follow from its heap (its mmap threshold rises to the largest buffer
// freed) and keeps what they free: the backend stayed tens of megabytes
// larger than what it held, through the model's storing and for the rest of
// its life. Called once every C++ object of the run is gone.
void release_freed_heap();

} // namespace pg_intent
