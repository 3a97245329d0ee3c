// Relation, column and function lookups in the extension's schema (relations.h).
#include "relations.h"

extern "C" {
#include "access/genam.h"
#include "access/table.h"
#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_proc.h"
#include "commands/extension.h"
#include "parser/parse_func.h"
#include "utils/fmgroids.h"
#include "utils/inval.h"
#include "utils/syscache.h"
}

#include <cstring>

namespace pg_intent {
namespace {

// The OIDs of the extension's relations and functions, found once per
// backend by name in the extension's schema and kept until PostgreSQL says
// they may have changed, as pg_cron keeps its job table's OID and Citus its
// metadata's: a relation's entry goes with any relcache invalidation of
// that relation (DROP, RENAME, ALTER ... SET SCHEMA) or of every relation,
// the functions' entries with any change to pg_proc. An entry is added only
// when no invalidation arrived during its lookup. Fixed arrays, no
// allocation: the lookups run inside pg_call(), where nothing may throw. A
// name that does not fit (or a full table) is looked up every time.
constexpr int kCachedRelations = 64;
constexpr int kCachedFunctions = 64;
constexpr int kCachedArgs = 8;

struct CachedRelation {
    Oid schema = InvalidOid;
    NameData name{};
    Oid relid = InvalidOid;
};
struct CachedFunction {
    Oid schema = InvalidOid;
    NameData name{};
    int nargs = 0;
    Oid argtypes[kCachedArgs]{};
    Oid fn = InvalidOid;
};

// The extension's schemas (internal_schema()), found with the functions'
// OIDs and forgotten with them, or with any change to a schema.
struct Schemas {
    bool known = false;
    Oid schema = InvalidOid;   // the extension's
    Oid internal = InvalidOid; // intent_internal, when it is the extension's own
};
Schemas g_schemas;

CachedRelation g_relations[kCachedRelations];
int g_num_relations = 0;
CachedFunction g_functions[kCachedFunctions];
int g_num_functions = 0;
uint64 g_generation = 0; // bumped by every invalidation that empties an entry

void on_relcache_invalidation(Datum, Oid relid) {
    int kept = 0;
    for (int i = 0; i < g_num_relations; ++i)
        if (relid != InvalidOid && g_relations[i].relid != relid) g_relations[kept++] = g_relations[i];
    g_num_relations = kept;
    ++g_generation;
}

// Any change to pg_proc or pg_namespace: the functions' OIDs and the
// extension's schemas are found again.
void on_proc_or_namespace_invalidation(Datum, int, uint32) {
    g_num_functions = 0;
    g_schemas = Schemas();
    ++g_generation;
}

// The schema of extension `extension` (pg_extension.extnamespace), by its
// index (PostgreSQL 15 does not export get_extension_schema()).
Oid extension_namespace(Oid extension) noexcept {
    Relation rel = table_open(ExtensionRelationId, AccessShareLock);
    ScanKeyData key;
    ScanKeyInit(&key, Anum_pg_extension_oid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(extension));
    SysScanDesc scan = systable_beginscan(rel, ExtensionOidIndexId, true, nullptr, 1, &key);
    const HeapTuple tuple = systable_getnext(scan);
    const Oid nsp = HeapTupleIsValid(tuple)
                        ? reinterpret_cast<Form_pg_extension>(GETSTRUCT(tuple))->extnamespace
                        : InvalidOid;
    systable_endscan(scan);
    table_close(rel, AccessShareLock);
    return nsp;
}

// The extension's schema and its internal schema, by the catalogs: the
// extension named pg_intent, and the schema intent_internal only when
// pg_depend makes it a member of that extension.
Schemas extension_schemas() noexcept {
    if (g_schemas.known) return g_schemas;
    const uint64 generation = g_generation;
    Schemas s;
    const Oid extension = get_extension_oid("pg_intent", true);
    if (OidIsValid(extension)) {
        s.schema = extension_namespace(extension);
        const Oid internal = get_namespace_oid(kInternalSchema, true);
        if (OidIsValid(internal) && getExtensionOfObject(NamespaceRelationId, internal) == extension)
            s.internal = internal;
    }
    s.known = true;
    if (generation == g_generation) g_schemas = s;
    return s;
}

bool is_internal_function(const char *name) {
    return strncmp(name, "_pg_intent_", strlen("_pg_intent_")) == 0;
}

bool fits(const char *name) {
    return strlen(name) < NAMEDATALEN;
}

Oid cached_relation(Oid schema, const char *name) {
    for (int i = 0; i < g_num_relations; ++i)
        if (g_relations[i].schema == schema && strcmp(NameStr(g_relations[i].name), name) == 0)
            return g_relations[i].relid;
    return InvalidOid;
}

void remember_relation(Oid schema, const char *name, Oid relid, uint64 generation) {
    if (generation != g_generation || g_num_relations == kCachedRelations || !fits(name)) return;
    CachedRelation &e = g_relations[g_num_relations++];
    e.schema = schema;
    namestrcpy(&e.name, name);
    e.relid = relid;
}

Oid cached_function(Oid schema, const char *name, int nargs, const Oid *argtypes) {
    for (int i = 0; i < g_num_functions; ++i) {
        const CachedFunction &e = g_functions[i];
        if (e.schema == schema && e.nargs == nargs && strcmp(NameStr(e.name), name) == 0 &&
            (nargs == 0 || memcmp(e.argtypes, argtypes, sizeof(Oid) * static_cast<size_t>(nargs)) == 0))
            return e.fn;
    }
    return InvalidOid;
}

void remember_function(Oid schema, const char *name, int nargs, const Oid *argtypes, Oid fn,
                       uint64 generation) {
    if (generation != g_generation || g_num_functions == kCachedFunctions || !fits(name) ||
        nargs > kCachedArgs)
        return;
    CachedFunction &e = g_functions[g_num_functions++];
    e.schema = schema;
    namestrcpy(&e.name, name);
    e.nargs = nargs;
    for (int i = 0; i < nargs; ++i)
        e.argtypes[i] = argtypes[i];
    e.fn = fn;
}

Oid lookup_function(Oid schema, const char *name, int nargs, const Oid *argtypes, bool missing_ok) noexcept {
    if (is_internal_function(name)) schema = internal_schema(schema);
    if (nargs <= kCachedArgs) {
        const Oid fn = cached_function(schema, name, nargs, argtypes);
        if (OidIsValid(fn)) return fn;
    }
    const uint64 generation = g_generation;
    List *qualified = list_make2(makeString(get_namespace_name(schema)), makeString(pstrdup(name)));
    const Oid fn = LookupFuncName(qualified, nargs, argtypes, missing_ok);
    if (OidIsValid(fn)) remember_function(schema, name, nargs, argtypes, fn, generation);
    return fn;
}

} // namespace

void relations_cache_relation_changed(Oid relid) {
    on_relcache_invalidation(0, relid);
}

void register_relations_cache_invalidation() {
    CacheRegisterSyscacheCallback(PROCOID, on_proc_or_namespace_invalidation, 0);
    CacheRegisterSyscacheCallback(NAMESPACEOID, on_proc_or_namespace_invalidation, 0);
}

Oid internal_schema(Oid schema) noexcept {
    const Schemas s = extension_schemas();
    return OidIsValid(s.internal) && s.schema == schema ? s.internal : schema;
}

bool extension_has_internal_schema() noexcept {
    return OidIsValid(extension_schemas().internal);
}

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
    // An internal function finds the tables in the extension's schema.
    const Schemas s = extension_schemas();
    if (OidIsValid(s.internal) && f.schema == s.internal) f.schema = s.schema;
    return f;
}

