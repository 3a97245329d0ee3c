// What the glue asks about a Citus cluster (citus_node.h).
#include "citus_node.h"

#include "guard.h"
#include "relations.h"

namespace pg_intent {
namespace {

// Calls the extension's function `name()` if the installed SQL has it; its
// result, false when it returns NULL or is missing.
bool call_if_installed(Oid schema, const char *name) {
    bool result = false;
    pg_call([&]() noexcept {
        const Oid fn = extension_function_if_exists(schema, name, 0, nullptr);
        if (!OidIsValid(fn)) return;
        bool isnull = false;
        const Datum value = call_extension_function(fn, 0, nullptr, nullptr, isnull);
        result = !isnull && DatumGetBool(value);
    });
    return result;
}

} // namespace

bool on_citus_worker(Oid schema) {
    return call_if_installed(schema, "_pg_intent_citus_worker");
}

void release_citus_placements(Oid schema) {
    (void)call_if_installed(schema, "_pg_intent_release_citus_placements"); // returns void
}

} // namespace pg_intent
