// Relation and column lookups in the extension's schema (relations.h).
#include "relations.h"

namespace pg_intent {

Oid extension_relation(Oid schema, const char *name) noexcept {
    Oid relid = get_relname_relid(name, schema);
    if (!OidIsValid(relid))
        ereport(
            ERROR,
            (errcode(ERRCODE_UNDEFINED_TABLE),
             errmsg("relation \"%s\" of pg_intent does not exist in schema \"%s\"", name,
                    get_namespace_name(schema)),
             errhint("The extension's objects were altered; reinstall it with CREATE EXTENSION pg_intent.")));
    return relid;
}

AttrNumber extension_column(Oid relid, const char *name) noexcept {
    AttrNumber att = get_attnum(relid, name);
    if (att == InvalidAttrNumber)
        ereport(
            ERROR,
            (errcode(ERRCODE_UNDEFINED_COLUMN),
             errmsg("column \"%s\" of relation \"%s\" does not exist", name, get_rel_name(relid)),
             errhint("The extension's objects were altered; reinstall it with CREATE EXTENSION pg_intent.")));
    return att;
}

} // namespace pg_intent
