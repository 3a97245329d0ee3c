// What differs between the PostgreSQL majors pg_intent supports (15 to 18),
// as small named shims. This is the only file of the extension with
// `#if PG_VERSION_NUM`: the glue is written against the newest API, and each
// shim below gives an older server that API. Included by pg_headers.h after
// the server headers; never include it directly.
//
// (The fourth difference, a server built without NLS, is handled in
// pg_headers.h: it needs <libintl.h> before postgres.h, see there.)
#pragma once

#include "postgres.h"

#include "catalog/pg_extension.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_proc.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "storage/proc.h"
#include "storage/procarray.h"
#if PG_VERSION_NUM < 170000
#include "storage/sinvaladt.h"
#endif
#include "utils/acl.h"
#include "utils/guc_tables.h"
#include "utils/inval.h"

#if PG_VERSION_NUM < 150000 || PG_VERSION_NUM >= 190000
#error "pg_intent is built and tested on PostgreSQL 15, 16, 17 and 18"
#endif

// object_aclcheck() and object_ownercheck() (16+) replaced one function per
// catalog. On 15, the catalogs the glue asks about map to their old function;
// any other is a programming error of ours.
#if PG_VERSION_NUM < 160000
static inline AclResult object_aclcheck(Oid classid, Oid objectid, Oid roleid, AclMode mode) {
    if (classid == ProcedureRelationId) return pg_proc_aclcheck(objectid, roleid, mode);
    elog(ERROR, "pg_intent: object_aclcheck() shim without catalog %u", classid);
    return ACLCHECK_NO_PRIV;
}

static inline bool object_ownercheck(Oid classid, Oid objectid, Oid roleid) {
    if (classid == ExtensionRelationId) return pg_extension_ownercheck(objectid, roleid);
    if (classid == NamespaceRelationId) return pg_namespace_ownercheck(objectid, roleid);
    elog(ERROR, "pg_intent: object_ownercheck() shim without catalog %u", classid);
    return false;
}
#endif

// This backend's 0-based index among the server's backends (its PGPROC):
// MyProcNumber from 17, MyBackendId (1-based) before. A backend's index is
// below MaxBackends; auxiliary processes may be above it.
static inline int pgi_my_proc_index(void) {
#if PG_VERSION_NUM >= 170000
    return MyProcNumber;
#else
    return MyBackendId - 1;
#endif
}

// ConditionalLockDatabaseObject() came with 15.7 and 16.3 (and 17.0). Before
// them, the same function: LockAcquireExtended() with dontWait on the
// object's lock tag, and the invalidation messages processed once the lock is
// taken, as LockDatabaseObject() does.
#if PG_VERSION_NUM < 150007 || (PG_VERSION_NUM >= 160000 && PG_VERSION_NUM < 160003)
static inline bool ConditionalLockDatabaseObject(Oid classid, Oid objid, uint16 objsubid, LOCKMODE lockmode) {
    LOCKTAG tag;
    LOCALLOCK *locallock;
    SET_LOCKTAG_OBJECT(tag, MyDatabaseId, classid, objid, objsubid);
    LockAcquireResult res = LockAcquireExtended(&tag, lockmode, false, true, true, &locallock);
    if (res == LOCKACQUIRE_NOT_AVAIL) return false;
    if (res != LOCKACQUIRE_ALREADY_CLEAR) {
        AcceptInvalidationMessages();
        MarkLockClear(locallock);
    }
    return true;
}
#endif

// The PGPROC of the backend running a virtual transaction (a lock's holder,
// from GetLockConflicts()): its proc number from 17, its BackendId before.
static inline PGPROC *pgi_vxid_proc(const VirtualTransactionId *vxid) {
#if PG_VERSION_NUM >= 170000
    return ProcNumberGetProc(vxid->procNumber);
#else
    return BackendIdGetProc(vxid->backendId);
#endif
}

// Whether this backend holds the lock in exactly that mode: LockHeldByMe()
// gained its orstronger argument in 17.
static inline bool pgi_lock_held_by_me(const LOCKTAG *tag, LOCKMODE mode) {
#if PG_VERSION_NUM >= 170000
    return LockHeldByMe(tag, mode, false);
#else
    return LockHeldByMe(tag, mode);
#endif
}

// Every setting the server knows, with their number: get_guc_variables()
// took the count's pointer from 16 (GetNumConfigOptions() before).
static inline struct config_generic **pgi_guc_variables(int *num_vars) {
#if PG_VERSION_NUM >= 160000
    return get_guc_variables(num_vars);
#else
    *num_vars = GetNumConfigOptions();
    return get_guc_variables();
#endif
}
