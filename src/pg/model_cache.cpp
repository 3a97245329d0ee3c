// Which model row a prediction by the built-in classifier or by model id
// means, whether the caller may use it, and how model rows are read. The
// deserialised models themselves are in the backend's one store
// (model_store.cpp).
//
// Reading. predict_intent() must read ai_intent_models whatever the caller
// may read, yet nothing the caller controls may run with the owner's rights.
// So a model row is read the way PostgreSQL reads its catalogs: an index
// scan on the primary key (or on the unique index of the active model) with
// a fresh MVCC snapshot, through the table and index OIDs found in the
// extension's schema by name. No SQL is parsed, no operator or function is
// looked up through the caller's search_path, and the user never changes.
// (0.1.0 ran SELECT ... WHERE id = $1 through SPI as the table owner under
// the caller's search_path: a role that owned a schema could put its own =
// operator first and run it as the owner, a superuser.)
//
// Freshness. The snapshot is taken when the row is read, not the
// transaction's: a backend that loads the active model inside a REPEATABLE
// READ transaction must not keep as active a model that was replaced before
// it read it, or it would serve the old model until the next deploy.
//
// Invalidation. The statement trigger on ai_intent_models calls
// CacheInvalidateRelcacheByRelid(), which PostgreSQL delivers to every
// backend when (and only when) the deploying transaction commits, replays on
// hot standbys from the commit record, and processes locally at the end of
// each command. So predict_intent() reads the invalidation queue and checks
// a counter instead of reading the table, and a session that loaded the
// model before a deploy, even inside one open transaction, sees the new
// model at its next call.
//
// Who may use which model. Everyone who may execute predict_intent() may
// predict with the active model. Any other model needs SELECT on its row of
// ai_intent_models as the caller (the table privilege and row-level
// security), checked by a query that runs as the caller: once per query
// when the function keeps a ModelVisibility in its fn_extra (prediction and
// explanation), on every call otherwise. And a named classifier's model
// (active or not) needs, besides, that classifier's predict access, by
// predict_label()'s rule (require_model_classifier(), classifier_cache.cpp),
// checked as often: in 0.3.1 a role with SELECT on ai_intent_models (an
// administrator's or staff's grant for the registry) predicted and
// explained with any classifier's model by id, where predict_label()
// refused it with 42501. Every path that takes a model id goes through
// model_by_id(): predict_intent(text, bigint), explain_intent(..., p_model_id),
// evaluate_intent_model(p_model_id, ...) (shadow_predict() through
// predict_intent(), and refuses other classifiers' models anyway).
#include "model_cache.h"

#include "classifier_cache.h"
#include "guard.h"
#include "intent_names.h"
#include "memory_context.h"
#include "relations.h"
#include "scan.h"
#include "settings.h"
#include "spi.h"

extern "C" {
#include "access/genam.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "catalog/pg_class.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/fmgroids.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
}

#include <list>
#include <string>

