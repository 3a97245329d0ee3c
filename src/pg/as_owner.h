// Running as another role, for a scope. Two operations, two rules:
//
// AsExtensionOwner: the extension's own code (its PL/pgSQL workers) as the
// extension owner, what fmgr does for a SECURITY DEFINER function: the
// current user becomes the owner, search_path is pinned to pg_catalog,
// pg_temp and row_security to off, in a new GUC nest level. Construct it
// inside pg_call(): on an error the transaction or subtransaction abort
// restores them.
//
// AsOwnerRestricted: code that a role CHOSE (a classifier's source: its view,
// the functions the view calls, its row-level security policies, the domain
// CHECKs and defaults of its columns) runs as THAT role, inside a
// security-restricted operation, as REFRESH MATERIALIZED VIEW, VACUUM and
// index builds run a table owner's code (CVE-2022-1552). Run with the
// caller's rights, a function a classifier's owner planted in its source
// would take the caller's rights (a superuser's, through the daily pg_cron
// job). In the operation:
//   - the current user is the chosen role; SET ROLE, RESET ROLE and SET
//     SESSION AUTHORIZATION are refused, so the code cannot take the
//     caller's rights back;
//   - search_path is pg_catalog, pg_temp, so the statement we build means
//     what it says;
//   - every setting the code changes, with SET, SET LOCAL or set_config(),
//     is ROLLED BACK at the end (a SECURITY DEFINER function's exit would
//     keep a plain SET: a planted search_path would then outlive the call
//     in the caller's session);
//   - TimeZone is the policy's (ai_training_policy.snapshot_time_zone,
//     policy_time_zone()): a time_column of type timestamp or date is read
//     in it, so which rows are new, fresh or in the window never depends
//     on the caller's session setting;
//   - every placeholder setting (one no loaded module defines: PostgREST's
//     request.jwt.claims and request.headers, an application's app.*) that
//     the caller's session set is empty, so the code neither reads the
//     caller's (its key, its claims) nor lets them decide what the owner's
//     policies let it read;
//   - the settings that change a value's text form are their defaults
//     (DateStyle ISO, MDY, IntervalStyle postgres, extra_float_digits 1,
//     bytea_output hex, lc_monetary C): a key or partition value is read
//     as its text, and the key a tenant's models are stored under must not
//     depend on the caller's session.
// The caller lends nothing; which caller may start the operation is decided
// before it (the classifier's grants).
#pragma once

#include "pg_headers.h"

extern "C" {
#include "miscadmin.h"
#include "utils/guc.h"
}

namespace pg_intent {

class AsExtensionOwner {
  public:
    explicit AsExtensionOwner(Oid owner) noexcept {
        GetUserIdAndSecContext(&saved_user_, &saved_context_);
        SetUserIdAndSecContext(owner, saved_context_ | SECURITY_LOCAL_USERID_CHANGE);
        nest_level_ = NewGUCNestLevel();
        (void)set_config_option("search_path", "pg_catalog, pg_temp", PGC_USERSET, PGC_S_SESSION,
                                GUC_ACTION_SAVE, true, 0, false);
        // The owner's code reads and writes every row of the extension's
        // tables or fails: with row_security off, a table whose row-level
        // security binds the owner (FORCE ROW LEVEL SECURITY, an owner that is
        // neither a superuser nor BYPASSRLS) raises 42501, whose hint says
        // NO FORCE, where a policy hid the policy row and training said
        // "arguments must not be null", a deploy "classifier does not exist".
        // The SECURITY DEFINER functions pin the same (SET row_security = off);
        // a superuser or BYPASSRLS owner never notices. A source's read turns
        // it on again (AsOwnerRestricted: its owner's policies apply).
        (void)set_config_option("row_security", "off", PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0,
                                false);
    }
    ~AsExtensionOwner() {
        AtEOXact_GUC(false, nest_level_);
        SetUserIdAndSecContext(saved_user_, saved_context_);
    }
    AsExtensionOwner(const AsExtensionOwner &) = delete;
    AsExtensionOwner &operator=(const AsExtensionOwner &) = delete;

  private:
    Oid saved_user_ = InvalidOid;
    int saved_context_ = 0;
    int nest_level_ = 0;
};

// What entering a security-restricted operation saved, to leave it.
struct RestrictedOperation {
    Oid saved_user = InvalidOid;
    int saved_context = 0;
    int nest_level = 0;
};

// Enters the operation as `role` (42704 when the role no longer exists),
// with TimeZone `time_zone` (policy_time_zone()). PostgreSQL calls only: for
// C code that manages its own subtransactions (retrain_classifiers()); C++
// frames use AsOwnerRestricted.
RestrictedOperation enter_restricted_operation(Oid role, const char *time_zone) noexcept;

// The training policy's time zone (ai_training_policy.snapshot_time_zone,
// through _pg_intent_ops_policy()), palloc'd in the current context; the
// one an administrator set, never the caller's. PostgreSQL calls only.
char *policy_time_zone_in_pg(Oid schema) noexcept;

// Leaves it: rolls back every setting changed inside, restores the user and
// the security context. PostgreSQL calls only. After an ERROR inside, do not
// call it: the (sub)transaction's abort restores all three.
void leave_restricted_operation(const RestrictedOperation &op) noexcept;

// The same for a C++ scope: entered by the constructor (through pg_call),
// left by the destructor on a normal exit; while an exception unwinds, the
// abort that follows restores everything (pg_release()).
class AsOwnerRestricted {
  public:
    AsOwnerRestricted(Oid role, Oid schema);
    ~AsOwnerRestricted();
    AsOwnerRestricted(const AsOwnerRestricted &) = delete;
    AsOwnerRestricted &operator=(const AsOwnerRestricted &) = delete;

  private:
    RestrictedOperation op_;
    int uncaught_ = 0;
};

} // namespace pg_intent
