// Relation, column and function lookups in the extension's schema (relations.h).
#include "relations.h"

extern "C" {
#include "catalog/pg_proc.h"
#include "parser/parse_func.h"
#include "utils/syscache.h"
}

namespace pg_intent {

CallingFunction calling_function(FunctionCallInfo fcinfo) noexcept {
    const Oid fn_oid = fcinfo->flinfo->fn_oid;
    HeapTuple tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(fn_oid));
    if (!HeapTupleIsValid(tuple)) elog(ERROR, "cache lookup failed for function %u", fn_oid);
    const Form_pg_proc proc = (Form_pg_proc)GETSTRUCT(tuple);
    CallingFunction f;
    f.schema = proc->pronamespace;
    f.owner = proc->proowner;
    f.name = proc->proname;
    f.nargs = proc->pronargs;
    for (int i = 0; i < proc->pronargs && i < FUNC_MAX_ARGS; ++i)
        f.argtypes[i] = proc->proargtypes.values[i];
    ReleaseSysCache(tuple);
    return f;
}

Oid extension_relation(Oid schema, const char *name) noexcept {
    Oid relid = get_relname_relid(name, schema);
    if (!OidIsValid(relid))
        ereport(
            ERROR,
            (errcode(ERRCODE_UNDEFINED_TABLE),
             errmsg("relation \"%s\" of pg_intent does not exist in schema \"%s\"", name,
                    get_namespace_name(schema)),
             errhint("The extension's objects were altered; reinstall it with CREATE EXTENSION pg_intent.")));
    return relid;
}

AttrNumber extension_column(Oid relid, const char *name, Oid type) noexcept {
    AttrNumber att = get_attnum(relid, name);
    if (att == InvalidAttrNumber)
        ereport(
            ERROR,
            (errcode(ERRCODE_UNDEFINED_COLUMN),
             errmsg("column \"%s\" of relation \"%s\" does not exist", name, get_rel_name(relid)),
             errhint("The extension's objects were altered; reinstall it with CREATE EXTENSION pg_intent.")));
    Oid actual = get_atttype(relid, att);
    if (actual != type)
        ereport(ERROR,
                (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                 errmsg("column \"%s\" of relation \"%s\" has type %s, not %s", name, get_rel_name(relid),
                        format_type_be(actual), format_type_be(type)),
                 errhint("The extension's objects were altered; change the column back to its type.")));
    return att;
}

Oid extension_function(Oid schema, const char *name, int nargs, const Oid *argtypes) noexcept {
    List *qualified = list_make2(makeString(get_namespace_name(schema)), makeString(pstrdup(name)));
    return LookupFuncName(qualified, nargs, argtypes, false);
}

Oid extension_function_if_exists(Oid schema, const char *name, int nargs, const Oid *argtypes) noexcept {
    List *qualified = list_make2(makeString(get_namespace_name(schema)), makeString(pstrdup(name)));
    return LookupFuncName(qualified, nargs, argtypes, true);
}

Datum call_extension_function(Oid fn, int nargs, const Datum *args, const bool *nulls,
                              bool &isnull) noexcept {
    FmgrInfo flinfo;
    fmgr_info(fn, &flinfo);
    LOCAL_FCINFO(call, FUNC_MAX_ARGS);
    InitFunctionCallInfoData(*call, &flinfo, nargs, InvalidOid, nullptr, nullptr);
    for (int i = 0; i < nargs; ++i) {
        call->args[i].value = args[i];
        call->args[i].isnull = nulls ? nulls[i] : false;
    }
    Datum result = FunctionCallInvoke(call);
    isnull = call->isnull;
    return result;
}

} // namespace pg_intent
