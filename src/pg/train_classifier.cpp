// train_classifier(): the entry point of a classifier's training.
//
// The order is the rule: the caller's right to train is checked (the
// classifier's grants decide who may call), then the source is read AS THE
// CLASSIFIER'S OWNER in a security-restricted operation (as_owner.h: the
// owner's rights decide what is read; the source's views, policies and
// functions run as the role that chose them, never as the caller, and the
// settings they change are rolled back), and only then does the run switch
// to the extension owner, to record runs and models in the extension's
// tables: train_classifier_runs() owns the runs of the call (the fallback,
// then each partition it decides to train), each step's bookkeeping a SQL
// function called by OID, and runs each run itself (train_run(),
// train_run.h), whose trainer it gives the rows it read: no rows wait in a
// backend global for a SQL call.
// The built-in classifier "intent" is train_intent_model(), called as the
// caller.
#include "as_owner.h"
#include "classifier_options.h"
#include "classifier_source.h"
#include "deploy_right.h"
#include "extension_locks.h"
#include "guard.h"
#include "models_changed.h"
#include "module.h"
#include "read_snapshot.h"
#include "relations.h"
#include "subtransaction.h"
#include "text_io.h"
#include "train_run.h"

#include "json.h"
#include "memory_budget.h"
#include "options.h"

