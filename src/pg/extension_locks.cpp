// The locks only the extension can take.
//
// Locks. 0.1.0 serialised training and deployment with fixed advisory lock
// keys, which any role can take (and keep, in an idle session): training
// then failed with 55P03 forever. The extension now locks its own
// pg_extension entry with object sub-ids 1 (training) and 2 (deployment).
// No SQL command locks an extension with a non-zero sub-id, so only these
// functions, which PUBLIC cannot execute, take them; pg_locks shows them as
// locktype 'object' on classid pg_extension.
#include "guard.h"
#include "module.h"

#include "text_io.h"

extern "C" {
#include "catalog/dependency.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_proc.h"
#include "storage/lmgr.h"
#include "utils/syscache.h"
}

#include <string>
#include <vector>

namespace pg_intent {
namespace {

Oid owning_extension(Oid fn_oid) noexcept {
    Oid ext = getExtensionOfObject(ProcedureRelationId, fn_oid);
    if (!OidIsValid(ext)) elog(ERROR, "function %u does not belong to an extension", fn_oid);
    return ext;
}

} // namespace
} // namespace pg_intent

using namespace pg_intent;

// _pg_intent_lock(p_lock text, p_wait boolean): takes the extension's
// training or deployment lock until the end of the transaction. Without
// p_wait, returns false at once when another session holds it.
PG_INTENT_FUNCTION(pg_intent_lock) {
    if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
        throw SqlError(ERRCODE_NULL_VALUE_NOT_ALLOWED, "arguments must not be null");
    TextRef which = text_ref(PG_GETARG_DATUM(0));
    const std::string name(which.data, which.size);
    int32 subid;
    if (name == "training")
        subid = 1;
    else if (name == "deployment")
        subid = 2;
    else
        throw SqlError(ERRCODE_INVALID_PARAMETER_VALUE, "unknown pg_intent lock",
                       "The locks are \"training\" and \"deployment\".");
    const bool wait = PG_GETARG_BOOL(1);
    bool acquired = false;
    pg_call([&]() noexcept {
        Oid ext = owning_extension(fcinfo->flinfo->fn_oid);
        if (wait) {
            LockDatabaseObject(ExtensionRelationId, ext, subid, ExclusiveLock);
            acquired = true;
        } else {
            acquired = ConditionalLockDatabaseObject(ExtensionRelationId, ext, subid, ExclusiveLock);
        }
    });
    PG_RETURN_BOOL(acquired);
}
