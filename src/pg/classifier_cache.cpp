// Per-backend cache of named classifiers and their models (classifier_cache.h).
//
// Reading. As model_cache.cpp: rows of ai_classifiers and ai_intent_models
// are read by index scan with a fresh catalog snapshot, through the OIDs of
// our relations found by name in the extension's schema; no SQL is parsed
// and nothing is looked up through the caller's search_path. The one query
// is the privilege rule, _pg_intent_classifier_allows() (src/sql/
// 44_classifier_rights.sql), called by OID: the rule is stated once, in SQL.
//
// What is cached, and until when. Three small maps hold what depends on the
// rows of ai_classifiers and ai_intent_models and on role membership: which
// classifiers exist (built in, partitioned), who may predict with them, and
// which model id is active for a (classifier, partition). They are dropped
// whenever a relcache invalidation names either table (the statement
// triggers ai_intent_models_changed and ai_classifiers_changed send one at
// commit, replayed on hot standbys) or role membership changes (a syscache
// invalidation of pg_authid or pg_auth_members), so a REVOKE or a deploy is
// seen at the next call.
//
// The deserialised models come from the backend's one store of models
// (model_store.cpp), kept by id across those invalidations under
// pg_intent.model_cache_size. Only an active row is mapped here, with
// whether it has its bytes: the functions remove them only from an
// inactive model, but a hand UPDATE may set an active row's to NULL, and
// such a row is refused (55000) before the store is asked. The maps are
// bounded by entry count and key length.
#include "classifier_cache.h"

#include "citus_node.h"
#include "guard.h"
#include "partition_key.h"
#include "relations.h"
#include "scan.h"
#include "text_io.h"

extern "C" {
#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/value.h"
#include "utils/fmgroids.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
}

#include <cstring>
#include <string>
#include <unordered_map>

