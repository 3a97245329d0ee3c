// The result row of a trainer (_pg_intent_train, _pg_intent_train_table).
#pragma once

#include "pg_headers.h"

#include <string>

namespace pg_intent {

// `values`/`nulls` as the trainer's declared row type, whose first column,
// the model bytes, this sets from `blob`. Defined in compat_train_010.cpp.
Datum trained_model_tuple(FunctionCallInfo fcinfo, const std::string &blob, Datum *values, bool *nulls);

} // namespace pg_intent
