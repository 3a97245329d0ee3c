// What prediction (predict.cpp) shares with the glue that scores many rows.
#pragma once

#include "pg_headers.h"

#include "model.h"

namespace pg_intent {

// Prediction buffers whose vectoriser polls for cancel and statement_timeout
// inside one long message (every 64 kB; never for ordinary messages): a role
// may raise pg_intent.max_message_bytes to a gigabyte, which takes seconds to
// read. Evaluation uses the same.
intent::PredictScratch polling_scratch();

} // namespace pg_intent
