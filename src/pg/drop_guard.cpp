// The drop guard: the event trigger pg_intent_drop_guard (ddl_command_start
// of DROP EXTENSION, DROP SCHEMA and DROP OWNED, src/sql/60_drop_guard.sql)
// refuses a command that would drop the extension while its tables hold
// captured messages, corrections, training runs or models, unless the session
// confirms it with pg_intent.allow_drop_with_data.
//
// Every message, correction, run and model lives in the extension's tables,
// and DROP EXTENSION (with or without CASCADE: the tables are members, not
// dependents) deletes them without a word; so do DROP EXTENSION plpgsql
// CASCADE (an extension pg_intent requires), DROP SCHEMA ... CASCADE of the
// extension's schema and DROP OWNED BY the extension's owner. An empty
// install drops as before. The guard protects from a mistake, not from a
// role: whoever passes PostgreSQL's own ownership check may set the setting.
#include "citus_node.h"
#include "guard.h"
#include "relations.h"
#include "scan.h"
#include "settings.h"

extern "C" {
#include "access/genam.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/dependency.h"
#include "catalog/indexing.h"
#include "catalog/pg_depend.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_proc.h"
#include "commands/event_trigger.h"
#include "commands/extension.h"
#include "executor/tuptable.h"
#include "nodes/parsenodes.h"
#include "storage/lmgr.h"
#include "tcop/cmdtag.h"
#include "utils/acl.h"
#include "utils/fmgroids.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
}

#include <cstring>
#include <string>
#include <vector>

