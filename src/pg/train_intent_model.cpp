// train_intent_model(): the entry point of a training run.
//
// train_intent_model() decides things only some callers may ask for (a
// {"deploy": "always"} run deploys without passing the deploy rule), so it
// must know who called it. A SECURITY DEFINER function cannot: inside it,
// current_user is already the owner. So train_intent_model() is a C function
// that runs as its caller, checks the caller's privileges, then reads the
// built-in classifier's effective policy and training options once, as the
// extension owner, and runs its one run itself (train_run(), train_run.h):
// each step a SQL function called by OID as the owner (no name is resolved
// through the caller's search_path), the trainer called from C, reading its
// rows from ai_training_data (train_reader.cpp).
#include "as_owner.h"
#include "deploy_right.h"
#include "extension_locks.h"
#include "guard.h"
#include "intent_names.h"
#include "module.h"
#include "relations.h"
#include "train_run.h"

#include "json.h"
#include "options.h"
#include "text_io.h"

extern "C" {
#include "parser/parse_func.h"
#include "utils/acl.h"
#include "utils/lsyscache.h"
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

// COMPAT(0.3.1) 0.3.1's SQL and older, until ALTER EXTENSION UPDATE, have no
// _pg_intent_train_run_begin(): their PL/pgSQL worker _pg_intent_train_run()
// runs the run. COMPAT(0.2.x) The worker of 0.3.0 takes the classifier;
// 0.2's has three arguments, whose C step then records a failed run that
// says to update.
Datum train_by_older_worker(FunctionCallInfo fcinfo, Oid schema, Oid owner, bool &result_null) {
    Datum result = 0;
    pg_call([&]() noexcept {
        Oid argtypes[6] = {TEXTOID, TEXTOID, JSONBOID, TEXTOID, TEXTOID, UUIDOID};
        Oid worker = extension_function_if_exists(schema, "_pg_intent_train_run", 6, argtypes);
        const int nargs = OidIsValid(worker) ? 6 : 3;
        if (!OidIsValid(worker)) worker = extension_function(schema, "_pg_intent_train_run", 3, argtypes);

        // The caller's three arguments; the built-in classifier,
        // unpartitioned, in no batch.
        const Datum args[6] = {PG_GETARG_DATUM(0),
                               PG_GETARG_DATUM(1),
                               PG_GETARG_DATUM(2),
                               CStringGetTextDatum(intent::kBuiltinClassifier),
                               0,
                               0};
        const bool nulls[6] = {PG_ARGISNULL(0), PG_ARGISNULL(1), PG_ARGISNULL(2), false, true, true};

        AsExtensionOwner as_owner(owner);
        result = call_extension_function(worker, nargs, args, nulls, result_null);
    });
    return result;
}

// Whether the extension's SQL has the steps of a run that C owns
// (_pg_intent_train_run_begin(), train_run.h): not before ALTER EXTENSION
// UPDATE from 0.3.1 or older (train_by_older_worker()).
bool sql_has_run_steps(Oid schema) {
    bool found = false;
    pg_call([&]() noexcept {
        const Oid policy_rel = get_relname_relid("ai_training_policy", schema);
        if (!OidIsValid(policy_rel)) return;
        const Oid argtypes[8] = {
            TEXTOID, TEXTOID, JSONBOID, TEXTOID, TEXTOID, UUIDOID, get_rel_type_id(policy_rel), JSONBOID};
        found = OidIsValid(extension_function_if_exists(schema, "_pg_intent_train_run_begin", 8, argtypes));
    });
    return found;
}

} // namespace
} // namespace pg_intent

using namespace pg_intent;

// train_intent_model(p_run_name text, p_run_type text, p_options jsonb):
// checks what the caller asks for against the caller's privileges, then runs
// the run as the extension owner (train_run()).
PG_INTENT_FUNCTION(pg_intent_train_intent_model) {
    // Not inside another training of this backend (55000): a classifier's
    // source runs its code in it (TrainingInProgress).
    const TrainingInProgress training("train_intent_model()");
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

    if (!sql_has_run_steps(schema)) {
        bool result_null = true;
        const Datum result = train_by_older_worker(fcinfo, schema, owner, result_null);
        if (result_null) PG_RETURN_NULL();
        return result;
    }

    // The built-in classifier's effective policy (the row of
    // ai_training_policy: never session settings) and its training options
    // (none), read once, as the owner, by the rule every classifier's
    // training reads them (_pg_intent_classifier_policy(),
    // _pg_intent_classifier_training_options()): the run follows them
    // whatever an administrator commits meanwhile.
    RunCall call;
    call.owner = owner;
    call.run_name = PG_GETARG_DATUM(0);
    call.run_name_null = PG_ARGISNULL(0);
    call.run_type = PG_GETARG_DATUM(1);
    call.run_type_null = PG_ARGISNULL(1);
    call.options = PG_GETARG_DATUM(2);
    call.options_null = PG_ARGISNULL(2);
    Oid policy_fn = InvalidOid, options_fn = InvalidOid;
    pg_call([&]() noexcept {
        call.classifier = CStringGetTextDatum(intent::kBuiltinClassifier);
        const Oid argtypes[1] = {TEXTOID};
        policy_fn = extension_function(schema, "_pg_intent_classifier_policy", 1, argtypes);
        options_fn = extension_function(schema, "_pg_intent_classifier_training_options", 1, argtypes);
    });
    const RunFunctions fns = run_functions(schema);
    const std::optional<Datum> policy = call_as_owner(owner, policy_fn, 1, &call.classifier, nullptr);
    const std::optional<Datum> training_options =
        call_as_owner(owner, options_fn, 1, &call.classifier, nullptr);
    call.policy = policy.value_or(0);
    call.policy_null = !policy;
    call.training_options = training_options.value_or(0);
    call.training_options_null = !training_options;

    // The run: unpartitioned, in no batch, nothing more in its metrics; the
    // trainer as SQL calls it, which reads ai_training_data.
    return train_run(call, fns, RunPlace{}, nullptr, nullptr);
}

// intent_training_options(p_options jsonb): train_intent_model()'s options,
// validated, with every effective value (the model's, then the run's).
PG_INTENT_FUNCTION(pg_intent_training_options) {
    intent::TrainingRequest request;
    request.apply_json(jsonb_to_utf8(PG_GETARG_DATUM(0)));
    return utf8_json_to_jsonb(request.to_json());
}
