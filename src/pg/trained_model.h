// The result row of 0.1.0's array trainer (_pg_intent_train, compat_train_010.cpp,
// its one user): _pg_intent_train_table()'s row is train_result.h's.
#pragma once

#include "pg_headers.h"

#include <string>

namespace pg_intent {

// `values`/`nulls` as the trainer's declared row type, whose first column,
// the model bytes, this sets from `blob`. Defined in compat_train_010.cpp.
Datum trained_model_tuple(FunctionCallInfo fcinfo, const std::string &blob, Datum *values, bool *nulls);

} // namespace pg_intent
