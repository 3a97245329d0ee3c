// A one-dimensional PostgreSQL array built from C++ values.
#pragma once

#include "guard.h"

extern "C" {
#include "utils/array.h"
#include "utils/lsyscache.h"
}

#include <algorithm>
#include <vector>

namespace pg_intent {

// A PostgreSQL array of `n` datums of `type` (elements copied), in the
// current memory context. `fill(i, isnull)` gives element i; it runs outside
// pg_call(), so it may throw but must not raise a PostgreSQL error.
template <class Fill> Datum make_array(size_t n, Oid type, Fill &&fill) {
    Datum result;
    std::vector<Datum> values(n);
    std::vector<bool> nulls(n);
    for (size_t i = 0; i < n; ++i) {
        bool isnull = false;
        values[i] = fill(i, isnull);
        nulls[i] = isnull;
    }
    pg_call([&]() noexcept {
        int16 typlen;
        bool typbyval;
        char typalign;
        get_typlenbyvalalign(type, &typlen, &typbyval, &typalign);
        bool *null_flags = static_cast<bool *>(palloc(std::max<size_t>(1, n) * sizeof(bool)));
        for (size_t i = 0; i < n; ++i)
            null_flags[i] = nulls[i];
        int dims[1] = {static_cast<int>(n)}, lbs[1] = {1};
        result = PointerGetDatum(
            construct_md_array(values.data(), null_flags, 1, dims, lbs, type, typlen, typbyval, typalign));
    });
    return result;
}

} // namespace pg_intent
