// What prediction (predict.cpp) shares with the glue that scores many rows.
#pragma once

#include "pg_headers.h"

#include "json.h"
#include "model.h"
#include "model_cache.h"

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

// explain_intent()'s and explain_label()'s p_top (argument `argno`): 0 to
// 1000, not NULL (22004, 22023).
int32 explanation_top(FunctionCallInfo fcinfo, int argno);

// Why `loaded`'s model scores a message as it does: the explained label is
// `*wanted` (a label of the model; 22023 otherwise), or the predicted one
// when null; its decision score is taken apart into the bias and one
// contribution per n-gram of the message (the `top` largest by magnitude,
// the others summed in other_terms), so that
//     bias + sum(terms[].contribution) + other_terms = score
// up to float rounding (src/core/explain.h states the bound). The keys name
// the label an "intent" (explain_intent()) or a "label" (explain_label()).
enum class ExplainedNoun { Intent, Label };
intent::Json explanation_json(const LoadedModel &loaded, Datum message, const Datum *wanted, int32 top,
                              ExplainedNoun noun);

} // namespace pg_intent
