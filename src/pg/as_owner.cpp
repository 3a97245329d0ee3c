// Security-restricted operations as a chosen role (see as_owner.h).
#include "as_owner.h"

#include "guard.h"
#include "relations.h"

extern "C" {
#include "executor/executor.h"
#include "utils/builtins.h"
#include "utils/syscache.h"
}

#include <exception>

namespace pg_intent {

char *policy_time_zone_in_pg(Oid schema) noexcept {
    const Oid fn = extension_function(schema, "_pg_intent_ops_policy", 0, nullptr);
    bool isnull = false;
    const Datum row = call_extension_function(fn, 0, nullptr, nullptr, isnull);
    if (isnull) return pstrdup("UTC"); // no policy row: the column's default
    const Datum zone = GetAttributeByName(DatumGetHeapTupleHeader(row), "snapshot_time_zone", &isnull);
    return isnull ? pstrdup("UTC") : TextDatumGetCString(zone);
}

RestrictedOperation enter_restricted_operation(Oid role, const char *time_zone) noexcept {
    if (!SearchSysCacheExists1(AUTHOID, ObjectIdGetDatum(role)))
        ereport(ERROR, (errcode(ERRCODE_UNDEFINED_OBJECT), errmsg("role with OID %u does not exist", role),
                        errdetail("The role whose code was to run was dropped.")));
    RestrictedOperation op;
    GetUserIdAndSecContext(&op.saved_user, &op.saved_context);
    SetUserIdAndSecContext(role,
                           op.saved_context | SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION);
    op.nest_level = NewGUCNestLevel();
    (void)set_config_option("search_path", "pg_catalog, pg_temp", PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
                            true, 0, false);
    (void)set_config_option("TimeZone", time_zone, PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0,
                            false);
    // Row-level security applies to the role as its policies say, whatever
    // the caller chose: under the caller's row_security = off, a read of a
    // source whose policies bind the role failed ("query would be affected
    // by row-level security policy"), so a caller's setting decided whether
    // the owner's training, count or review read ran at all.
    (void)set_config_option("row_security", "on", PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0,
                            false);
    // The text form of a value read here (a key or partition value, a text
    // of the review queue) must not depend on the caller's session: a
    // partition's key is the value's text, and under another DateStyle the
    // same tenant would be stored, gated and served under a second key.
    // Every setting that changes a type's output is pinned to its default
    // (what value::text gives in a default session); all are user-settable,
    // so no privilege is needed, and the nest level rolls them back.
    static constexpr const char *kOutputSettings[][2] = {{"DateStyle", "ISO, MDY"},
                                                         {"IntervalStyle", "postgres"},
                                                         {"extra_float_digits", "1"},
                                                         {"bytea_output", "hex"},
                                                         {"lc_monetary", "C"}};
    for (const auto &setting : kOutputSettings)
        (void)set_config_option(setting[0], setting[1], PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0,
                                false);
    return op;
}

void leave_restricted_operation(const RestrictedOperation &op) noexcept {
    AtEOXact_GUC(false, op.nest_level);
    SetUserIdAndSecContext(op.saved_user, op.saved_context);
}

AsOwnerRestricted::AsOwnerRestricted(Oid role, Oid schema) {
    pg_call([&]() noexcept { op_ = enter_restricted_operation(role, policy_time_zone_in_pg(schema)); });
    uncaught_ = std::uncaught_exceptions();
}

AsOwnerRestricted::~AsOwnerRestricted() {
    pg_release(uncaught_, [&]() noexcept { leave_restricted_operation(op_); });
}

} // namespace pg_intent