namespace pg_intent {
namespace {

uint64_t g_generation = 1; // bumped by every relevant invalidation
Oid g_models_relid = InvalidOid;
Oid g_classifiers_relid = InvalidOid;

void on_relcache_invalidation(Datum, Oid relid) {
    if (relid == InvalidOid || relid == g_models_relid || relid == g_classifiers_relid) ++g_generation;
}
void on_role_invalidation(Datum, int, uint32) {
    ++g_generation;
}

// The longest classifier name ai_classifiers_name_check accepts.
constexpr size_t kMaxNameBytes = 63;
// Bounds of the maps: a caller chooses the partition values it passes, so
// neither their number nor their length may decide this backend's memory.
constexpr size_t kMaxMapEntries = 10000;
constexpr size_t kMaxCachedKeyBytes = 1024;

struct ClassifierInfo {
    bool built_in = false;
    bool partitioned = false;
    int64_t id = -1; // ai_classifiers.id
};

// An active model's row: its id and tag (model_store.h); id 0 when none.
// has_bytes false: its bytes were set NULL (by hand: delete_intent_model()
// and prune_classifier_models() refuse the active model), and the store's
// model of that id, loaded before, is no longer the row's.
struct ActiveRow {
    int64_t id = 0;
    ModelTag tag = 0;
    bool has_bytes = true;
};

struct Mapping {
    ActiveRow model;
    bool by_partition = false;
    ActiveRow fallback; // with by_partition: the fallback's active model, id 0 when none
};

// Everything looked up again when the generation moves.
struct State {
    uint64_t generation = 0;
    Oid schema = InvalidOid;
    Oid classifiers_relid = InvalidOid, classifiers_pkey = InvalidOid;
    Oid models_relid = InvalidOid, active_idx = InvalidOid;
    Oid allows_fn = InvalidOid;
    AttrNumber c_name = 0, c_built_in = 0, c_partition_column = 0, c_id = 0;
    AttrNumber m_id = 0, m_classifier = 0, m_partition = 0, m_active = 0, m_classifier_id = 0, m_sha256 = 0,
               m_model = 0;
    Oid pkey_collation = InvalidOid, classifier_collation = InvalidOid, partition_collation = InvalidOid;
    std::unordered_map<std::string, ClassifierInfo> classifiers;
    std::unordered_map<std::string, bool> allowed; // name '\0' user oid
    std::unordered_map<std::string, Mapping> mapping;
};

State &state() {
    static auto *s = new State; // kept for the backend's life, no static destructor
    return *s;
}

Oid collation_of(Oid indexid, AttrNumber column) noexcept {
    Oid type = InvalidOid, collation = InvalidOid;
    int32 typmod = -1;
    get_atttypetypmodcoll(indexid, column, &type, &typmod, &collation);
    return collation;
}

// Looks up our relations, columns and the rule's function; inside pg_call().
void refresh(State &s, Oid schema) noexcept {
    s.schema = schema;
    s.classifiers_relid = extension_relation(schema, "ai_classifiers");
    g_classifiers_relid = s.classifiers_relid;
    s.classifiers_pkey = extension_relation(schema, "ai_classifiers_pkey");
    s.models_relid = extension_relation(schema, "ai_intent_models");
    g_models_relid = s.models_relid;
    s.active_idx = extension_relation(schema, "ai_intent_models_active_idx");
    s.c_name = extension_column(s.classifiers_relid, "name", TEXTOID);
    s.c_built_in = extension_column(s.classifiers_relid, "built_in", BOOLOID);
    s.c_partition_column = extension_column(s.classifiers_relid, "partition_column", NAMEOID);
    // The ids are 0.3.2's: with 0.3.1's tables (the library updated, ALTER
    // EXTENSION ... UPDATE not run yet) there are none, and no check.
    s.c_id = get_attnum(s.classifiers_relid, "id") == InvalidAttrNumber
                 ? InvalidAttrNumber
                 : extension_column(s.classifiers_relid, "id", INT8OID);
    s.m_id = extension_column(s.models_relid, "id", INT8OID);
    s.m_classifier = extension_column(s.models_relid, "classifier", TEXTOID);
    s.m_partition = extension_column(s.models_relid, "partition_key", TEXTOID);
    s.m_active = extension_column(s.models_relid, "is_active", BOOLOID);
    s.m_sha256 = extension_column(s.models_relid, "sha256", TEXTOID);
    s.m_model = extension_column(s.models_relid, "model", BYTEAOID);
    s.m_classifier_id = s.c_id == InvalidAttrNumber
                            ? InvalidAttrNumber
                            : extension_column(s.models_relid, "classifier_id", INT8OID);
    s.pkey_collation = collation_of(s.classifiers_pkey, 1);
    s.classifier_collation = collation_of(s.active_idx, 1);
    s.partition_collation = collation_of(s.active_idx, 2);
    Oid argtypes[3] = {TEXTOID, OIDOID, TEXTOID};
    s.allows_fn = extension_function(schema, "_pg_intent_classifier_allows", 3, argtypes);
}

// A text datum of `bytes`, palloc'd in the current context; inside pg_call().
Datum text_datum_in_pg(std::string_view bytes) noexcept {
    return PointerGetDatum(cstring_to_text_with_len(bytes.data(), static_cast<int>(bytes.size())));
}

// The classifier's row, through ai_classifiers_pkey.
bool read_classifier(const State &s, std::string_view name, ClassifierInfo &info) {
    Datum key = 0;
    pg_call([&]() noexcept { key = text_datum_in_pg(name); });
    CatalogIndexScan scan(s.classifiers_relid, s.classifiers_pkey, AccessShareLock, ScanSnapshot::Catalog,
                          {EqualityKey{s.c_name, F_TEXTEQ, key, s.pkey_collation}});
    bool found = false;
    pg_call([&]() noexcept {
        HeapTuple tuple = scan.next_in_pg();
        if (!tuple) return;
        found = true;
        bool isnull = false;
        const TupleDesc desc = scan.descriptor();
        const Datum built_in = heap_getattr(tuple, s.c_built_in, desc, &isnull);
        info.built_in = !isnull && DatumGetBool(built_in);
        heap_getattr(tuple, s.c_partition_column, desc, &isnull);
        info.partitioned = !isnull;
        if (s.c_id != InvalidAttrNumber) {
            const Datum id = heap_getattr(tuple, s.c_id, desc, &isnull);
            info.id = isnull ? -1 : DatumGetInt64(id);
        }
    });
    return found;
}

// The active model of (classifier, partition), partition NULL when
// `partition` is null; id 0 when there is none. Through ai_intent_models_active_idx.
// Only a model of this classifier's id counts (issue 31 item 6): an active
// row left under the name by an earlier classifier of that name (0.3.1, or
// plain DML) is never served.
ActiveRow read_active_row(const State &s, std::string_view name, const std::string_view *partition,
                          int64_t classifier_id) {
    Datum name_key = 0, partition_key = 0;
    pg_call([&]() noexcept {
        name_key = text_datum_in_pg(name);
        if (partition) partition_key = text_datum_in_pg(*partition);
    });
    CatalogIndexScan scan(s.models_relid, s.active_idx, AccessShareLock, ScanSnapshot::Catalog,
                          {EqualityKey{s.m_classifier, F_TEXTEQ, name_key, s.classifier_collation},
                           partition
                               ? EqualityKey{s.m_partition, F_TEXTEQ, partition_key, s.partition_collation}
                               : EqualityKey{s.m_partition, InvalidOid, 0, InvalidOid, true}});
    ActiveRow row;
    pg_call([&]() noexcept {
        const TupleDesc desc = scan.descriptor();
        while (HeapTuple tuple = scan.next_in_pg()) {
            bool isnull = false;
            const Datum active = heap_getattr(tuple, s.m_active, desc, &isnull);
            if (isnull || !DatumGetBool(active)) continue; // the index is partial; be sure
            if (s.m_classifier_id != InvalidAttrNumber) {
                const Datum owner_id = heap_getattr(tuple, s.m_classifier_id, desc, &isnull);
                if (isnull || DatumGetInt64(owner_id) != classifier_id) return; // another classifier's model
            }
            row.id = DatumGetInt64(heap_getattr(tuple, s.m_id, desc, &isnull));
            row.tag = model_row_tag(tuple, s.m_sha256, desc);
            row.has_bytes = !heap_attisnull(tuple, s.m_model, desc); // not detoasted
            return;                                                  // the unique index allows one
        }
    });
    return row;
}

// _pg_intent_classifier_allows(name, user, 'predict'): true, false, or
// nothing (`exists` false) when the classifier is gone. Called through fmgr,
// which skips the EXECUTE check: the function is closed to PUBLIC on
// purpose, and it is the extension's own rule applied to the caller.
bool call_allows(const State &s, std::string_view name, Oid user, bool &exists) {
    bool allowed = false, isnull = true;
    pg_call([&]() noexcept {
        const Datum args[3] = {text_datum_in_pg(name), ObjectIdGetDatum(user),
                               CStringGetTextDatum("predict")};
        const Datum result = call_extension_function(s.allows_fn, 3, args, nullptr, isnull);
        if (!isnull) allowed = DatumGetBool(result);
    });
    exists = !isnull;
    return allowed;
}

// `name` for a message: at most kMaxNameBytes bytes, cut at a character
// boundary (a caller may pass any text as a name).
std::string printable_name(std::string_view name) {
    int length = static_cast<int>(name.size());
    if (name.size() > kMaxNameBytes)
        pg_call([&]() noexcept { length = pg_mbcliplen(name.data(), length, kMaxNameBytes); });
    std::string out(name.substr(0, static_cast<size_t>(length)));
    if (static_cast<size_t>(length) < name.size()) out += "...";
    return out;
}

[[noreturn]] void no_such_classifier(const State &s, std::string_view name) {
    throw SqlError(
        ERRCODE_UNDEFINED_OBJECT,
        intent::Message{N_("classifier \"%s\" does not exist"), {printable_name(name)}}, "",
        on_citus_worker(s.schema)
            ? N_("This node is a Citus worker: its classifiers are copies of the coordinator's, made by "
                 "SELECT replicate_classifiers() on the coordinator (run it again after citus_add_node()).")
            : N_("The table ai_classifiers lists the classifiers; create_classifier() creates one."));
}

} // namespace

// (A prefix of kMaxNameBytes + 4 bytes cut at a character boundary keeps at
// least kMaxNameBytes + 1 of them: a character has at most 4 bytes.)
std::string_view classifier_name_arg(Datum name) {
    const TextSlice slice = text_prefix(name, kMaxNameBytes + 4);
    return std::string_view(slice.data, slice.size);
}

void partition_too_long(size_t bytes) {
    throw SqlError(ERRCODE_INVALID_PARAMETER_VALUE,
                   intent::Message{N_("p_partition is too long: %s bytes"), {std::to_string(bytes)}},
                   "A partition value has at most " + std::to_string(kMaxPartitionKeyBytes) +
                       " bytes in the server encoding; no model is trained for a longer one.",
                   N_("Pass the tenant's identifier, not its data."));
}

namespace {

template <typename Value>
void remember(std::unordered_map<std::string, Value> &map, const std::string &key, const Value &value) {
    if (key.size() > kMaxCachedKeyBytes) return;
    if (map.size() >= kMaxMapEntries) map.clear();
    map.emplace(key, value);
}

// The model of this active row, from the backend's one store (model_store.h);
// 55000 for a row without bytes, as model_cache.cpp's paths and a session
// that never loaded it say (0.3.2 served the stored model in a session that
// had loaded it before its bytes were set NULL).
LoadedModel model_for(const State &s, const ActiveRow &row) {
    if (!row.has_bytes) no_model_bytes(row.id);
    return stored_model(s.models_relid, row.id, row.tag, true,
                        [&](size_t *stored_bytes) { return load_model_row(s.schema, row.id, stored_bytes); });
}

} // namespace

namespace {

// Drops what the maps hold when an invalidation arrived since they were
// filled (or the schema changed), and looks our relations up again.
void make_current(State &s, Oid schema) {
    // As active_model(): a cached answer takes no lock, so read the
    // invalidation queue first (one unlocked flag check without messages).
    pg_call([]() noexcept { AcceptInvalidationMessages(); });
    if (s.generation != g_generation || s.schema != schema) {
        const uint64_t generation = g_generation; // a change during the lookups makes this stale at once
        s.classifiers.clear();
        s.allowed.clear();
        s.mapping.clear();
        s.generation = 0;
        pg_call([&]() noexcept { refresh(s, schema); });
        s.generation = generation;
    }
}

// Whether the current user may predict with classifier `name`: the cached
// answer, else _pg_intent_classifier_allows()'s (kept only if no
// invalidation arrived while it was asked). `exists` false: no such
// classifier. `key` is scratch for the map's key.
bool may_predict(State &s, std::string_view name, std::string &key, bool &exists) {
    const uint64_t generation = s.generation;
    Oid user = InvalidOid;
    pg_call([&]() noexcept { user = GetUserId(); });
    key.assign(name);
    key.push_back('\0');
    key.append(reinterpret_cast<const char *>(&user), sizeof user);
    exists = true;
    auto answer = s.allowed.find(key);
    if (answer != s.allowed.end()) return answer->second;
    const bool allowed = call_allows(s, name, user, exists);
    if (!exists) return false;
    if (g_generation == generation) remember(s.allowed, key, allowed);
    return allowed;
}

[[noreturn]] void predict_denied(std::string_view name) {
    throw SqlError(ERRCODE_INSUFFICIENT_PRIVILEGE,
                   intent::Message{N_("permission denied for classifier \"%s\""), {printable_name(name)}},
                   N_("Predicting needs the classifier's predict access (predict_public, predict_roles, or "
                      "membership in its owner)."),
                   N_("The classifier's owner can grant it with grant_classifier_access()."));
}

// Reused: no allocation once warm. Bounded: a name is at most kMaxNameBytes
// and a partition value kMaxPartitionKeyBytes (checked before use), so the
// buffer never grows past a few kB (0.3.1 grew it to a 1 GB partition
// argument and kept it for the session).
std::string &key_buffer() {
    static auto *key = new std::string;
    return *key;
}

// Classifier `name`'s row: the cached facts, else read (and kept only if
// no invalidation arrived while it was read). False: no such classifier.
bool known_classifier(State &s, std::string_view name, ClassifierInfo &info) {
    const uint64_t generation = s.generation;
    std::string &key = key_buffer();
    key.assign(name);
    auto known = s.classifiers.find(key);
    if (known != s.classifiers.end()) {
        info = known->second;
        return true;
    }
    if (!read_classifier(s, name, info)) return false;
    if (g_generation == generation) remember(s.classifiers, key, info);
    return true;
}

// No such classifier (or a name longer than any the table accepts): 42704
// only to a role that may know which exist (_pg_intent_classifier_allows()
// answers NULL); to another, it looks like one it may not use (42501).
[[noreturn]] void unknown_classifier(State &s, std::string_view name) {
    bool exists = true;
    (void)may_predict(s, name.substr(0, kMaxNameBytes + 1), key_buffer(), exists);
    if (!exists) no_such_classifier(s, name);
    predict_denied(name);
}

} // namespace

ClassifierModel classifier_model(Oid schema, std::string_view name, const std::string_view *partition) {
    if (partition && partition->size() > kMaxPartitionKeyBytes) partition_too_long(partition->size());

    State &s = state();
    make_current(s, schema);
    // What this call learns is kept only if no invalidation arrived while it
    // read (a lock taken by a scan reads the queue).
    const uint64_t generation = s.generation;
    std::string *key = &key_buffer();

    ClassifierInfo info;
    if (name.size() > kMaxNameBytes || !known_classifier(s, name, info)) unknown_classifier(s, name);

    bool exists = true;
    const bool allowed = may_predict(s, name, *key, exists);
    if (!exists) no_such_classifier(s, name);
    if (!allowed) predict_denied(name);

    if (partition && !info.partitioned)
        throw SqlError(ERRCODE_INVALID_PARAMETER_VALUE,
                       intent::Message{N_("classifier \"%s\" is not partitioned"), {printable_name(name)}},
                       N_("p_partition is given, but the classifier has no partition_column."),
                       N_("Pass NULL as p_partition (or leave it out)."));

    // The built-in classifier's model is predict_intent()'s, in its entry.
    if (info.built_in) return ClassifierModel{active_model(schema), false};

    key->assign(name);
    key->push_back('\0');
    if (partition) {
        key->push_back('\1');
        key->append(partition->data(), partition->size());
    }
    Mapping mapping;
    auto mapped = s.mapping.find(*key);
    if (mapped != s.mapping.end()) {
        mapping = mapped->second;
    } else {
        if (partition) mapping.model = read_active_row(s, name, partition, info.id);
        mapping.by_partition = mapping.model.id != 0;
        const ActiveRow fallback = read_active_row(s, name, nullptr, info.id);
        if (mapping.by_partition)
            mapping.fallback = fallback;
        else
            mapping.model = fallback;
        if (mapping.model.id == 0)
            throw SqlError(
                ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
                intent::Message{N_("classifier \"%s\" has no deployed model"), {printable_name(name)}},
                partition ? N_("Neither the partition nor the fallback has an active model.")
                          : N_("The classifier has no active model."),
                N_("Train and deploy one with train_classifier()."));
        if (g_generation == generation) remember(s.mapping, *key, mapping);
    }
    return ClassifierModel{model_for(s, mapping.model), mapping.by_partition, mapping.fallback.id,
                           mapping.fallback.tag, mapping.fallback.has_bytes};
}

ClassifierModel fallback_model(Oid schema, const ClassifierModel &found) {
    State &s = state();
    make_current(s, schema);
    return ClassifierModel{
        model_for(s, ActiveRow{found.fallback_id, found.fallback_tag, found.fallback_has_bytes}), false, 0};
}

void require_model_classifier(Oid schema, const ModelClassifier &classifier, int64_t model_id, ModelUse use) {
    State &s = state();
    make_current(s, schema);
    const std::string_view name = classifier.name;
    // The classifier of that name now, and whether it is the model's: with
    // 0.3.2's tables a model names its classifier's id too (a name passes to
    // the next classifier created under it).
    ClassifierInfo info;
    const bool named = name.size() <= kMaxNameBytes && known_classifier(s, name, info);
    const bool earlier = named && s.c_id != InvalidAttrNumber && info.id != classifier.id;
    bool exists = named && !earlier;
    const bool allowed = exists && may_predict(s, name, key_buffer(), exists);
    bool is_superuser = false;
    // A partition's model, explained or evaluated: explain_label()'s and
    // evaluate_label()'s partition rule (require_partition_read()), the same
    // answer by id as by name. (Until 0.3.2's fix evaluate_intent_model()
    // of a partition's model by id needed the predict access only, and
    // listed the labels and thresholds evaluate_label() refused.)
    if (allowed && use != ModelUse::Predict && classifier.partition && !may_explain_partition(schema, name)) {
        pg_call([&]() noexcept { is_superuser = superuser(); });
        if (is_superuser) return;
        const bool explain = use == ModelUse::Explain;
        throw SqlError(
            ERRCODE_INSUFFICIENT_PRIVILEGE,
            intent::Message{N_("permission denied for model %s"), {std::to_string(model_id)}},
            "It is a partition's model of classifier \"" + printable_name(name) + "\", and " +
                (explain ? "explaining" : "evaluating") +
                " a partition's model needs the classifier's train right, which reads every row of "
                "the source.",
            explain ? N_("Explain the shared model instead: explain_label() with p_partition NULL.")
                    : N_("Evaluate the shared model instead: evaluate_label() with p_partition NULL."));
    }
    if (allowed) return;
    pg_call([&]() noexcept { is_superuser = superuser(); });
    if (!exists && is_superuser) return; // a dropped classifier's model: its history, for superusers
    throw SqlError(
        ERRCODE_INSUFFICIENT_PRIVILEGE,
        intent::Message{N_("permission denied for model %s"), {std::to_string(model_id)}},
        exists ? "It is a model of classifier \"" + printable_name(name) +
                     "\", which the current role may not predict with."
        : earlier ? "It is a model of an earlier classifier named \"" + printable_name(name) +
                        "\", which was dropped; only a superuser may use it."
                  : "It is a model of classifier \"" + printable_name(name) +
                        "\", which no longer exists; only a superuser may use it.",
        N_("A model given by id follows its classifier's predict access (predict_label()'s rule); the "
           "classifier's owner can grant it with grant_classifier_access()."));
}

bool may_explain_partition(Oid schema, std::string_view name) {
    bool allowed = false;
    pg_call([&]() noexcept {
        Oid argtypes[2] = {TEXTOID, OIDOID};
        const Oid fn =
            extension_function_if_exists(schema, "_pg_intent_classifier_partition_check", 2, argtypes);
        // COMPAT(0.3.1) 0.3.1's SQL, served until ALTER EXTENSION UPDATE, has
        // no such check (0.3.1 let the predict right explain a partition):
        // until the update, a superuser's only.
        if (!OidIsValid(fn)) {
            allowed = superuser();
            return;
        }
        allowed = DatumGetBool(OidFunctionCall2(fn, text_datum_in_pg(name), ObjectIdGetDatum(GetUserId())));
    });
    return allowed;
}

void require_builtin_explain(Oid schema) {
    bool allowed = false;
    pg_call([&]() noexcept {
        const Oid data = extension_relation(schema, "ai_training_data");
        if (superuser()) {
            allowed = true;
            return;
        }
        if (!OidIsValid(data) || pg_class_aclcheck(data, GetUserId(), ACL_SELECT) != ACLCHECK_OK) return;
        // Every row: no row-level security, or a role it does not apply to
        // (BYPASSRLS; the owner, unless forced). Not check_enable_rls(): it
        // answers "none" to a caller who SET row_security = off, whose
        // reads then fail rather than see every row.
        HeapTuple tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(data));
        if (!HeapTupleIsValid(tuple)) return;
        const Form_pg_class rel = reinterpret_cast<Form_pg_class>(GETSTRUCT(tuple));
        allowed = !rel->relrowsecurity || has_bypassrls_privilege(GetUserId()) ||
                  (!rel->relforcerowsecurity && has_privs_of_role(GetUserId(), rel->relowner));
        ReleaseSysCache(tuple);
    });
    if (allowed) return;
    throw SqlError(
        ERRCODE_INSUFFICIENT_PRIVILEGE,
        intent::Message{N_("permission denied to explain the built-in classifier \"intent\""), {}},
        N_("Its model is made of the n-grams of every row of ai_training_data: explaining it needs SELECT on "
           "that table with no row-level security policy applying to the role."),
        N_("A tenant explains its classifier's shared model with explain_label(); grant the explain set "
           "to a role that reads the training data."));
}