namespace pg_intent {

namespace {

// The tables whose rows the guard keeps: what users captured and trained.
// (ai_training_policy always holds its one row; the other tables hold what
// these derive.)
constexpr const char *kGuardedTables[] = {"ai_training_data", "ai_intent_corrections", "ai_training_runs",
                                          "ai_intent_models", "ai_classifiers"};
// ai_classifiers counts only for the classifiers users created.
constexpr int kClassifiersIndex = 4;
constexpr int kModelsIndex = 3;
constexpr int kGuardedCount = sizeof kGuardedTables / sizeof kGuardedTables[0];

// What the command would do to the extension. Plain data: filled inside
// pg_call().
struct DropTarget {
    bool drops_extension = false;
    Oid schema = InvalidOid;
};

Oid extension_owner(Oid ext) {
    Oid owner = InvalidOid;
    CatalogIndexScan scan(ExtensionRelationId, ExtensionOidIndexId, AccessShareLock, ScanSnapshot::Catalog,
                          {{Anum_pg_extension_oid, F_OIDEQ, ObjectIdGetDatum(ext)}});
    if (HeapTuple tuple = scan.next()) owner = ((Form_pg_extension)GETSTRUCT(tuple))->extowner;
    return owner;
}

// The extensions pg_intent requires (its control file's `requires`:
// plpgsql): DROP EXTENSION of one of them with CASCADE drops pg_intent too.
std::vector<Oid> required_extensions(Oid ext) {
    std::vector<Oid> required;
    CatalogIndexScan scan(DependRelationId, DependDependerIndexId, AccessShareLock, ScanSnapshot::Catalog,
                          {{Anum_pg_depend_classid, F_OIDEQ, ObjectIdGetDatum(ExtensionRelationId)},
                           {Anum_pg_depend_objid, F_OIDEQ, ObjectIdGetDatum(ext)}});
    while (HeapTuple tuple = scan.next()) {
        const auto *dep = (Form_pg_depend)GETSTRUCT(tuple);
        if (dep->refclassid == ExtensionRelationId) required.push_back(dep->refobjid);
    }
    return required;
}

Oid schema_owner(Oid schema) noexcept {
    HeapTuple tuple = SearchSysCache1(NAMESPACEOID, ObjectIdGetDatum(schema));
    if (!HeapTupleIsValid(tuple)) return InvalidOid;
    Oid owner = ((Form_pg_namespace)GETSTRUCT(tuple))->nspowner;
    ReleaseSysCache(tuple);
    return owner;
}

bool names_contain(List *names, const char *name) noexcept {
    ListCell *cell;
    foreach (cell, names) {
        Node *node = static_cast<Node *>(lfirst(cell));
        if (IsA(node, String) && std::strcmp(strVal(node), name) == 0) return true;
    }
    return false;
}

// Whether `parsetree` drops the extension `ext` (in `schema`), judged exactly
// as PostgreSQL will run it. A command that PostgreSQL's own ownership check
// will refuse is left to it: the guard must not lock the tables on behalf of
// a role that may not drop them. `ext_owner` is read only for DROP OWNED;
// `required` (the extensions pg_intent requires) only for DROP EXTENSION.
bool drops_extension(Node *parsetree, Oid ext, Oid ext_owner, const std::vector<Oid> &required,
                     Oid schema) noexcept {
    const Oid user = GetUserId();
    if (IsA(parsetree, DropStmt)) {
        auto *stmt = reinterpret_cast<DropStmt *>(parsetree);
        if (stmt->removeType == OBJECT_EXTENSION) {
            if (names_contain(stmt->objects, "pg_intent"))
                return object_ownercheck(ExtensionRelationId, ext, user);
            // DROP EXTENSION plpgsql CASCADE drops pg_intent with it; PostgreSQL
            // checks the ownership of the extension named only.
            if (stmt->behavior != DROP_CASCADE) return false;
            for (const Oid other : required) {
                const char *name = get_extension_name(other);
                if (name && names_contain(stmt->objects, name) &&
                    object_ownercheck(ExtensionRelationId, other, user))
                    return true;
            }
            return false;
        }
        // Without CASCADE, PostgreSQL refuses to drop the schema (the
        // extension depends on it).
        if (stmt->removeType == OBJECT_SCHEMA && stmt->behavior == DROP_CASCADE) {
            const char *name = get_namespace_name(schema);
            return name && names_contain(stmt->objects, name) &&
                   object_ownercheck(NamespaceRelationId, schema, user);
        }
        return false;
    }
    if (IsA(parsetree, DropOwnedStmt)) {
        auto *stmt = reinterpret_cast<DropOwnedStmt *>(parsetree);
        const Oid nsp_owner = schema_owner(schema);
        ListCell *cell;
        foreach (cell, stmt->roles) {
            Oid role = get_rolespec_oid(static_cast<RoleSpec *>(lfirst(cell)), true);
            if (!OidIsValid(role) || !has_privs_of_role(user, role)) continue;
            if (role == ext_owner) return true;
            if (role == nsp_owner && stmt->behavior == DROP_CASCADE) return true;
        }
    }
    return false;
}

// Whether the table holds a row visible to a fresh snapshot, which sees what
// this transaction wrote too. Reads the heap directly (no SQL, no privilege
// or row security check: existence only) and stops at the first row. Takes
// the lock the drop takes next anyway, so that a row committed after the
// check cannot be dropped unseen; the guard has already checked that the
// caller may drop the extension.
bool holds_rows(Oid relid) {
    HeapScan scan(relid, AccessExclusiveLock, ScanSnapshot::Latest, LockHeld::UntilTransactionEnd);
    return scan.next_row_exists();
}

// Whether ai_classifiers holds a classifier a user created (every install
// holds the built-in one): its row names the source, columns, grants and
// policy that the classifier's models and runs need. Read as holds_rows().
bool holds_user_classifiers(Oid relid) {
    AttrNumber built_in = 0;
    pg_call([&]() noexcept { built_in = extension_column(relid, "built_in", BOOLOID); });
    HeapScan scan(relid, AccessExclusiveLock, ScanSnapshot::Latest, LockHeld::UntilTransactionEnd);
    const TupleDesc desc = scan.descriptor();
    while (HeapTuple tuple = scan.next()) {
        bool isnull = false;
        const Datum value = heap_getattr(tuple, built_in, desc, &isnull);
        if (isnull || !DatumGetBool(value)) return true;
    }
    return false;
}

// Refuses (55000) the drop while the guarded tables hold rows. On a Citus
// worker the classifiers and models are copies of the coordinator's
// (src/sql/62_citus_nodes.sql), which the drop loses nothing by; what the
// node captured or trained itself (messages, corrections, runs) is still
// guarded.
void refuse_if_holding_rows(const EventTriggerData *event, FunctionCallInfo fcinfo) {
    bool full[kGuardedCount] = {};
    Oid schema = InvalidOid; // the extension's
    const char *schema_name = nullptr;
    pg_call([&]() noexcept {
        schema = calling_function(fcinfo).schema;
        schema_name = get_namespace_name(schema);
    });
    const bool copies_only = on_citus_worker(schema);
    for (int i = 0; i < kGuardedCount; ++i) {
        if (copies_only && (i == kModelsIndex || i == kClassifiersIndex)) continue;
        Oid relid = InvalidOid;
        pg_call([&]() noexcept { relid = get_relname_relid(kGuardedTables[i], schema); });
        full[i] =
            OidIsValid(relid) && (i == kClassifiersIndex ? holds_user_classifiers(relid) : holds_rows(relid));
    }
    std::string tables;
    for (int i = 0; i < kGuardedCount; ++i)
        if (full[i]) tables += std::string(tables.empty() ? "" : ", ") + kGuardedTables[i];
    if (tables.empty()) return;

    const std::string shown_schema = schema_name ? schema_name : "public";
    // On a Citus cluster the coordinator propagates the drop to every
    // worker, whose own guard checks its own tables; a plain SET stays in
    // the coordinator's session, a SET LOCAL reaches the workers' sessions
    // when citus.propagate_set_commands is 'local' (test/scripts/citus.sh).
    bool citus = false;
    pg_call([&]() noexcept { citus = OidIsValid(get_extension_oid("citus", true)); });
    const std::string confirm =
        citus ? "run, on the coordinator: SET citus.propagate_set_commands = 'local'; BEGIN; SET LOCAL "
                "pg_intent.allow_drop_with_data = on; then drop again and COMMIT (on Citus a plain SET does "
                "not reach the workers, whose tables are checked too)."
              : "run SET pg_intent.allow_drop_with_data = on in this session and drop again.";
    throw SqlError(
        ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
        std::string(GetCommandTagName(event->tag)) +
            " would delete pg_intent's captured messages, corrections, training runs and models",
        "These tables of pg_intent (schema " + shown_schema + ") hold rows: " + tables +
            ". Dropping the extension drops its tables with every row, with or without CASCADE.",
        "Nothing was dropped. To upgrade, use ALTER EXTENSION pg_intent UPDATE (it keeps every row). To "
        "drop the data for good, keep a copy first (pg_dump of the database includes these tables; "
        "export_training_dataset() writes the messages as JSONL or CSV), then " +
            confirm);
}

} // namespace
} // namespace pg_intent

