// What the glue asks about a Citus cluster. The rules are SQL, stated once
// in src/sql/62_citus_nodes.sql; these call them by OID in the extension's
// schema (never through search_path), and do without them on a library
// newer than the installed SQL (the functions are 0.3.2's).
#pragma once

#include "pg_headers.h"

namespace pg_intent {

// Whether this database is a Citus worker (its _pg_intent_citus_group() is
// not 0), whose classifiers and models are copies of the coordinator's.
bool on_citus_worker(Oid schema);

// Drops this node's shard placements of ai_classifier_publication
// (_pg_intent_release_citus_placements()): the drop guard's step before
// the extension goes.
void release_citus_placements(Oid schema);

} // namespace pg_intent
