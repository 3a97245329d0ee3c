// The classifier management functions (create_classifier(), alter_classifier(),
// drop_classifier(), grant_classifier_access(), revoke_classifier_access(),
// deploy_classifier_model(), rollback_classifier()), and delete_intent_model()
// (0.3.2: a named classifier's model needs that classifier's deploy right):
// one C entry for all.
//
// Each must know who called it (a classifier's owner is the role that
// created it; managing, deploying and granting are checked against the
// caller), and each writes tables only the extension owner may write. A
// SECURITY DEFINER function cannot tell its caller (inside it, current_user
// is already the owner), so each SQL function is this C function, running
// as its caller: it takes the caller's OID, switches to the extension owner
// (AsExtensionOwner: search_path pinned) and calls the PL/pgSQL worker of
// the same name with a leading underscore prefix, _pg_intent_<name>(p_caller
// oid, <the same arguments>), found by OID in the extension's schema. The
// workers check the caller with _pg_intent_classifier_allows(), the one rule.
#include "as_owner.h"
#include "guard.h"
#include "module.h"

extern "C" {
#include "catalog/pg_proc.h"
#include "parser/parse_func.h"
#include "utils/syscache.h"
}

using namespace pg_intent;

PG_INTENT_FUNCTION(pg_intent_classifier_call) {
    const Oid fn_oid = fcinfo->flinfo->fn_oid;
    const Oid caller = GetUserId();
    const int nargs = PG_NARGS();
    if (nargs + 1 > FUNC_MAX_ARGS)
        throw SqlError(ERRCODE_TOO_MANY_ARGUMENTS, intent::Message{N_("too many arguments"), {}});
    Datum result = 0;
    bool result_null = true;
    pg_call([&]() noexcept {
        HeapTuple tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(fn_oid));
        if (!HeapTupleIsValid(tuple)) elog(ERROR, "cache lookup failed for function %u", fn_oid);
        const Form_pg_proc proc = (Form_pg_proc)GETSTRUCT(tuple);
        const Oid schema = proc->pronamespace, owner = proc->proowner;
        Oid argtypes[FUNC_MAX_ARGS];
        argtypes[0] = OIDOID;
        for (int i = 0; i < proc->pronargs && i + 1 < FUNC_MAX_ARGS; ++i)
            argtypes[i + 1] = proc->proargtypes.values[i];
        const int worker_nargs = proc->pronargs + 1;
        char *worker_name = psprintf("_pg_intent_%s", NameStr(proc->proname));
        ReleaseSysCache(tuple);
        List *qualified = list_make2(makeString(get_namespace_name(schema)), makeString(worker_name));
        const Oid worker = LookupFuncName(qualified, worker_nargs, argtypes, false);

        AsExtensionOwner as_owner(owner);
        FmgrInfo flinfo;
        fmgr_info(worker, &flinfo);
        LOCAL_FCINFO(call, FUNC_MAX_ARGS);
        InitFunctionCallInfoData(*call, &flinfo, worker_nargs, InvalidOid, nullptr, nullptr);
        call->args[0].value = ObjectIdGetDatum(caller);
        call->args[0].isnull = false;
        for (int i = 0; i < nargs; ++i)
            call->args[i + 1] = fcinfo->args[i];
        result = FunctionCallInvoke(call);
        result_null = call->isnull;
    });
    if (result_null) PG_RETURN_NULL();
    return result;
}