namespace pg_intent {
namespace {

uint64_t g_generation = 1;       // bumped by every relevant invalidation
Oid g_models_relid = InvalidOid; // ai_intent_models, once we have looked it up

// What the row of a model said, valid while the generation holds: the model
// itself is in the store (model_store.h), by id.
struct RowFacts {
    Oid schema = InvalidOid;
    Oid models_relid = InvalidOid;
    uint64_t generation = 0;
    int64_t id = 0;             // 0: none
    ModelTag tag = 0;           // of the row read (model_store.h)
    bool is_active = false;     // when it was read
    std::string classifier;     // ai_intent_models.classifier: whose predict rule applies (by id)
    int64_t classifier_id = -1; // ai_intent_models.classifier_id (-1: NULL, or 0.3.1's tables)
    bool partition = false;     // a partition's own model
};

// Rows of models other than the active one looked at in this generation (A/B
// checks, shadow scoring): a few facts each, bounded in number.
constexpr size_t kMaxRowsById = 16;

// Allocated once and never freed: a backend keeps its cache for its lifetime,
// and avoiding static destructors keeps exit paths trivial.
RowFacts &active_entry() {
    static RowFacts *entry = new RowFacts;
    return *entry;
}
std::list<RowFacts> &rows_by_id() {
    static auto *rows = new std::list<RowFacts>;
    return *rows;
}

// Relcache callback: must not fail, so it only bumps a counter.
void on_relcache_invalidation(Datum, Oid relid) {
    if (relid == InvalidOid || relid == g_models_relid) ++g_generation;
}

struct ModelRow {
    bool found = false;
    bool has_bytes = false; // false for a model whose bytes were removed
    bool is_active = false;
    int64_t id = 0;
    ModelTag tag = 0;              // of its sha256 (model_store.h)
    const uint8_t *data = nullptr; // in the scratch context
    size_t size = 0;
    const char *classifier = nullptr; // in the scratch context
    size_t classifier_size = 0;
    int64_t classifier_id = -1; // -1: NULL, or no such column (0.3.1's tables)
    bool partition = false;     // partition_key is not NULL
};

// Reads one row of ai_intent_models: the active one (active = true) or the
// one with the given id, through its unique index, with a fresh snapshot.
// With `with_bytes`, the model bytes are detoasted into `scratch`; without,
// only whether it has them is read.
ModelRow read_model_row(Oid schema, bool active, int64_t id, MemoryContext scratch, bool with_bytes) {
    ModelRow row;
    Oid relid = InvalidOid, indexid = InvalidOid;
    AttrNumber id_att = 0, model_att = 0, active_att = 0, classifier_att = 0, sha_att = 0;
    AttrNumber classifier_id_att = 0, partition_att = 0;
    pg_call([&]() noexcept {
        relid = extension_relation(schema, "ai_intent_models");
        g_models_relid = relid;
        indexid =
            extension_relation(schema, active ? "ai_intent_models_one_active_idx" : "ai_intent_models_pkey");
        id_att = extension_column(relid, "id", INT8OID);
        model_att = extension_column(relid, "model", BYTEAOID);
        active_att = extension_column(relid, "is_active", BOOLOID);
        sha_att = extension_column(relid, "sha256", TEXTOID);
        // COMPAT(0.2.x) Before 0.3.0's SQL (the library runs with an older schema until
        // ALTER EXTENSION UPDATE) there is no classifier column: every model
        // is intent's.
        if (get_attnum(relid, "classifier") != InvalidAttrNumber) {
            classifier_att = extension_column(relid, "classifier", TEXTOID);
            partition_att = extension_column(relid, "partition_key", TEXTOID);
        }
        // COMPAT(0.3.1) classifier_id is 0.3.2's.
        if (get_attnum(relid, "classifier_id") != InvalidAttrNumber)
            classifier_id_att = extension_column(relid, "classifier_id", INT8OID);
    });
    CurrentMemoryContextScope in_scratch(scratch);
    // A catalog snapshot is a fresh MVCC snapshot that may also be taken in
    // a parallel worker (GetLatestSnapshot() may not).
    CatalogIndexScan scan(relid, indexid, AccessShareLock, ScanSnapshot::Catalog,
                          {active ? EqualityKey{active_att, F_BOOLEQ, BoolGetDatum(true)}
                                  : EqualityKey{id_att, F_INT8EQ, Int64GetDatum(id)}});
    const TupleDesc desc = scan.descriptor();
    for (;;) {
        bool more = false;
        pg_call([&]() noexcept {
            HeapTuple tuple = scan.next_in_pg();
            if (!tuple) return;
            more = true;
            bool isnull = false;
            bool is_active = DatumGetBool(heap_getattr(tuple, active_att, desc, &isnull));
            if (active && (isnull || !is_active)) return; // cannot happen with the partial index; be sure
            if (row.found)
                ereport(ERROR,
                        (errcode(ERRCODE_CARDINALITY_VIOLATION), errmsg("more than one active intent model"),
                         errdetail("Exactly one row of ai_intent_models may have is_active = true.")));
            row.found = true;
            row.is_active = !isnull && is_active;
            row.id = DatumGetInt64(heap_getattr(tuple, id_att, desc, &isnull));
            row.tag = model_row_tag(tuple, sha_att, desc);
            const Datum classifier =
                classifier_att == InvalidAttrNumber ? 0 : heap_getattr(tuple, classifier_att, desc, &isnull);
            if (classifier_att != InvalidAttrNumber && !isnull) {
                text *t = DatumGetTextPP(classifier); // NOT NULL, at most 63 bytes in practice
                row.classifier = VARDATA_ANY(t);
                row.classifier_size = VARSIZE_ANY_EXHDR(t);
            }
            if (partition_att != InvalidAttrNumber) {
                heap_getattr(tuple, partition_att, desc, &isnull);
                row.partition = !isnull;
            }
            if (classifier_id_att != InvalidAttrNumber) {
                const Datum classifier_id = heap_getattr(tuple, classifier_id_att, desc, &isnull);
                row.classifier_id = isnull ? -1 : DatumGetInt64(classifier_id);
            }
            Datum blob = heap_getattr(tuple, model_att, desc, &isnull);
            row.has_bytes = !isnull;
            if (!isnull && with_bytes) {
                bytea *b = DatumGetByteaPCopy(blob); // detoasted while the snapshot is registered
                row.data = reinterpret_cast<const uint8_t *>(VARDATA(b));
                row.size = VARSIZE(b) - VARHDRSZ;
            }
        });
        if (!more) break;
    }
    return row;
}

// Whether the caller may see model `id`: runs as the caller, so the table
// privilege and row-level security decide. The statement names everything
// by schema and operator schema, so the caller's search_path cannot change
// what it means (it could only ever run the caller's own code anyway).
bool caller_can_see_model(Oid schema, int64_t id) {
    bool visible = false;
    pg_call([&]() noexcept {
        char *sql = psprintf("SELECT 1 FROM %s.ai_intent_models AS m WHERE m.id OPERATOR(pg_catalog.=) $1",
                             quote_identifier(get_namespace_name(schema)));
        Oid argtypes[1] = {INT8OID};
        Datum values[1] = {Int64GetDatum(id)};
        spi_select_in_pg(sql, 1, argtypes, values, nullptr, 1, "a model's visibility could not be read",
                         [&](const SpiRow &) noexcept { visible = true; });
    });
    return visible;
}

// Whether the caller may run caller_can_see_model()'s query: SELECT on
// ai_intent_models, or on its id column (the README's recipe grants
// reviewers the columns but the model bytes).
bool caller_may_read_models(Oid schema) {
    bool may = false;
    pg_call([&]() noexcept {
        const Oid relid = extension_relation(schema, "ai_intent_models");
        const Oid user = GetUserId();
        may = pg_class_aclcheck(relid, user, ACL_SELECT) == ACLCHECK_OK ||
              pg_attribute_aclcheck(relid, extension_column(relid, "id", INT8OID), user, ACL_SELECT) ==
                  ACLCHECK_OK;
    });
    return may;
}

[[noreturn]] void no_such_model(int64_t model_id) {
    throw SqlError(ERRCODE_NO_DATA_FOUND,
                   intent::Message{N_("intent model %s does not exist"), {std::to_string(model_id)}},
                   N_("Or it is not visible to the current role."),
                   N_("See the ai_model_registry view for model ids."));
}

LoadedModel deserialize_row(const ModelRow &row) {
    if (!row.has_bytes) no_model_bytes(row.id);
    return LoadedModel{
        row.id, row.tag, row.is_active,
        std::make_shared<const intent::IntentModel>(intent::IntentModel::deserialize(
            row.data, row.size, [] { return interrupt_pending(); }, max_model_memory_bytes()))};
}

} // namespace

void no_model_bytes(int64_t model_id) {
    throw SqlError(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
                   intent::Message{N_("intent model %s has no model bytes"), {std::to_string(model_id)}},
                   N_("Its bytes were removed by delete_intent_model(); its history and metrics remain."),
                   N_("Deploy or predict with another model."));
}

LoadedModel load_model_row(Oid schema, int64_t model_id, size_t *stored_bytes) {
    ScratchMemoryContext scratch("pg_intent model row", ScratchMemoryContext::Default);
    ModelRow row = read_model_row(schema, false, model_id, scratch.get(), true);
    if (!row.found) no_such_model(model_id);
    *stored_bytes = row.size;
    return deserialize_row(row);
}

void model_cache_relation_changed(Oid relid) {
    on_relcache_invalidation(0, relid);
}

// PostgreSQL reads the invalidation queue when a transaction starts or a
// lock is taken; a cached prediction takes no lock, so a session that stays
// in one transaction (a driver that does not autocommit, idle in transaction
// for hours) would serve a replaced or rolled-back model until it ends. Read
// the queue first: without messages this is one unlocked flag check.
static void accept_invalidations() {
    pg_call([]() noexcept { AcceptInvalidationMessages(); });
}

// The model of `facts`, from the store (loaded by id on a miss).
static LoadedModel model_of(const RowFacts &facts) {
    return stored_model(facts.models_relid, facts.id, facts.tag, facts.is_active, [&](size_t *stored_bytes) {
        return load_model_row(facts.schema, facts.id, stored_bytes);
    });
}

// The active row's facts, read when the generation moved (its bytes are
// not read: the store may have the model).
static const RowFacts &active_row(Oid schema) {
    accept_invalidations();
    RowFacts &entry = active_entry();
    if (entry.generation == g_generation && entry.schema == schema && entry.id != 0) return entry;

    uint64_t generation = g_generation; // an invalidation during the read makes this entry stale at once
    ScratchMemoryContext scratch("pg_intent model row", ScratchMemoryContext::Default);
    ModelRow row = read_model_row(schema, true, 0, scratch.get(), false);
    if (!row.found)
        throw SqlError(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
                       intent::Message{N_("no intent model is deployed"), {}},
                       N_("ai_intent_models has no active model."),
                       N_("Train and deploy one with SELECT train_intent_model();"));
    if (!row.has_bytes) no_model_bytes(row.id);
    entry = RowFacts{schema, g_models_relid, generation, row.id, row.tag, true, intent::kBuiltinClassifier};
    return entry;
}

// The active row's facts when model `model_id` is the active model, else
// nullptr (also with no active model deployed, or its bytes gone: the caller
// then refuses the id in its own words). The one test of "the active model
// is everyone's" for a caller who may not read the model rows or may not
// see this one (model_by_id()); before, each wrote it out.
static const RowFacts *active_row_of(Oid schema, int64_t model_id) {
    const RowFacts *current = nullptr;
    try {
        current = &active_row(schema);
    } catch (const SqlError &) {
    }
    return current && current->id == model_id ? current : nullptr;
}

LoadedModel active_model(Oid schema) {
    return model_of(active_row(schema));
}

// Whether `memo` says this query already found model `model_id` visible to
// the current user, with the cache unchanged since.
static bool seen_by_this_query(const ModelVisibility *memo, int64_t model_id) {
    if (!memo || !memo->checked || memo->model_id != model_id || memo->generation != g_generation)
        return false;
    bool same = false;
    pg_call([&]() noexcept {
        same = memo->user == GetUserId() && memo->statement_start == GetCurrentStatementStartTimestamp() &&
               memo->command == GetCurrentCommandId(false);
    });
    return same;
}

static void remember_visible(ModelVisibility *memo, int64_t model_id, uint64_t generation) {
    if (!memo) return;
    pg_call([&]() noexcept {
        *memo = ModelVisibility{true,
                                model_id,
                                GetUserId(),
                                generation,
                                GetCurrentStatementStartTimestamp(),
                                GetCurrentCommandId(false)};
    });
}

LoadedModel model_by_id(Oid schema, int64_t model_id, ModelVisibility *visibility, ModelUse use) {
    accept_invalidations();
    // intent's models are everyone's to predict with, not to explain
    // (require_builtin_explain()).
    const auto explain_builtin = [&] {
        if (use == ModelUse::Explain) require_builtin_explain(schema);
    };
    // The active model is everyone's: serve it as the active model.
    const RowFacts &active = active_entry();
    if (active.generation == g_generation && active.schema == schema && active.id == model_id) {
        explain_builtin();
        return model_of(active);
    }
    // Checked earlier in this query, and its row still as it was: no check
    // again. (A model hidden or withdrawn meanwhile bumps the generation; a
    // query that started before the change may finish with the model, as
    // with a snapshot.)
    const bool seen = seen_by_this_query(visibility, model_id);

    // Without SELECT on the table only the active model is usable. Refuse
    // any other id the same way whether or not it exists: "does not exist"
    // for some ids and "permission denied" for others told a role which
    // hidden models there are.
    // With no active model deployed, the id is no active model's either: the
    // same 42501, not active_row()'s 55000 ("no intent model is deployed",
    // which named the wrong cause where only named classifiers are served).
    if (!seen && !caller_may_read_models(schema)) {
        if (const RowFacts *current = active_row_of(schema, model_id)) {
            explain_builtin();
            return model_of(*current);
        }
        throw SqlError(ERRCODE_INSUFFICIENT_PRIVILEGE,
                       intent::Message{N_("permission denied for table ai_intent_models"), {}},
                       N_("Only the active model can be used without SELECT on ai_intent_models."),
                       N_("Predict with the active model, or ask for SELECT on the model rows."));
    }

    auto &rows = rows_by_id();
    RowFacts facts; // a copy: the checks below may run SQL
    for (auto it = rows.begin(); it != rows.end(); ++it) {
        if (it->schema == schema && it->id == model_id && it->generation == g_generation) {
            rows.splice(rows.begin(), rows, it); // most recently used first
            facts = rows.front();
            break;
        }
    }
    if (facts.id == 0) {
        // Visibility first: nothing of a row the caller may not see is read
        // (its bytes were detoasted before the check, a model's worth of work
        // for each call naming a hidden id).
        if (!caller_can_see_model(schema, model_id)) {
            // The active model is everyone's, even where row security hides
            // its row. Its row's facts say whether it is that model; only
            // then are its bytes loaded (loading them to compare ids answered
            // an unknown id with the active model's own error, XX001 when
            // its bytes were damaged, and cost a model's load per call).
            if (const RowFacts *current = active_row_of(schema, model_id)) {
                explain_builtin();
                return model_of(*current);
            }
            no_such_model(model_id);
        }
        uint64_t generation = g_generation;
        ScratchMemoryContext scratch("pg_intent model row", ScratchMemoryContext::Default);
        ModelRow row = read_model_row(schema, false, model_id, scratch.get(), false);
        if (!row.found) no_such_model(model_id);
        std::string classifier =
            row.classifier ? std::string(row.classifier, row.classifier_size) : intent::kBuiltinClassifier;
        // The classifier's predict rule, before the model is loaded
        // (intent's is everyone's).
        if (classifier != intent::kBuiltinClassifier)
            require_model_classifier(schema, ModelClassifier{classifier, row.classifier_id, row.partition},
                                     model_id, use);
        else
            explain_builtin();
        if (!row.has_bytes) no_model_bytes(model_id);
        rows.remove_if([&](const RowFacts &r) { return r.generation != g_generation || r.id == model_id; });
        facts = RowFacts{schema,        g_models_relid, generation,        model_id,     row.tag,
                         row.is_active, classifier,     row.classifier_id, row.partition};
        rows.push_front(facts);
        if (rows.size() > kMaxRowsById) rows.pop_back();
        remember_visible(visibility, model_id, generation);
        return model_of(facts);
    }
    // Known, but the caller may be another role than the one that read it,
    // and a model may have been deployed or withdrawn since: check again,
    // once per query. Only the built-in classifier's active model is
    // everyone's; another classifier's active model is not.
    if (!seen) {
        if (!(facts.is_active && facts.classifier == intent::kBuiltinClassifier) &&
            !caller_can_see_model(schema, model_id))
            no_such_model(model_id);
        if (facts.classifier != intent::kBuiltinClassifier)
            require_model_classifier(schema,
                                     ModelClassifier{facts.classifier, facts.classifier_id, facts.partition},
                                     model_id, use);
    }
    if (facts.classifier == intent::kBuiltinClassifier)
        explain_builtin(); // checked on every call, as the active model's
    remember_visible(visibility, model_id, g_generation);
    return model_of(facts);
}

} // namespace pg_intent
