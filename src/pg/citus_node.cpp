// What the glue asks about a Citus cluster (citus_node.h).
#include "citus_node.h"

#include "guard.h"
#include "relations.h"

#include <optional>

namespace pg_intent {
namespace {

// Calls the extension's function `name()` through fmgr if the installed
// SQL has it (no EXECUTE check: see _pg_intent_citus_group()); its result,
// or nothing when it returns NULL or is missing.
std::optional<Datum> call_if_installed(Oid schema, const char *name) {
    std::optional<Datum> result;
    pg_call([&]() noexcept {
        const Oid fn = extension_function_if_exists(schema, name, 0, nullptr);
        if (!OidIsValid(fn)) return;
        bool isnull = false;
        const Datum value = call_extension_function(fn, 0, nullptr, nullptr, isnull);
        if (!isnull) result = value;
    });
    return result;
}

} // namespace

bool on_citus_worker(Oid schema) {
    const std::optional<Datum> group = call_if_installed(schema, "_pg_intent_citus_group");
    return group && DatumGetInt32(*group) != 0;
}

void release_citus_placements(Oid schema) {
    (void)call_if_installed(schema, "_pg_intent_release_citus_placements"); // returns void
}

} // namespace pg_intent
