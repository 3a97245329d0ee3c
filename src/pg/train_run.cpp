// One training run, owned by C (train_run.h): begin, the trainer, record or
// failed, for train_intent_model() and each run of train_classifier().
#include "train_run.h"

#include "as_owner.h"
#include "memory_context.h"
#include "relations.h"
#include "subtransaction.h"

#include "errors.h"

extern "C" {
#include "utils/datum.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
}

#include <cstdio>
#include <cstring>

namespace pg_intent {

namespace {

constexpr const char *kHeadlineKeys[] = {"accuracy", "precision", "recall",
                                         "f1",       "coverage",  "accepted_accuracy"};

// A jsonb string key for pushJsonbValue().
JsonbValue jsonb_key(const char *key) noexcept {
    JsonbValue k;
    k.type = jbvString;
    k.val.string.val = const_cast<char *>(key);
    k.val.string.len = static_cast<int>(strlen(key));
    return k;
}

// headline_metrics() inside pg_call(): nullptr when `metrics` is not an object.
Jsonb *headline_metrics_in_pg(Jsonb *metrics) noexcept {
    if (!JB_ROOT_IS_OBJECT(metrics)) return nullptr;
    JsonbParseState *state = nullptr;
    pushJsonbValue(&state, WJB_BEGIN_OBJECT, nullptr);
    for (const char *key : kHeadlineKeys) {
        JsonbValue *v =
            getKeyJsonValueFromContainer(&metrics->root, key, static_cast<int>(strlen(key)), nullptr);
        if (!v) {
            char macro[32];
            snprintf(macro, sizeof macro, "macro_%s", key);
            v = getKeyJsonValueFromContainer(&metrics->root, macro, static_cast<int>(strlen(macro)), nullptr);
        }
        if (!v) continue;
        JsonbValue k = jsonb_key(key);
        pushJsonbValue(&state, WJB_KEY, &k);
        pushJsonbValue(&state, WJB_VALUE, v);
    }
    return JsonbValueToJsonb(pushJsonbValue(&state, WJB_END_OBJECT, nullptr));
}

// `result` (a jsonb object) with the key `key` set to `value` (JSON null
// for nullptr).
Datum with_key(Datum result, const char *key, Jsonb *value) noexcept {
    return DirectFunctionCall2(jsonb_concat, result,
                               jsonb_object_of(key, value ? JsonbPGetDatum(value) : 0, value == nullptr));
}

} // namespace

Datum jsonb_object_of(const char *key, Datum value, bool isnull) noexcept {
    JsonbParseState *state = nullptr;
    pushJsonbValue(&state, WJB_BEGIN_OBJECT, nullptr);
    JsonbValue k = jsonb_key(key);
    pushJsonbValue(&state, WJB_KEY, &k);
    JsonbValue v;
    if (!isnull) {
        Jsonb *j = DatumGetJsonbP(value);
        v.type = jbvBinary;
        v.val.binary.data = &j->root;
        v.val.binary.len = static_cast<int>(VARSIZE(j) - VARHDRSZ);
    } else {
        v.type = jbvNull;
    }
    pushJsonbValue(&state, WJB_VALUE, &v);
    return JsonbPGetDatum(JsonbValueToJsonb(pushJsonbValue(&state, WJB_END_OBJECT, nullptr)));
}

std::optional<Datum> headline_metrics(std::optional<Datum> metrics) {
    if (!metrics) return std::nullopt;
    Jsonb *out = nullptr;
    pg_call([&]() noexcept { out = headline_metrics_in_pg(DatumGetJsonbP(*metrics)); });
    if (!out) return std::nullopt;
    return JsonbPGetDatum(out);
}

RunFunctions run_functions(Oid schema) {
    RunFunctions f;
    pg_call([&]() noexcept {
        const Oid policy = get_rel_type_id(extension_relation(schema, "ai_training_policy"));
        const Oid begin_args[8] = {TEXTOID, TEXTOID, JSONBOID, TEXTOID, TEXTOID, UUIDOID, policy, JSONBOID};
        f.begin = extension_function(schema, "_pg_intent_train_run_begin", 8, begin_args);
        const Oid train_args[8] = {UUIDOID, JSONBOID, policy, INT8OID, UUIDOID, FLOAT8OID, TEXTOID, TEXTOID};
        f.train = extension_function(schema, "_pg_intent_train_table", 8, train_args);
        const Oid record_args[10] = {UUIDOID, TIMESTAMPTZOID, TEXTOID, TEXTOID,  UUIDOID,
                                     INT8OID, INT8OID,        policy,  JSONBOID, RECORDOID};
        f.record = extension_function(schema, "_pg_intent_train_run_record", 10, record_args);
        const Oid failed_args[11] = {UUIDOID, TIMESTAMPTZOID, TEXTOID, TEXTOID, policy,  TEXTOID,
                                     TEXTOID, TEXTOID,        TEXTOID, INT4OID, JSONBOID};
        f.failed = extension_function(schema, "_pg_intent_train_run_failed", 11, failed_args);
        const Oid state_args[1] = {TEXTOID};
        f.raised_again = extension_function(schema, "_pg_intent_run_error_raised_again", 1, state_args);
    });
    return f;
}

std::optional<Datum> call_as_owner(Oid owner, Oid fn, int nargs, const Datum *args, const bool *nulls) {
    Datum out = 0;
    bool isnull = false;
    pg_call([&]() noexcept {
        AsExtensionOwner as_owner(owner);
        out = call_extension_function(fn, nargs, args, nulls, isnull);
    });
    if (isnull) return std::nullopt;
    return out;
}

std::optional<Datum> row_field(Datum row, const char *name) {
    Datum out = 0;
    bool isnull = true;
    pg_call([&]() noexcept { out = GetAttributeByName(DatumGetHeapTupleHeader(row), name, &isnull); });
    if (isnull) return std::nullopt;
    return out;
}

Datum train_run(const RunCall &call, const RunFunctions &fns, const RunPlace &place, GuardedBodyWith trainer,
                void *rows) {
    // The run's values (the trainer's row holds the model's bytes and the
    // report) live in a context of the run's own, deleted when it
    // ends, as PL/pgSQL's were: a call of hundreds of partitions holds one
    // run's at a time. The result is copied out.
    const MemoryContext outer = CurrentMemoryContext;
    ScratchMemoryContext run_context("pg_intent training run", ScratchMemoryContext::Default);
    const MemoryContext scratch = run_context.get();
    CurrentMemoryContextScope in_run(scratch);
    // The call's part of the run's metrics (its policy's limits), then the
    // run's own extra, as the record and failed steps merge them.
    std::optional<Datum> run_extra = place.extra;
    if (call.call_metrics) {
        if (!run_extra)
            run_extra = call.call_metrics;
        else
            pg_call([&]() noexcept {
                run_extra = DirectFunctionCall2(jsonb_concat, *call.call_metrics, *place.extra);
            });
    }
    const Datum partition = place.partition.value_or(0), batch = place.batch.value_or(0),
                extra = run_extra.value_or(0), policy = call.policy;
    const Datum begin_args[8] = {call.run_name, call.run_type, call.options, call.classifier,
                                 partition,     batch,         policy,       call.training_options};
    const bool begin_nulls[8] = {
        call.run_name_null, call.run_type_null, call.options_null, false,
        !place.partition,   !place.batch,       call.policy_null,  call.training_options_null};
    const std::optional<Datum> begun = call_as_owner(call.owner, fns.begin, 8, begin_args, begin_nulls);
    if (!begun)
        throw SqlError(ERRCODE_INTERNAL_ERROR, intent::Message{N_("a training run did not begin"), {}});
    const std::optional<Datum> run_id = row_field(*begun, "run_id"), options = row_field(*begun, "options"),
                               started = row_field(*begun, "started"),
                               classifier_id = row_field(*begun, "classifier_id"),
                               active_id = row_field(*begun, "active_id"),
                               active_run = row_field(*begun, "active_run"),
                               active_estimate = row_field(*begun, "active_estimate");
    const Datum train_args[8] = {*run_id,
                                 *options,
                                 policy,
                                 active_id.value_or(0),
                                 active_run.value_or(0),
                                 active_estimate.value_or(0),
                                 call.classifier,
                                 partition};
    const bool train_nulls[8] = {
        false, false, call.policy_null, !active_id, !active_run, !active_estimate, false, !place.partition};
    if (!trainer) trainer = train_intent_rows;
    Datum result = 0;
    bool result_null = false;
    pg_call([&]() noexcept {
        AsExtensionOwner as_owner(call.owner);
        // The trainer (which inserts the run's rows itself, in batches:
        // run_rows.cpp) and the record, in one subtransaction, as
        // PL/pgSQL's exception block ran each: an error in either (refused
        // rows are the record's PI001) rolls back both, so no run row is
        // left without its model or run, and the run is recorded failed
        // with the rows it read and what it left out of them, if the
        // trainer got that far (TrainerCall).
        std::optional<Datum> rows_read;
        TrainerCall trainer_call;
        trainer_call.rows = rows;
        MemoryContext trainer_context = nullptr;
        ErrorData *error = in_subtransaction_in_pg([&]() noexcept {
            // The trainer's own allocations (its result's pieces as they
            // were built) go to a context of their own, freed once its row
            // is copied out, before the run is recorded.
            trainer_context = AllocSetContextCreate(scratch, "pg_intent trainer", ALLOCSET_DEFAULT_SIZES);
            MemoryContextSwitchTo(trainer_context);
            bool trained_null = false;
            Datum trained = call_extension_function_with(fns.train, 8, train_args, train_nulls, trained_null,
                                                         trainer, &trainer_call);
            MemoryContextSwitchTo(scratch);
            Jsonb *headline = nullptr;
            if (!trained_null) {
                trained = datumCopy(trained, false, -1);
                bool isnull = true;
                HeapTupleHeader t = DatumGetHeapTupleHeader(trained);
                Datum n = GetAttributeByName(t, "rows_read", &isnull);
                if (isnull) n = GetAttributeByName(t, "training_samples", &isnull);
                if (!isnull) rows_read = n;
                const Datum report = GetAttributeByName(t, "report", &isnull);
                // The result's final_metrics: the headline of the report's
                // metrics (t.report -> 'metrics'), here rather than by a
                // SQL call per run.
                if (!isnull) {
                    Jsonb *r = DatumGetJsonbP(report);
                    if (JB_ROOT_IS_OBJECT(r)) {
                        JsonbValue *m = getKeyJsonValueFromContainer(&r->root, "metrics", 7, nullptr);
                        if (m && m->type == jbvBinary && JsonContainerIsObject(m->val.binary.data))
                            headline = headline_metrics_in_pg(JsonbValueToJsonb(m));
                    }
                }
            }
            MemoryContextDelete(trainer_context);
            trainer_context = nullptr;
            const Datum args[10] = {*run_id, *started,       call.classifier,       partition,
                                    batch,   *classifier_id, active_id.value_or(0), policy,
                                    extra,   trained};
            const bool nulls[10] = {false,        false,       false,      !place.partition,
                                    !place.batch, false,       !active_id, call.policy_null,
                                    !run_extra,   trained_null};
            result = call_extension_function(fns.record, 10, args, nulls, result_null);
            if (!result_null) result = with_key(result, "final_metrics", headline);
        });
        MemoryContextSwitchTo(scratch);
        if (!error) return;
        if (!rows_read && trainer_call.rows_read) rows_read = Int32GetDatum(*trainer_call.rows_read);
        // The trainer's context is the run's (the abort does not free it).
        if (trainer_context) MemoryContextDelete(trainer_context);
        const Datum state = CStringGetTextDatum(unpack_sql_state(error->sqlerrcode));
        bool raised_null = false;
        const Datum raised = call_extension_function(fns.raised_again, 1, &state, nullptr, raised_null);
        if (!raised_null && DatumGetBool(raised)) ReThrowError(error);
        // What the trainer left out of the rows it read goes in the
        // metrics with the call's extra, as a trained run's report does:
        // for refused rows (the record's PI001) and any later failure alike.
        std::optional<Datum> failed_extra = run_extra;
        if (!trainer_call.read_counts.empty()) {
            const Datum counts =
                DirectFunctionCall1(jsonb_in, CStringGetDatum(trainer_call.read_counts.c_str()));
            failed_extra = run_extra ? DirectFunctionCall2(jsonb_concat, counts, *run_extra) : counts;
        }
        const Datum args[11] = {*run_id,
                                *started,
                                call.classifier,
                                partition,
                                policy,
                                state,
                                CStringGetTextDatum(error->message ? error->message : ""),
                                CStringGetTextDatum(error->detail ? error->detail : ""),
                                CStringGetTextDatum(error->hint ? error->hint : ""),
                                rows_read.value_or(0),
                                failed_extra.value_or(0)};
        const bool nulls[11] = {false, false, false, !place.partition, call.policy_null, false,
                                false, false, false, !rows_read,       !failed_extra};
        FreeErrorData(error);
        result = call_extension_function(fns.failed, 11, args, nulls, result_null);
    });
    if (result_null)
        throw SqlError(ERRCODE_INTERNAL_ERROR, intent::Message{N_("a training run recorded nothing"), {}});
    pg_call([&]() noexcept {
        MemoryContextSwitchTo(outer);
        result = datumCopy(result, false, -1);
        MemoryContextSwitchTo(scratch);
    });
    return result;
}

} // namespace pg_intent

using namespace pg_intent;

// _pg_intent_headline_metrics(p_metrics jsonb): headline_metrics(), NULL
// for NULL or what is not an object.
PG_INTENT_FUNCTION(pg_intent_headline_metrics) {
    if (PG_ARGISNULL(0)) PG_RETURN_NULL();
    const std::optional<Datum> out = headline_metrics(PG_GETARG_DATUM(0));
    if (!out) PG_RETURN_NULL();
    return *out;
}
