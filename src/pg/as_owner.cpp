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

namespace {

// Sets to '' every placeholder setting (GUC_CUSTOM_PLACEHOLDER) that the
// caller's session gave a value: by SET or set_config() (PostgREST's way),
// in its connection's options, or by ALTER ROLE, which a role may do for
// itself (sources from PGC_S_USER up). Those of the server's file and the
// database (an administrator's) stay. The names first: the server's list is
// not ours to walk while changing it.
void mask_placeholder_settings() noexcept {
    int n = 0;
    struct config_generic **vars = pgi_guc_variables(&n);
    List *names = NIL;
    for (int i = 0; i < n; ++i)
        if (vars[i] && (vars[i]->flags & GUC_CUSTOM_PLACEHOLDER) && vars[i]->source >= PGC_S_USER)
            names = lappend(names, pstrdup(vars[i]->name));
    ListCell *cell;
    foreach (cell, names)
        (void)set_config_option(static_cast<const char *>(lfirst(cell)), "", PGC_USERSET, PGC_S_SESSION,
                                GUC_ACTION_SAVE, true, 0, false);
    list_free_deep(names);
}

} // namespace

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
    // The caller's custom settings are not the owner's to read: every
    // setting that no loaded module defines and the caller's session set (a
    // placeholder: PostgREST's request.jwt.claims and request.headers, whose
    // apikey and authorization carry the caller's key; an application's
    // app.tenant) is empty inside. A source's code read them with
    // current_setting() as the caller had set them, and wrote them down, or
    // let them decide what its policies let the owner read. All are
    // user-settable; the nest level restores them.
    mask_placeholder_settings();
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