using namespace pg_intent;

// _pg_intent_drop_guard(): the event trigger function.
PG_INTENT_FUNCTION(pg_intent_drop_guard) {
    if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
        throw SqlError(ERRCODE_E_R_I_E_EVENT_TRIGGER_PROTOCOL_VIOLATED,
                       intent::Message{N_("_pg_intent_drop_guard() must be called as an event trigger"), {}});
    auto *event = reinterpret_cast<EventTriggerData *>(fcinfo->context);
    const Oid fn_oid = fcinfo->flinfo->fn_oid;
    bool threatened = false;
    Oid ext = InvalidOid;
    pg_call([&]() noexcept { ext = getExtensionOfObject(ProcedureRelationId, fn_oid); });
    if (OidIsValid(ext) && event->parsetree) {
        const Oid ext_owner = IsA(event->parsetree, DropOwnedStmt) ? extension_owner(ext) : InvalidOid;
        const std::vector<Oid> required =
            IsA(event->parsetree, DropStmt) ? required_extensions(ext) : std::vector<Oid>{};
        pg_call([&]() noexcept {
            threatened =
                drops_extension(event->parsetree, ext, ext_owner, required, calling_function(fcinfo).schema);
        });
    }
    if (!threatened) return PointerGetDatum(nullptr);
    if (!guc_allow_drop_with_data) refuse_if_holding_rows(event, fcinfo);
    // On a Citus node where replicate_classifiers() made
    // ai_classifier_publication a reference table, the node's placements of
    // it are not members of the extension and carry a trigger on its
    // function: the drop would fail on them, and Citus would leave them
    // behind. They go first, in the drop's own transaction (a drop that
    // fails later keeps them).
    Oid schema = InvalidOid;
    pg_call([&]() noexcept { schema = calling_function(fcinfo).schema; });
    release_citus_placements(schema);
    return PointerGetDatum(nullptr);
}