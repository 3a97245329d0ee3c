// The per-backend cache of named classifiers (classifier_cache.cpp): which
// classifiers exist, who may predict with them, which model answers for a
// partition; the deserialised models come from the one store (model_store.h).
#pragma once

#include "pg_headers.h"

#include "deferral.h"
#include "guard.h"
#include "model_cache.h"

#include <cstdint>
#include <string_view>

namespace pg_intent {

// The model that answers for classifier `name` and, when `partition` is
// not null, that partition (its own active model, else the fallback's).
struct ClassifierModel {
    LoadedModel loaded;
    bool by_partition = false;      // answered by the partition's own model, not the fallback
    int64_t fallback_id = 0;        // with by_partition: the fallback's active model, 0 when none
    ModelTag fallback_tag = 0;      // and the tag of its row (model_store.h)
    bool fallback_has_bytes = true; // and whether that row has its bytes
};

// Checks that classifier `name` exists (42704) and that the current user
// may predict with it (42501, _pg_intent_classifier_allows()), that a
// partition is only given to a partitioned classifier (22023), and returns
// the active model (55000 when none is deployed). The built-in classifier
// "intent" answers with active_model(), predict_intent()'s own entry.
// `schema` is the extension's schema; `name` and `partition` are text in
// the server encoding.
ClassifierModel classifier_model(Oid schema, std::string_view name, const std::string_view *partition);

// A classifier name argument, in the server encoding: the whole text when
// it is short enough to be a name, or else a prefix still too long to be
// one (which names no classifier). A caller may pass 100 MB as a name;
// only its first bytes are read.
std::string_view classifier_name_arg(Datum name);

// Whether `found` is a partition's own model that may defer to a deployed
// fallback: not one trained with {"defer_to_fallback": false} (its stored
// options say so).
inline bool may_defer_to_fallback(const ClassifierModel &found) {
    return found.by_partition && found.fallback_id != 0 && found.loaded.model &&
           found.loaded.model->options().defer_to_fallback;
}

// Whether the fallback answers for `found` (intent::fallback_answers(),
// src/core/deferral.h, the rule): `found`'s model abstains (`uncertain`) and
// may defer, and the fallback is confident. `fallback_uncertain()` predicts
// with the fallback (fallback_model()) and says whether it abstains; it is
// called only when `found`'s model abstains and may defer.
template <class FallbackUncertain>
bool defers_to_fallback(const ClassifierModel &found, bool uncertain,
                        FallbackUncertain &&fallback_uncertain) {
    return intent::fallback_answers(may_defer_to_fallback(found), uncertain, fallback_uncertain);
}

// The fallback's model of `found` (for defers_to_fallback()): the
// classifier and the caller's right to use it were checked when `found` was.
ClassifierModel fallback_model(Oid schema, const ClassifierModel &found);

// Raises 22023 (partition_too_long()) for a p_partition longer than
// kMaxPartitionKeyBytes (partition_key.h), checked before anything reads it:
// its size from the datum's header, not detoasted. The one check of every
// function taking a p_partition: classifier_model_for_args() below, and the
// SQL functions through _pg_intent_check_partition_key().
void check_partition_key(Datum partition);

// classifier_model() for a call's arguments: the classifier's name at
// argument `name_arg` (not NULL: the caller checked), the partition at
// `partition_arg` (NULL: none), checked for length first (22023). Sets
// `partition_bytes` (the argument's bytes, alive for the call) and
// `has_partition`. predict_label(), classify_label(), explain_label() and
// evaluate_label() read their model so.
ClassifierModel classifier_model_for_args(FunctionCallInfo fcinfo, Oid schema, int name_arg,
                                          int partition_arg, std::string_view &partition_bytes,
                                          bool &has_partition);

// A named classifier's model row, as model_by_id() read it.
struct ModelClassifier {
    std::string_view name;  // ai_intent_models.classifier
    int64_t id = -1;        // ai_intent_models.classifier_id; -1: NULL, or 0.3.1's tables
    bool partition = false; // a partition's own model (partition_key not NULL)
};

// For a model given by id (predict_intent(text, bigint), explain_intent(),
// evaluate_intent_model()): raises 42501 unless the current user may
// predict with the model's classifier, by predict_label()'s rule and cached
// answer, and, to explain or evaluate a partition's model, read that
// partition, by explain_label()'s and evaluate_label()'s rule
// (may_explain_partition()). The classifier is the
// model's by id, not by name: a model of a classifier that was dropped, its
// name taken since by another, is an earlier classifier's history, a
// superuser's only, as a model whose classifier no longer exists.
void require_model_classifier(Oid schema, const ModelClassifier &classifier, int64_t model_id, ModelUse use);

// Whether the current user may explain a partition's model of classifier
// `name` (text in the server encoding): the classifier's train right, which
// reads every row of the source (_pg_intent_classifier_partition_check()).
// Only a partition's vocabulary needs it; the fallback's keeps only n-grams
// of two partitions or more.
bool may_explain_partition(Oid schema, std::string_view name);

// Raises 42501 unless the current user may explain a model of the built-in
// classifier intent: one that reads every row of ai_training_data (SELECT on
// it, and no row-level security policy applies to the role: a superuser, a
// BYPASSRLS role, the table's owner, or a table without row-level security).
// intent's vocabulary is made of the n-grams of every row of that table, and
// everyone predicts with it, so the predict right that lets a tenant explain
// its classifier's shared model would let it probe, digit by digit, the
// messages of every other tenant that row-level security hides from it.
void require_builtin_explain(Oid schema);

// What a caller does with a partition's model: explain_label() or
// evaluate_label(). Both name the partition's labels and thresholds, which a
// prediction does not, so both need may_explain_partition()'s right.
enum class PartitionRead { Explain, Evaluate };

// Finds the model for a call with a p_partition (`find`, which sets
// `has_partition`) and raises 42501 unless the current user may read that
// partition (may_explain_partition()), whichever model answers: its own or
// the fallback. "No model for the partition and no fallback" (55000) is
// news of the partition too, so a caller without the right gets the same
// 42501 there. `name` is the classifier's name in the server encoding.
template <typename Find>
auto find_partition_model(Oid schema, std::string_view name, const bool &has_partition, PartitionRead use,
                          Find &&find) -> decltype(find());
void require_partition_read(Oid schema, std::string_view name, bool has_partition, PartitionRead use);

template <typename Find>
auto find_partition_model(Oid schema, std::string_view name, const bool &has_partition, PartitionRead use,
                          Find &&find) -> decltype(find()) {
    try {
        auto found = find();
        require_partition_read(schema, name, has_partition, use);
        return found;
    } catch (const SqlError &e) {
        if (e.sqlstate() == ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE)
            require_partition_read(schema, name, has_partition, use);
        throw;
    }
}

// Raises 22023 for a p_partition of `bytes` bytes, longer than
// kMaxPartitionKeyBytes (partition_key.h).
[[noreturn]] void partition_too_long(size_t bytes);

// Registers the role callbacks; called once from _PG_init. Relations come
// through classifier_cache_relation_changed(), from the extension's one
// relcache callback (module.cpp).
void register_classifier_cache_invalidation();
void classifier_cache_relation_changed(Oid relid);

} // namespace pg_intent
