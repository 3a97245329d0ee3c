// Looking up the extension's own relations, columns and functions without SQL: by name
// in the extension's schema (never through search_path), for code that reads
// tables directly (model rows, the training data).
#pragma once

#include "pg_headers.h"

#include "guard.h"

namespace pg_intent {

// The SQL function being called, as pg_proc declares it: the extension's
// schema, where its tables and functions are found by name (never through
// search_path; for an internal function, the schema of the extension it
// belongs to, not intent_internal), and its owner, the extension owner, whose rights
// AsExtensionOwner takes; its name and argument types, by which a
// wrapper finds its worker. The one lookup of a call's own pg_proc row.
// PostgreSQL calls only: use inside pg_call().
struct CallingFunction {
    Oid schema = InvalidOid;
    Oid owner = InvalidOid;
    NameData name{};               // its name, unqualified
    int nargs = 0;                 // its declared arguments
    Oid argtypes[FUNC_MAX_ARGS]{}; // their types, nargs of them
};
CallingFunction calling_function(FunctionCallInfo fcinfo) noexcept;

// The schema of the extension's internal functions (_pg_intent_*), created
// by its script (src/sql/schema/05_internal_schema.sql): the schema the user
// installs into holds the contract only.
constexpr const char *kInternalSchema = "intent_internal";

// Where the internal functions of the extension installed in `schema` are:
// intent_internal when it is the extension's own (a member of it), else
// `schema` itself (the extension's SQL is older than 0.3.2, until ALTER
// EXTENSION UPDATE). Never a schema of that name that someone else created.
// PostgreSQL calls only: use inside pg_call().
Oid internal_schema(Oid schema) noexcept;

// Whether the extension has its own intent_internal: its SQL is 0.3.2's or
// later. Not while 0.3.1's SQL or older is installed, until ALTER EXTENSION
// UPDATE. PostgreSQL calls only: use inside pg_call().
bool extension_has_internal_schema() noexcept;

// Found OIDs are kept per backend until an invalidation says they may have
// changed (relations.cpp); _PG_init() registers the catalog callbacks, and
// the extension's one relcache callback (module.cpp) passes relations on.
void register_relations_cache_invalidation();
void relations_cache_relation_changed(Oid relid);

// The relation `name` in `schema`; ERROR (42P01) when it is missing.
// PostgreSQL calls only: use inside pg_call().
Oid extension_relation(Oid schema, const char *name) noexcept;

// The attribute number of column `name`, which must have type `type`: the
// callers read its values as that type (a bytea pointer, a uuid), so an
// ALTER COLUMN ... TYPE by the table's owner must give an error, not a crash.
// ERROR when it is missing (42703) or of another type (55000).
AttrNumber extension_column(Oid relid, const char *name, Oid type) noexcept;

// The function `name` of the extension with these argument types, found in
// `schema` (never through search_path), or for an internal function
// (_pg_intent_*) in internal_schema(schema); ERROR (42883) when it is missing.
// PostgreSQL calls only: use inside pg_call().
Oid extension_function(Oid schema, const char *name, int nargs, const Oid *argtypes) noexcept;
// ... or InvalidOid when it is missing: a function a later version's SQL
// creates, which the library must do without until ALTER EXTENSION UPDATE.
Oid extension_function_if_exists(Oid schema, const char *name, int nargs, const Oid *argtypes) noexcept;

// Calls function `fn` through fmgr (no EXECUTE check: the extension's own
// function, found by extension_function()) with `args`, none NULL unless
// `nulls` says so; `isnull` tells whether the result is NULL. PostgreSQL
// calls only: use inside pg_call().
Datum call_extension_function(Oid fn, int nargs, const Datum *args, const bool *nulls, bool &isnull) noexcept;

// Calls `body` as the C function `fn` is called (its pg_proc row gives the
// result type and schema the body reads from its fcinfo), under the guard,
// with `context` (guarded_call()). Raises its error as fn would.
Datum call_extension_function_with(Oid fn, int nargs, const Datum *args, const bool *nulls, bool &isnull,
                                   GuardedBodyWith body, void *context) noexcept;

} // namespace pg_intent
