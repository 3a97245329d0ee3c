// Running as the extension owner, for a scope: what fmgr does for a
// SECURITY DEFINER function. Switches the current user to `owner` and pins
// search_path to pg_catalog, pg_temp in a new GUC nest level; the destructor
// restores both. Construct it inside pg_call(): on an error the transaction
// or subtransaction abort restores both, as it does for SECURITY DEFINER.
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
    }
    ~AsExtensionOwner() {
        AtEOXact_GUC(true, nest_level_);
        SetUserIdAndSecContext(saved_user_, saved_context_);
    }
    AsExtensionOwner(const AsExtensionOwner &) = delete;
    AsExtensionOwner &operator=(const AsExtensionOwner &) = delete;

  private:
    Oid saved_user_ = InvalidOid;
    int saved_context_ = 0;
    int nest_level_ = 0;
};

} // namespace pg_intent
