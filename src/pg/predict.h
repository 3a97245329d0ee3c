// What prediction (predict.cpp) shares with the glue that scores many rows.
#pragma once

#include "pg_headers.h"

#include "model.h"

#include <string>

namespace pg_intent {

// Prediction buffers whose vectoriser polls for cancel and statement_timeout
// inside one long message (every 64 kB; never for ordinary messages): a role
// may raise pg_intent.max_message_bytes to a gigabyte, which takes seconds to
// read. Evaluation uses the same.
intent::PredictScratch polling_scratch();

// predict_intent()'s buffers, shared with predict_label() (one backend runs
// one prediction at a time): reused across calls, given back after a
// message longer than 64 kB (release_prediction_scratch_after()).
intent::PredictScratch &prediction_scratch();
void release_prediction_scratch_after(size_t message_bytes);

// The top labels of `p` as a JSON object {label: probability}, most probable
// first, appended to `out` (predict_intent()'s top_intents, byte for byte).
void append_top_labels(const intent::IntentModel &model, const intent::Prediction &p, std::string &out);

} // namespace pg_intent
