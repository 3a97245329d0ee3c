// The PostgreSQL headers every glue file needs, included first: inside
// extern "C", with postgres.h first, as PostgreSQL requires; then the shims
// for the differences between majors (pg_compat.h). A file that needs a
// further server header includes it after this one, in an extern "C" block
// of its own (ARCHITECTURE.md, Layers).
#pragma once

// A server built without NLS (--enable-nls off) defines gettext(),
// dgettext(), ngettext() and dngettext() as macros in c.h; <libintl.h>, which
// the C++ standard library and nlohmann/json include, then no longer
// compiles. Included first, its include guard keeps it from being read again
// under those macros. With NLS, c.h includes it anyway.
#if defined(__has_include)
#if __has_include(<libintl.h>)
#include <libintl.h>
#endif
#endif

extern "C" {
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/pmsignal.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "pg_compat.h"
}