extern "C" {
#include "access/xact.h"
#include "executor/executor.h"
#include "parser/parse_func.h"
#include "utils/datetime.h"
#include "utils/fmgrprotos.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
}

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pg_intent {
namespace {

std::optional<std::string> optional_string(const intent::Json &def, const char *key) {
    auto it = def.find(key);
    if (it == def.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
}

// The source's rows that could train (later than `since`, with a
// time_column, when given), counted by `fn`
// (_pg_intent_classifier_count_plan()'s statement, as the owner) in a
// subtransaction: false when it fails. The count reads the label of rows the
// reader never reaches (no text), and a label that fails to read there (a
// view's cast) must not fail a training that would not read it: the run
// then records no count, and the next count compares with its input_rows.
// A cancel or shutdown is raised again.
bool count_source_in_pg(Oid fn, Datum name, std::optional<TimestampTz> since, int64 &out) noexcept {
    bool counted = false;
    ErrorData *error = in_subtransaction_in_pg([&]() noexcept {
        Datum args[3] = {name, since ? TimestampTzGetDatum(*since) : 0, 0};
        bool nulls[3] = {false, !since, true};
        bool isnull = true;
        const Datum n = call_extension_function(fn, 3, args, nulls, isnull);
        if (isnull) return;
        out = DatumGetInt64(n);
        counted = true;
    });
    if (!error) return counted;
    FreeErrorData(error);
    return false;
}

// FNV-1a over bytes, continuing from h.
uint64_t fnv1a(uint64_t h, const void *data, size_t size) {
    const auto *p = static_cast<const unsigned char *>(data);
    for (size_t i = 0; i < size; ++i)
        h = (h ^ p[i]) * 0x100000001b3ULL;
    return h;
}

// splitmix64's finaliser: spreads a row's hash before the rows are summed.
uint64_t mix64(uint64_t x) {
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

// What a partition's run trains on, as one value: the sum of its rows'
// hashes (text, label, weight, reviewed, corrected, key; order-independent, so the
// read order does not matter) and their number. Equal values: the same rows
// (to a 2^-64 chance), so a run would train the same model again
// (_pg_intent_train_classifier_partitions() skips it; issue 34, point 4).
// Only of the partitions with at least `min_rows` rows: the others never
// train, and a copy of each of their values here was memory no budget
// charged (100,000 partitions of one row and a 2 kB value each, which a
// role that may only log rows can write, took the backend 0.9 GB past the
// read's charge; test/scripts/partition_memory.sh).
// Only of the partitions the call reaches (`reached`, their values): one
// past max_partitions_per_classifier is only counted too. What the map
// holds is charged to `charge` (the call's budget).
std::map<std::string, std::string> partition_fingerprints(const StagedSource &staged,
                                                          const std::set<std::string_view> &reached,
                                                          intent::MemoryCharge &charge) {
    std::map<std::string, std::pair<uint64_t, uint64_t>> acc;
    for (const StagedRow &s : staged.rows) {
        if (s.partition_null) continue;
        if (reached.find(s.partition) == reached.end()) continue;
        const DataRow &r = s.row;
        const char sep = '\x1f';
        uint64_t h = 0xcbf29ce484222325ULL;
        h = fnv1a(h, r.text.data(), r.text.size());
        h = fnv1a(h, &sep, 1);
        h = fnv1a(h, r.label.data(), r.label.size());
        h = fnv1a(h, &sep, 1);
        h = fnv1a(h, r.key.data(), r.key.size());
        h = fnv1a(h, &r.weight, sizeof r.weight);
        // A corrected row trains otherwise (its weight, its label's ties):
        // a partition whose row a person corrected trains again. Rows
        // without a correction hash as before it was read (0.3.2).
        const char flags =
            static_cast<char>((r.reviewed ? 1 : 0) | (r.truncated ? 2 : 0) | (r.corrected ? 4 : 0));
        h = fnv1a(h, &flags, 1);
        auto found = acc.find(s.partition);
        if (found == acc.end()) {
            // the accumulator's entry, then the result's (its value and print)
            charge.add(2 * s.partition.size() + intent::tree_entry_bytes<decltype(acc)::value_type>() +
                           intent::tree_entry_bytes<std::map<std::string, std::string>::value_type>() + 48,
                       "the partitions' fingerprints");
            found = acc.emplace(s.partition, std::pair<uint64_t, uint64_t>(0, 0)).first;
        }
        auto &a = found->second;
        a.first += mix64(h);
        a.second += 1;
    }
    std::map<std::string, std::string> out;
    for (const auto &[name, a] : acc) {
        char buf[48];
        snprintf(buf, sizeof buf, "%016llx-%llu", static_cast<unsigned long long>(a.first),
                 static_cast<unsigned long long>(a.second));
        out.emplace(name, buf);
    }
    return out;
}

// The effective policy the call read once (_pg_intent_classifier_for_training():
// to_jsonb() of the ai_training_policy row, whose table holds the only
// defaults). COMPAT(0.3.1) 0.3.0's and 0.3.1's version of that function,
// which runs with this library until ALTER EXTENSION UPDATE, passed no
// "policy" object but some of its keys at the top level of the definition.
const intent::Json &definition_policy(const intent::Json &def) {
    const auto it = def.find("policy");
    return it != def.end() && it->is_object() ? *it : def;
}

// A policy value of the classifier's definition. COMPAT(0.3.1) 0.3.0's and
// 0.3.1's definition had no max_unreviewed_message_bytes, no
// max_concurrent_trainings, no max_unreviewed_rows, no
// min_unreviewed_intent_rows and no max_intents: for those, the values
// 0.3.1's library used with it (no bound on unreviewed rows; the read
// counts every label, as 0.3.1's did, the run still applies the policy
// row's label bounds).
int64_t definition_policy_value(const intent::Json &def, const char *key) {
    const intent::Json &policy = definition_policy(def);
    const auto it = policy.find(key);
    if (it != policy.end() && it->is_number_integer()) return it->get<int64_t>();
    static const std::pair<const char *, int64_t> kBefore032[] = {{"max_unreviewed_message_bytes", 2048},
                                                                  {"max_concurrent_trainings", 4},
                                                                  {"max_unreviewed_rows", INT64_MAX},
                                                                  {"min_unreviewed_intent_rows", 1},
                                                                  {"max_intents", INT32_MAX}};
    for (const auto &[name, value] : kBefore032)
        if (strcmp(name, key) == 0 && it == policy.end()) return value;
    throw SqlError(ERRCODE_INTERNAL_ERROR,
                   intent::Message{N_("the classifier's definition has no value for \"%s\""), {key}});
}

// What every step of one train_classifier() call passes on: its arguments
// (what each run is given, RunCall) and the definition it read at its start
// (step 1).
struct ClassifierCall {
    Oid schema = InvalidOid;
    RunCall run; // run.classifier is the classifier's name, run.options the caller's
    Datum definition = 0;
};

// A step's function (46_classifier_train.sql), by OID, as the extension
// owner with search_path pinned: nullopt for a NULL result.
std::optional<Datum> call_step(const ClassifierCall &call, Oid fn, int nargs, const Datum *args,
                               const bool *nulls) {
    return call_as_owner(call.run.owner, fn, nargs, args, nulls);
}

// `d`'s value of the top-level key `key` (a jsonb object that has it).
Datum jsonb_field(Datum d, const char *key) {
    Datum out = 0;
    pg_call([&]() noexcept { out = DirectFunctionCall2(jsonb_object_field, d, CStringGetTextDatum(key)); });
    return out;
}

// A one-dimensional array of `items`, of type `type`: text and jsonb both
// are varlena, int-aligned.
Datum varlena_array(const std::vector<Datum> &items, Oid type) {
    Datum out = 0;
    pg_call([&]() noexcept {
        out = PointerGetDatum(construct_array(const_cast<Datum *>(items.data()),
                                              static_cast<int>(items.size()), type, -1, false, TYPALIGN_INT));
    });
    return out;
}

// The elements of the one-dimensional jsonb array `array` (NULL elements as
// nullopt).
std::vector<std::optional<Datum>> jsonb_array_items(Datum array) {
    Datum *items = nullptr;
    bool *nulls = nullptr;
    int n = 0;
    pg_call([&]() noexcept {
        deconstruct_array(DatumGetArrayTypeP(array), JSONBOID, -1, false, TYPALIGN_INT, &items, &nulls, &n);
    });
    std::vector<std::optional<Datum>> out;
    out.reserve(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i)
        out.push_back(nulls[i] ? std::nullopt : std::optional<Datum>(items[i]));
    return out;
}

// One partition of the staged rows, as the loop sees it.
struct PartitionStep {
    const std::string *value = nullptr; // the staged map's key, in the server encoding
    Datum name = 0; // text of `value`: only for a partition reached or named over the limit
    int32 rows = 0, reviewed = 0;
    std::string print; // partition_fingerprints(), empty without one
    bool below = false;
    int64_t rank = 0; // among those not below the minimum; 0 without one
};

// The functions of a call's steps around its runs (46_classifier_train.sql),
// by OID.
struct StepFunctions {
    Oid partitions = InvalidOid, finish = InvalidOid, limits = InvalidOid;
};

StepFunctions step_functions(Oid schema) {
    StepFunctions f;
    pg_call([&]() noexcept {
        const Oid partition_args[6] = {TEXTOID, JSONBOID, TEXTARRAYOID, INT4ARRAYOID, TEXTARRAYOID, JSONBOID};
        f.partitions =
            extension_function(schema, "_pg_intent_train_classifier_partitions", 6, partition_args);
        const Oid finish_args[13] = {JSONBOID, JSONBOID,     UUIDOID,       JSONBARRAYOID, INT4OID,
                                     INT4OID,  INT4OID,      JSONBARRAYOID, INT4OID,       TEXTARRAYOID,
                                     INT4OID,  TEXTARRAYOID, INT4OID};
        f.finish = extension_function(schema, "_pg_intent_train_classifier_finish", 13, finish_args);
        const Oid limits_args[1] = {get_rel_type_id(extension_relation(schema, "ai_training_policy"))};
        f.limits = extension_function(schema, "_pg_intent_policy_limits", 1, limits_args);
    });
    return f;
}

// One run of the call (the fallback's, or a partition's): train_run() with
// the rows this call read (train_classifier_rows()). `extra` goes into the
// run's metrics. Returns the run's result.
Datum train_classifier_run(const RunCall &run, const RunFunctions &fns, Datum batch,
                           std::optional<Datum> partition, Datum extra, const StagedSource &staged) {
    RunPlace place;
    place.batch = batch;
    place.partition = partition;
    place.extra = extra;
    return train_run(run, fns, place, train_classifier_rows, const_cast<StagedSource *>(&staged));
}

// The runs of one call, owned here: the fallback (or unpartitioned) run
// first, then each partition in byte order, each trained with the rows this
// call read (train_run()). Which partitions train is decided here; what the
// call records around them is SQL's (_pg_intent_train_classifier_start(),
// _partitions(), once for every partition it reaches, _finish()).
// Of the partitions with min_partition_rows rows, at most
// max_partitions_per_classifier train: those with the most reviewed rows,
// then the most rows, then in byte order (rows anyone may log take no slot
// from a partition with reviewed rows).
std::optional<Datum> train_classifier_runs(const ClassifierCall &call, Oid start_fn,
                                           const StagedSource &staged, intent::MemoryCharge &charge) {
    const RunFunctions fns = run_functions(call.schema);
    const StepFunctions step_fns = step_functions(call.schema);
    // Each run's model INSERT (and deploy) would send a relcache
    // invalidation of ai_intent_models at once, and this backend would plan
    // the next run's statements over the table again: sent once, before the
    // finish step, in the same transaction (other backends see it at commit
    // as before).
    DeferredModelInvalidations invalidations;

    // The call's batch, what the fallback's run records of the read, the
    // policy row and the partition bounds.
    const Datum start_args[2] = {call.run.classifier, call.definition};
    const std::optional<Datum> started = call_step(call, start_fn, 2, start_args, nullptr);
    if (!started) return std::nullopt;
    const Datum batch = *row_field(*started, "batch_id");
    const Datum read_facts = *row_field(*started, "read_facts");
    RunCall run_call = call.run;
    run_call.policy = *row_field(*started, "policy");
    // What each run records of the policy's limits, computed once for the
    // call (each run's record step computed it again: 101 calls for 500 shops).
    if (const std::optional<Datum> limits = call_step(call, step_fns.limits, 1, &run_call.policy, nullptr)) {
        Datum object = 0;
        pg_call([&]() noexcept { object = jsonb_object_of("limits", *limits, false); });
        run_call.call_metrics = object;
    }
    std::optional<int32> min_rows, max_partitions;
    if (const std::optional<Datum> d = row_field(*started, "min_partition_rows"))
        min_rows = DatumGetInt32(*d);
    if (const std::optional<Datum> d = row_field(*started, "max_partitions_per_classifier"))
        max_partitions = DatumGetInt32(*d);

    // The fallback first: its out-of-fold answers judge the partitions' first models.
    const Datum fallback = train_classifier_run(run_call, fns, batch, std::nullopt, read_facts, staged);

    // The partitions, in byte order (the staged map's), ranked. What this
    // holds of each is charged to the call's budget (`charge`, the read's):
    // a role that may only log rows decides how many there are.
    constexpr size_t kNamed = 100; // the first 100 of each list are named
    std::vector<PartitionStep> parts;
    charge.add(staged.partition_rows.size() * (sizeof(PartitionStep) + sizeof(std::optional<Datum>)),
               "the partitions' steps");
    parts.reserve(staged.partition_rows.size());
    for (const auto &[value, rows] : staged.partition_rows) {
        PartitionStep p;
        p.value = &value;
        p.rows = static_cast<int32>(rows.rows);
        p.reviewed = static_cast<int32>(rows.reviewed);
        p.below = min_rows && p.rows < *min_rows;
        parts.push_back(std::move(p));
    }
    if (min_rows) {
        std::vector<size_t> order;
        for (size_t i = 0; i < parts.size(); ++i)
            if (!parts[i].below) order.push_back(i);
        // parts is in byte order already: a stable sort keeps it among equals.
        std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
            if (parts[a].reviewed != parts[b].reviewed) return parts[a].reviewed > parts[b].reviewed;
            return parts[a].rows > parts[b].rows;
        });
        for (size_t k = 0; k < order.size(); ++k)
            parts[order[k]].rank = static_cast<int64_t>(k) + 1;
    }

    // The partitions the call reaches (not below min_partition_rows, within
    // max_partitions_per_classifier), in byte order: which of them are
    // skipped, and what each other run records, in one SQL call for all of
    // them (_pg_intent_train_classifier_partitions(); a call per partition
    // before). Only those, and the first kNamed over the limit, get a name
    // (a copy of their value), and only those a fingerprint: one below the
    // minimum or over the limit is only counted (0.3.2 before this named and
    // fingerprinted every partition over the limit, uncharged:
    // test/scripts/partition_memory.sh).
    std::vector<size_t> reached;
    std::set<std::string_view> reached_values;
    size_t over_named = 0;
    for (size_t i = 0; i < parts.size(); ++i) {
        PartitionStep &p = parts[i];
        if (p.below) continue;
        const bool over = max_partitions && p.rank > *max_partitions;
        if (over && over_named++ >= kNamed) continue;
        charge.add(p.value->size() + VARHDRSZ, "the partitions' names");
        p.name = server_bytes_to_text(*p.value);
        if (over) continue;
        // its entry in reached_values (a view of the staged key) and its print
        charge.add(intent::tree_entry_bytes<std::string_view>() + 48, "the partitions' steps");
        reached.push_back(i);
        reached_values.insert(*p.value);
    }
    const std::map<std::string, std::string> fingerprints =
        partition_fingerprints(staged, reached_values, charge);
    for (size_t i : reached) {
        const auto it = fingerprints.find(*parts[i].value);
        if (it != fingerprints.end()) parts[i].print = it->second;
    }
    std::vector<std::optional<Datum>> steps(parts.size());
    if (!reached.empty()) {
        std::vector<Datum> names, reviewed, prints;
        for (size_t i : reached) {
            names.push_back(parts[i].name);
            reviewed.push_back(Int32GetDatum(parts[i].reviewed));
            prints.push_back(utf8_to_text(parts[i].print));
        }
        Datum reviewed_array = 0;
        pg_call([&]() noexcept {
            reviewed_array = PointerGetDatum(construct_array(
                reviewed.data(), static_cast<int>(reviewed.size()), INT4OID, 4, true, TYPALIGN_INT));
        });
        const Datum args[6] = {call.run.classifier,
                               call.run.options,
                               varlena_array(names, TEXTOID),
                               reviewed_array,
                               varlena_array(prints, TEXTOID),
                               call.definition};
        const std::optional<Datum> answers = call_step(call, step_fns.partitions, 6, args, nullptr);
        if (answers) {
            const std::vector<std::optional<Datum>> items = jsonb_array_items(*answers);
            for (size_t k = 0; k < reached.size() && k < items.size(); ++k)
                steps[reached[k]] = items[k];
        }
    }

    // Each partition, in byte order.
    std::vector<Datum> results, unchanged_list, unreviewed_list, skipped;
    int32 below = 0, over = 0, unchanged = 0, unreviewed = 0;
    for (size_t i = 0; i < parts.size(); ++i) {
        const PartitionStep &p = parts[i];
        if (p.below) {
            ++below;
            continue;
        }
        if (max_partitions && p.rank > *max_partitions) {
            if (skipped.size() < kNamed) skipped.push_back(p.name);
            ++over;
            continue;
        }
        const std::optional<Datum> &step = steps[i];
        if (!step) continue;
        bool was_skipped = false;
        std::string why;
        pg_call([&]() noexcept {
            was_skipped =
                DatumGetBool(DirectFunctionCall2(jsonb_exists, *step, CStringGetTextDatum("skipped")));
        });
        if (was_skipped) why = jsonb_to_utf8(jsonb_field(*step, "skipped"));
        if (!was_skipped) {
            const Datum run =
                train_classifier_run(run_call, fns, batch, p.name, jsonb_field(*step, "record"), staged);
            Datum entry = 0;
            pg_call([&]() noexcept {
                entry = DirectFunctionCall2(jsonb_delete, run, CStringGetTextDatum("classifier"));
            });
            results.push_back(entry);
        } else if (why == "\"unchanged\"") {
            if (unchanged_list.size() < kNamed) unchanged_list.push_back(jsonb_field(*step, "entry"));
            ++unchanged;
        } else {
            if (unreviewed_list.size() < kNamed) unreviewed_list.push_back(p.name);
            ++unreviewed;
        }
    }

    // What the call left untrained, with the fallback's run, and the result.
    const Datum finish_args[13] = {call.definition,
                                   fallback,
                                   batch,
                                   varlena_array(results, JSONBOID),
                                   Int32GetDatum(below),
                                   Int32GetDatum(min_rows.value_or(0)),
                                   Int32GetDatum(unchanged),
                                   varlena_array(unchanged_list, JSONBOID),
                                   Int32GetDatum(unreviewed),
                                   varlena_array(unreviewed_list, TEXTOID),
                                   Int32GetDatum(over),
                                   varlena_array(skipped, TEXTOID),
                                   Int32GetDatum(max_partitions.value_or(0))};
    bool finish_nulls[13] = {false};
    finish_nulls[5] = !min_rows;
    finish_nulls[12] = !max_partitions;
    invalidations.flush();
    return call_step(call, step_fns.finish, 13, finish_args, finish_nulls);
}

} // namespace
} // namespace pg_intent

