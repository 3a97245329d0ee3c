// train_intent_model(): the entry point of a training run.
//
// train_intent_model() decides things only some callers may ask for (a
// {"deploy": "always"} run deploys without passing the deploy rule), so it
// must know who called it. A SECURITY DEFINER function cannot: inside it,
// current_user is already the owner. So train_intent_model() is a C function
// that runs as its caller, checks the caller's privileges, then runs the
// PL/pgSQL worker _pg_intent_train_run() as the extension owner
// (AsExtensionOwner, as_owner.h), calling it by OID (no name is resolved
// through the caller's search_path).
#include "as_owner.h"
#include "deploy_right.h"
#include "guard.h"
#include "module.h"
#include "relations.h"

#include "json.h"
#include "options.h"
#include "text_io.h"

extern "C" {
#include "parser/parse_func.h"
#include "utils/acl.h"
}

#include <string>
#include <vector>

namespace pg_intent {
namespace {

// The caller's options, parsed and validated once (the one parser of
// training options, src/core/options.h), as the caller: a bad option raises
// 22023 naming the key before anything runs as the owner. NULL is the
// worker's to refuse.
intent::TrainingRequest requested_options(FunctionCallInfo fcinfo) {
    intent::TrainingRequest request;
    if (!PG_ARGISNULL(2)) request.apply_json(jsonb_to_utf8(PG_GETARG_DATUM(2)));
    return request;
}

} // namespace
} // namespace pg_intent

using namespace pg_intent;

// train_intent_model(p_run_name text, p_run_type text, p_options jsonb):
// checks what the caller asks for against the caller's privileges, then runs
// _pg_intent_train_run() as the extension owner.
PG_INTENT_FUNCTION(pg_intent_train_intent_model) {
    const Oid caller = GetUserId();
    Oid schema = InvalidOid, owner = InvalidOid;
    pg_call([&]() noexcept {
        const CallingFunction self = calling_function(fcinfo);
        schema = self.schema;
        owner = self.owner;
    });

    // What the deploy rule does not decide needs EXECUTE on
    // deploy_intent_model(bigint) (deploy_right.h). Intent has no stored
    // training options: its runs start from the defaults.
    const intent::TrainingRequest request = requested_options(fcinfo);
    require_deploy_right(request, intent::TrainingRequest(), DeployRightOf::Intent, [&] {
        bool may_deploy = false;
        pg_call([&]() noexcept {
            Oid argtype = INT8OID;
            Oid deploy = extension_function(schema, "deploy_intent_model", 1, &argtype);
            may_deploy = object_aclcheck(ProcedureRelationId, deploy, caller, ACL_EXECUTE) == ACLCHECK_OK;
        });
        return may_deploy;
    });

    Datum result = 0;
    bool result_null = true;
    pg_call([&]() noexcept {
        // COMPAT(0.2.x) The worker of 0.3.0 takes the classifier; until ALTER EXTENSION
        // UPDATE runs, the SQL of 0.2 has the three-argument one, whose C
        // step then records a failed run that says to update.
        Oid argtypes[6] = {TEXTOID, TEXTOID, JSONBOID, TEXTOID, TEXTOID, UUIDOID};
        Oid worker = extension_function_if_exists(schema, "_pg_intent_train_run", 6, argtypes);
        const int nargs = OidIsValid(worker) ? 6 : 3;
        if (!OidIsValid(worker)) worker = extension_function(schema, "_pg_intent_train_run", 3, argtypes);

        // The caller's three arguments; the built-in classifier,
        // unpartitioned, in no batch.
        const Datum args[6] = {
            PG_GETARG_DATUM(0), PG_GETARG_DATUM(1), PG_GETARG_DATUM(2), CStringGetTextDatum("intent"), 0, 0};
        const bool nulls[6] = {PG_ARGISNULL(0), PG_ARGISNULL(1), PG_ARGISNULL(2), false, true, true};

        AsExtensionOwner as_owner(owner);
        result = call_extension_function(worker, nargs, args, nulls, result_null);
    });
    if (result_null) PG_RETURN_NULL();
    return result;
}

// intent_training_options(p_options jsonb): train_intent_model()'s options,
// validated, with every effective value (the model's, then the run's).
PG_INTENT_FUNCTION(pg_intent_training_options) {
    intent::TrainingRequest request;
    request.apply_json(jsonb_to_utf8(PG_GETARG_DATUM(0)));
    return utf8_json_to_jsonb(request.to_json());
}