void require_partition_read(Oid schema, std::string_view name, bool has_partition, PartitionRead use) {
    if (!has_partition || may_explain_partition(schema, name)) return;
    const bool explain = use == PartitionRead::Explain;
    throw SqlError(
        ERRCODE_INSUFFICIENT_PRIVILEGE,
        intent::Message{N_("permission denied for this partition of classifier \"%s\""), {std::string(name)}},
        explain ? N_("Explaining a partition's model needs the classifier's train right, which reads "
                     "every row of the source.")
                : N_("Evaluating a partition's model needs the classifier's train right, which reads "
                     "every row of the source."),
        explain ? N_("Explain the shared model instead: pass NULL as p_partition.")
                : N_("Evaluate the shared model instead: pass NULL as p_partition."));
}

void classifier_cache_relation_changed(Oid relid) {
    on_relcache_invalidation(0, relid);
}

void register_classifier_cache_invalidation() {
    CacheRegisterSyscacheCallback(AUTHMEMROLEMEM, on_role_invalidation, 0);
    CacheRegisterSyscacheCallback(AUTHOID, on_role_invalidation, 0);
}

} // namespace pg_intent

using namespace pg_intent;

// _pg_intent_classifier_latest(p_name text): the classifier's row as the
// latest committed catalog state has it (and this transaction's own
// changes), whatever the transaction's snapshot; NULL when there is none.
//
// _pg_intent_classifier_allows() reads the row through this, so that a
// privilege answer is never older than the last committed grant or revoke.
// Read through the transaction's snapshot (0.3.1), a REPEATABLE READ
// transaction opened before a revoke kept predicting and deploying with
// the revoked right until it ended, and the prediction cache, refilled
// after the revoke's invalidation from that snapshot, kept the stale answer
// past the COMMIT. As the model rows (model_cache.cpp): an index scan on
// the primary key under a fresh catalog snapshot, which a parallel worker
// may take too.
PG_INTENT_FUNCTION(pg_intent_classifier_latest) {
    if (PG_ARGISNULL(0)) PG_RETURN_NULL();
    // Looked up here, not through the cache's state: this runs inside the
    // cache's own call of the rule, which must not see its maps change.
    Oid relid = InvalidOid, pkey = InvalidOid, collation = InvalidOid;
    AttrNumber name_att = 0;
    pg_call([&]() noexcept {
        const Oid schema = calling_function(fcinfo).schema;
        relid = extension_relation(schema, "ai_classifiers");
        pkey = extension_relation(schema, "ai_classifiers_pkey");
        name_att = extension_column(relid, "name", TEXTOID);
        collation = collation_of(pkey, 1);
    });
    Datum result = 0;
    bool found = false;
    CatalogIndexScan scan(relid, pkey, AccessShareLock, ScanSnapshot::Catalog,
                          {EqualityKey{name_att, F_TEXTEQ, PG_GETARG_DATUM(0), collation}});
    pg_call([&]() noexcept {
        HeapTuple tuple = scan.next_in_pg();
        if (!tuple) return;
        found = true;
        // A composite datum of the table's row type, toasted values
        // flattened while the scan's snapshot is registered.
        result = heap_copy_tuple_as_datum(tuple, scan.descriptor());
    });
    if (!found) PG_RETURN_NULL();
    return result;
}
