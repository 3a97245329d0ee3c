// The classifier management functions (create_classifier(), alter_classifier(),
// drop_classifier(), grant_classifier_access(), revoke_classifier_access(),
// deploy_classifier_model(), rollback_classifier(), prune_classifier_models(),
// reassign_classifier()), and delete_intent_model() (0.3.2: a named
// classifier's model needs that classifier's deploy right): one C entry for
// all.
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
// One argument is translated on the way: alter_classifier()'s "source"
// (resolve_source_option() says why).
#include "as_owner.h"
#include "guard.h"
#include "module.h"
#include "relations.h"

using namespace pg_intent;

namespace {

// alter_classifier()'s options name a new source as the user writes a
// table's name: "ml_data", resolved in the caller's search_path as
// create_classifier()'s p_source (a regclass argument) is. The worker runs
// with search_path pinned to pg_catalog, pg_temp, where "ml_data" names
// nothing; so the name is resolved here, before the switch, as the caller,
// with regclass's own input rule (42P01 for an unknown relation), and the
// worker receives the relation's OID in its place. Whether the classifier's
// owner may read it is the worker's check (_pg_intent_classifier_check_source()).
// PostgreSQL calls only (noexcept: called inside pg_call()).
Datum resolve_source_option(Datum options) noexcept {
    Jsonb *jb = DatumGetJsonbP(options);
    if (!JB_ROOT_IS_OBJECT(jb)) return options;
    JsonbValue key;
    key.type = jbvString;
    key.val.string.val = const_cast<char *>("source");
    key.val.string.len = 6;
    JsonbValue *value = findJsonbValueFromContainer(&jb->root, JB_FOBJECT, &key);
    if (value == nullptr || value->type != jbvString) return options;
    char *name = pnstrdup(value->val.string.val, value->val.string.len);
    const Oid relid = DatumGetObjectId(DirectFunctionCall1(regclassin, CStringGetDatum(name)));
    const Datum patch = DirectFunctionCall1(jsonb_in, CStringGetDatum(psprintf("{\"source\": %u}", relid)));
    return DirectFunctionCall2(jsonb_concat, options, patch);
}

} // namespace

PG_INTENT_FUNCTION(pg_intent_classifier_call) {
    const Oid caller = GetUserId();
    const int nargs = PG_NARGS();
    if (nargs + 1 > FUNC_MAX_ARGS)
        throw SqlError(ERRCODE_TOO_MANY_ARGUMENTS, intent::Message{N_("too many arguments"), {}});
    Datum result = 0;
    bool result_null = true;
    pg_call([&]() noexcept {
        const CallingFunction self = calling_function(fcinfo);
        const Oid schema = self.schema, owner = self.owner;
        Oid argtypes[FUNC_MAX_ARGS];
        argtypes[0] = OIDOID;
        for (int i = 0; i < self.nargs && i + 1 < FUNC_MAX_ARGS; ++i)
            argtypes[i + 1] = self.argtypes[i];
        const int worker_nargs = self.nargs + 1;
        char *worker_name = psprintf("_pg_intent_%s", NameStr(self.name));
        const bool alter = strcmp(NameStr(self.name), "alter_classifier") == 0;
        NullableDatum args[FUNC_MAX_ARGS];
        for (int i = 0; i < nargs; ++i) {
            args[i] = fcinfo->args[i];
            if (alter && argtypes[i + 1] == JSONBOID && !args[i].isnull)
                args[i].value = resolve_source_option(args[i].value);
        }
        const Oid worker = extension_function(schema, worker_name, worker_nargs, argtypes);
        Datum values[FUNC_MAX_ARGS] = {ObjectIdGetDatum(caller)};
        bool nulls[FUNC_MAX_ARGS] = {false};
        for (int i = 0; i < nargs; ++i) {
            values[i + 1] = args[i].value;
            nulls[i + 1] = args[i].isnull;
        }

        AsExtensionOwner as_owner(owner);
        result = call_extension_function(worker, worker_nargs, values, nulls, result_null);
    });
    if (result_null) PG_RETURN_NULL();
    return result;
}