using namespace pg_intent;

// train_classifier(p_name text, p_run_name text, p_options jsonb).
PG_INTENT_FUNCTION(pg_intent_train_classifier) {
    if (PG_ARGISNULL(0))
        throw SqlError(ERRCODE_NULL_VALUE_NOT_ALLOWED, intent::Message{N_("p_name must not be null"), {}});
    if (PG_ARGISNULL(2))
        throw SqlError(ERRCODE_NULL_VALUE_NOT_ALLOWED, intent::Message{N_("p_options must not be null"), {}},
                       {}, N_("Pass '{}' for the default options."));
    const Oid fn_oid = fcinfo->flinfo->fn_oid;
    const Oid caller = GetUserId();
    Oid schema = InvalidOid, owner = InvalidOid;
    pg_call([&]() noexcept {
        const CallingFunction self = calling_function(fcinfo);
        schema = self.schema;
        owner = self.owner;
    });

    // 1. The classifier, if the caller may train it (42704, 42501 otherwise),
    //    with its effective policy: a SECURITY DEFINER function, by OID.
    Datum definition = 0;
    pg_call([&]() noexcept {
        Oid argtypes[2] = {TEXTOID, OIDOID};
        Oid fn = extension_function(schema, "_pg_intent_classifier_for_training", 2, argtypes);
        Datum args[2] = {PG_GETARG_DATUM(0), ObjectIdGetDatum(caller)};
        bool isnull = false;
        definition = call_extension_function(fn, 2, args, nullptr, isnull);
    });
    const intent::Json def = intent::parse_json(jsonb_to_utf8(definition), "classifier definition");

    // The built-in classifier is train_intent_model(), with its own checks.
    if (def.value("built_in", false)) {
        Datum result = 0;
        bool isnull = false;
        pg_call([&]() noexcept {
            Oid argtypes[3] = {TEXTOID, TEXTOID, JSONBOID};
            Oid fn = extension_function(schema, "train_intent_model", 3, argtypes);
            Datum args[3] = {PG_GETARG_DATUM(1), CStringGetTextDatum("full"), PG_GETARG_DATUM(2)};
            bool nulls[3] = {PG_ARGISNULL(1), false, false};
            result = call_extension_function(fn, 3, args, nulls, isnull);
        });
        if (isnull) PG_RETURN_NULL();
        return result;
    }
    // Not inside another training of this backend (55000): the source's code
    // runs in it (TrainingInProgress).
    const TrainingInProgress training("train_classifier()");

    // 2. The options, parsed and validated once as the caller (22023 names a
    //    bad key): the classifier's training options, which its owner
    //    stored, with the caller's over them, as every run of this call
    //    reads them (_pg_intent_train_run_begin()). What the caller
    //    changes there that skips or weakens the deploy rule needs the right
    //    to deploy this classifier, as for train_intent_model().
    intent::TrainingRequest stored;
    if (const auto it = def.find("training_options"); it != def.end() && it->is_object())
        stored.apply_json(intent::dump_json(*it));
    const std::string caller_options = jsonb_to_utf8(PG_GETARG_DATUM(2));
    intent::TrainingRequest request = stored;
    request.apply_json(caller_options);
    // The bounds of this run alone, without the owner's: they decide below
    // whether the run reads by standing bounds, which the retraining count
    // starts from.
    intent::TrainingRequest own;
    own.apply_json(caller_options);
    // The keys a named classifier may not set, refused in this call's
    // options by the list its stored options are checked by
    // (classifier_options.h): the same 22023 wherever a key is set.
    refuse_reserved_options(own, OptionsOf::NamedClassifier);

    require_deploy_right(request, stored, DeployRightOf::Classifier,
                         [&] { return def.value("may_deploy", false); });

    // The classifier's training lock and a training slot, before anything
    // is read (55P03 naming the holder's pid): one training per classifier,
    // at most max_concurrent_trainings in all (extension_locks.h).
    lock_training(fn_oid, def.value("name", std::string()),
                  static_cast<int>(definition_policy_value(def, "max_concurrent_trainings")));

    // 3. The rows, read as the classifier's owner, restricted.
    ClassifierColumns columns;
    columns.name = def.value("name", std::string());
    columns.source = static_cast<Oid>(def.value("source", static_cast<int64_t>(0)));
    columns.text = def.value("text_column", std::string());
    columns.label = def.value("label_column", std::string());
    columns.key = optional_string(def, "key_column");
    columns.time = optional_string(def, "time_column");
    columns.weight = optional_string(def, "weight_column");
    columns.reviewed = optional_string(def, "reviewed_column");
    columns.partition = optional_string(def, "partition_column");
    columns.corrected = optional_string(def, "corrected_column");
    SourceSelection sel;
    const intent::Json &policy = definition_policy(def);
    sel.only_reviewed = policy.value("only_reviewed", false) || request.run.only_reviewed;
    if (policy.contains("max_training_rows") && policy["max_training_rows"].is_number())
        sel.max_rows = policy["max_training_rows"].get<int64_t>();
    if (request.run.limit < INT32_MAX && (!sel.max_rows || request.run.limit < *sel.max_rows))
        sel.max_rows = request.run.limit;
    if (def.contains("gate_window_days") && def["gate_window_days"].is_number())
        sel.window_days = def["gate_window_days"].get<double>();
    sel.unreviewed.message_bytes =
        static_cast<int>(definition_policy_value(def, "max_unreviewed_message_bytes"));
    sel.unreviewed.max_rows = std::max<int64_t>(definition_policy_value(def, "max_unreviewed_rows"), 1);
    // The bounds on the labels each run applies (training_policy(): the
    // same policy row, the same clamps).
    sel.unreviewed.min_intent_rows =
        static_cast<int>(std::max<int64_t>(definition_policy_value(def, "min_unreviewed_intent_rows"), 1));
    sel.unreviewed.max_intents =
        static_cast<int>(std::max<int64_t>(definition_policy_value(def, "max_intents"), 2));
    // The texts without a label, for the subword vectors only, as for
    // ai_training_data (train_entry.cpp). With subword_vectors "auto" (the
    // default) only for a classifier without partitions, and only once its
    // labelled rows show thin labels (read_classifier_source()).
    const bool auto_mode = request.model.subword_auto_mode();
    if (request.model.subword_vectors || (auto_mode && !columns.partition)) {
        UnlabelledBounds bounds;
        bounds.max_rows = std::min<int64_t>(request.model.subword_unlabelled_rows, sel.unreviewed.max_rows);
        bounds.max_bytes = request.model.subword_unlabelled_bytes;
        pg_call([&]() noexcept { bounds.message_bytes = message_bytes_to_read(false, sel.unreviewed); });
        sel.unlabelled = bounds;
        if (auto_mode) sel.unlabelled_if_thin = request.model.min_intent_rows;
    }
    intent::MemoryBudget budget(static_cast<size_t>(definition_policy_value(def, "max_training_memory_mb")) *
                                1024 * 1024);
    intent::MemoryCharge charge(&budget);
    // Without a time_column, the retraining count compares the source's
    // rows that could train with this count at the start of the last run
    // (_pg_intent_classifier_count_plan(): one statement for both), taken
    // as the owner before the read, so that a row added meanwhile is new to
    // the next count rather than lost to it. Recorded on the fallback's run
    // (source_rows_counted) through the definition.
    // Only for a run that reads by the policy's bounds: after one with its
    // own ({"limit": 40}, {"only_reviewed": true}), the rows it left unread
    // are still new, as the rows it trained on (input_rows) say.
    const bool run_bounds =
        own.run.limit < INT32_MAX || (own.run.only_reviewed && !policy.value("only_reviewed", false));
    if (!columns.time && !run_bounds) {
        pg_call([&]() noexcept {
            Oid argtypes[3] = {TEXTOID, TIMESTAMPTZOID, TIMESTAMPTZOID};
            const Oid fn =
                extension_function_if_exists(schema, "_pg_intent_count_classifier_source", 3, argtypes);
            if (!OidIsValid(fn)) return; // COMPAT(0.3.1) its SQL has no such count
            int64 n = 0;
            if (!count_source_in_pg(fn, PG_GETARG_DATUM(0), std::nullopt, n)) return;
            const Datum patch = DirectFunctionCall1(
                jsonb_in, CStringGetDatum(psprintf("{\"source_rows_counted\": " INT64_FORMAT "}", n)));
            definition = DirectFunctionCall2(jsonb_concat, definition, patch);
        });
    }
    // With a time_column the count is of the rows later than the last run's
    // start: after a run with bounds of its own, the rows it left unread
    // would no longer count. Recorded on the fallback's run
    // (source_read_bounded), which the count then does not start from.
    if (columns.time && run_bounds) {
        pg_call([&]() noexcept {
            const Datum patch =
                DirectFunctionCall1(jsonb_in, CStringGetDatum("{\"source_read_bounded\": true}"));
            definition = DirectFunctionCall2(jsonb_concat, definition, patch);
        });
    }
    // With a time_column, the read's horizon (source_new_since: the oldest
    // start of a transaction in progress, _pg_intent_source_read_horizon()),
    // from which the next retraining count counts, and the rows that count
    // already finds here (source_rows_since_horizon), which it subtracts:
    // both recorded on the fallback's run through the definition
    // (_pg_intent_source_new_since(), _pg_intent_classifier_count_plan()).
    // The horizon is taken BEFORE the snapshot the read uses, which in READ
    // COMMITTED is taken afresh for it: a transaction whose rows that
    // snapshot does not see was in progress when the horizon was taken, or
    // began after, so the rows it dates by its start are later than the
    // horizon and counted new. The statement's snapshot, older than the
    // horizon, would not see rows committed between the two, dated before
    // it: lost to the count. (In REPEATABLE READ the read uses the
    // transaction's snapshot: a row committed between it and the horizon is
    // the rule's documented limit.) The rows the read finds later than the
    // horizon are counted before the read, under the read's snapshot, up to
    // the clock (the count's present, never now(): a row committed after
    // this transaction began and dated so was read, and must be
    // subtracted), so that a row committed between the two is counted new
    // again (conservative) and never subtracted unread; without the
    // subtraction, every row the run trained on after a transaction left
    // open for hours would count new at every call.
    // Whom the source is read as is looked up first, under the statement's
    // snapshot: under the fresh one, a drop of the classifier and a create
    // of its name by another role committed meanwhile would make it that
    // role (test/scripts/classifier_name_taken.sh).
    const Oid source_owner = classifier_owner(schema, owner, columns.name);
    ReadSnapshot read_snapshot;
    if (columns.time && !run_bounds) {
        std::optional<TimestampTz> horizon;
        pg_call([&]() noexcept {
            const Oid fn = extension_function_if_exists(schema, "_pg_intent_source_read_horizon", 0, nullptr);
            if (!OidIsValid(fn)) return;
            bool isnull = true;
            const Datum d = call_extension_function(fn, 0, nullptr, nullptr, isnull);
            if (isnull) return;
            horizon = DatumGetTimestampTz(d);
            if (!IsolationUsesXactSnapshot()) {
                CommandCounterIncrement();
                read_snapshot.push_fresh_in_pg();
            }
        });
        if (horizon) {
            pg_call([&]() noexcept {
                Oid argtypes[3] = {TEXTOID, TIMESTAMPTZOID, TIMESTAMPTZOID};
                const Oid fn =
                    extension_function_if_exists(schema, "_pg_intent_count_classifier_source", 3, argtypes);
                int64 n = 0;
                // Not counted (the count failed): the horizon alone, from
                // which the next count takes every later row as new.
                const bool counted = OidIsValid(fn) && count_source_in_pg(fn, PG_GETARG_DATUM(0), horizon, n);
                char at[MAXDATELEN + 1];
                JsonEncodeDateTime(at, TimestampTzGetDatum(*horizon), TIMESTAMPTZOID, nullptr);
                const char *json =
                    counted
                        ? psprintf(
                              "{\"source_new_since\": \"%s\", \"source_rows_since_horizon\": " INT64_FORMAT
                              "}",
                              at, n)
                        : psprintf("{\"source_new_since\": \"%s\"}", at);
                const Datum patch = DirectFunctionCall1(jsonb_in, CStringGetDatum(json));
                definition = DirectFunctionCall2(jsonb_concat, definition, patch);
            });
        }
    }
    StagedSource staged;
    {
        AsOwnerRestricted as_source_owner(source_owner, schema);
        staged = read_classifier_source(schema, columns, sel, charge);
    }
    read_snapshot.pop();

    // 4. The runs, as the extension owner, each trained with the rows just
    //    read (train_classifier_runs()).
    const Oid start_args[2] = {TEXTOID, JSONBOID};
    Oid start_fn = InvalidOid;
    pg_call([&]() noexcept {
        start_fn = extension_function_if_exists(schema, "_pg_intent_train_classifier_start", 2, start_args);
    });
    if (!OidIsValid(start_fn)) {
        // COMPAT(0.3.1) 0.3.1's SQL, until ALTER EXTENSION UPDATE, has the worker that
        // reads the policy again, checks the caller again, and trains every
        // partition (no fingerprints), calling the trainer by SQL: only for it
        // are the rows left where that trainer finds them (Compat031Staged).
        std::vector<Datum> name_datums, count_datums;
        for (const auto &[value, rows] : staged.partition_rows) {
            // a value of the source, in the server encoding
            name_datums.push_back(server_bytes_to_text(value));
            count_datums.push_back(Int32GetDatum(static_cast<int32>(rows.rows)));
        }
        Datum result = 0;
        bool result_null = true;
        Compat031Staged scope(&staged);
        pg_call([&]() noexcept {
            Datum names_array = PointerGetDatum(construct_array(
                name_datums.data(), static_cast<int>(name_datums.size()), TEXTOID, -1, false, TYPALIGN_INT));
            Datum counts_array = PointerGetDatum(construct_array(
                count_datums.data(), static_cast<int>(count_datums.size()), INT4OID, 4, true, TYPALIGN_INT));
            Oid argtypes_031[6] = {OIDOID, TEXTOID, TEXTOID, JSONBOID, TEXTARRAYOID, INT4ARRAYOID};
            Oid worker = extension_function(schema, "_pg_intent_train_classifier_run", 6, argtypes_031);
            AsExtensionOwner as_owner(owner);
            Datum args[6] = {ObjectIdGetDatum(caller), PG_GETARG_DATUM(0), PG_GETARG_DATUM(1),
                             PG_GETARG_DATUM(2),       names_array,        counts_array};
            bool nulls[6] = {false, false, PG_ARGISNULL(1), false, false, false};
            result = call_extension_function(worker, 6, args, nulls, result_null);
        });
        if (result_null) PG_RETURN_NULL();
        return result;
    }
    ClassifierCall call;
    call.schema = schema;
    call.definition = definition;
    call.run.owner = owner;
    call.run.run_name = PG_GETARG_DATUM(1);
    call.run.run_name_null = PG_ARGISNULL(1);
    call.run.options = PG_GETARG_DATUM(2);
    call.run.classifier = PG_GETARG_DATUM(0);
    pg_call([&]() noexcept {
        call.run.run_type = CStringGetTextDatum("full");
        call.run.training_options =
            DatumGetBool(
                DirectFunctionCall2(jsonb_exists, definition, CStringGetTextDatum("training_options")))
                ? DirectFunctionCall2(jsonb_object_field, definition, CStringGetTextDatum("training_options"))
                : DirectFunctionCall1(jsonb_in, CStringGetDatum("{}"));
    });
    const std::optional<Datum> result = train_classifier_runs(call, start_fn, staged, charge);
    if (!result) PG_RETURN_NULL();
    return *result;
}