Oid extension_relation(Oid schema, const char *name) noexcept {
    Oid relid = cached_relation(schema, name);
    if (OidIsValid(relid)) return relid;
    const uint64 generation = g_generation;
    relid = get_relname_relid(name, schema);
    if (OidIsValid(relid)) remember_relation(schema, name, relid, generation);
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
    return lookup_function(schema, name, nargs, argtypes, false);
}

Oid extension_function_if_exists(Oid schema, const char *name, int nargs, const Oid *argtypes) noexcept {
    return lookup_function(schema, name, nargs, argtypes, true);
}

namespace {

// Calls `fn` with the arguments: through `body` under the guard when one is
// given (call_extension_function_with()), else as any SQL function.
Datum invoke_extension_function(Oid fn, int nargs, const Datum *args, const bool *nulls, bool &isnull,
                                GuardedBodyWith body, void *context) noexcept {
    FmgrInfo flinfo;
    fmgr_info(fn, &flinfo);
    LOCAL_FCINFO(call, FUNC_MAX_ARGS);
    InitFunctionCallInfoData(*call, &flinfo, nargs, InvalidOid, nullptr, nullptr);
    for (int i = 0; i < nargs; ++i) {
        call->args[i].value = args[i];
        call->args[i].isnull = nulls ? nulls[i] : false;
    }
    Datum result = body ? guarded_call(body, call, context) : FunctionCallInvoke(call);
    isnull = call->isnull;
    return result;
}

} // namespace

Datum call_extension_function(Oid fn, int nargs, const Datum *args, const bool *nulls,
                              bool &isnull) noexcept {
    return invoke_extension_function(fn, nargs, args, nulls, isnull, nullptr, nullptr);
}

Datum call_extension_function_with(Oid fn, int nargs, const Datum *args, const bool *nulls, bool &isnull,
                                   GuardedBodyWith body, void *context) noexcept {
    return invoke_extension_function(fn, nargs, args, nulls, isnull, body, context);
}

} // namespace pg_intent
