// _pg_intent_render_report_html(p_report jsonb, p_language text): the HTML
// page of training_report(p_run_id, 'html'), rendered by the core
// (src/core/report_html.cpp) from the document _pg_intent_report_html()
// gathers with the caller's rights. Rendering only: nothing here reads a
// table or decides anything.
#include "guard.h"
#include "settings.h"
#include "text_io.h"

#include "errors.h"
#include "report_html.h"
#include "text.h"

extern "C" {
#include "access/detoast.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"
}

#include <cstring>
#include <string>

using namespace pg_intent;

namespace {

// The document is bounded by what the SQL side collects (10 reliability
// bins, about 200 curve points, 50 messages cut to 300 characters, 20 trend
// runs) and by the run's stored report (a confusion matrix of at most 300 x
// 300 intents among it: about 1 MB). 16 MB is far above any real one and
// keeps a hand-made document, which any role granted the report set may
// pass, from costing the backend more than a few hundred megabytes to parse
// (64 MB of them cost 1.4 GB).
constexpr size_t kMaxReportBytes = 16 * 1024 * 1024;

// The length of the document's JSON text, counted value by value and given
// up past `limit` (then some number above it): the stored size does not
// bound it, since a number of a few bytes, 1e131071, is written with
// 131,072 digits (9,000 of them in a 1 kB document made a 1 GB string).
// Each number is written alone (at most about 150 kB) and freed.
size_t json_text_bound(Jsonb *jb, size_t limit) noexcept {
    JsonbIterator *it = JsonbIteratorInit(&jb->root);
    JsonbValue v;
    JsonbIteratorToken token;
    size_t n = 0, values = 0;
    while ((token = JsonbIteratorNext(&it, &v, false)) != WJB_DONE) {
        if ((++values & 1023) == 0) CHECK_FOR_INTERRUPTS();
        n += 4; // brackets, a comma and a space, a colon
        if (token != WJB_KEY && token != WJB_VALUE && token != WJB_ELEM) continue;
        switch (v.type) {
        case jbvString:
            n += 2;
            for (int i = 0; i < v.val.string.len; ++i) {
                const unsigned char c = static_cast<unsigned char>(v.val.string.val[i]);
                n += c < 0x20 ? 6 : (c == '"' || c == '\\') ? 2 : 1;
            }
            break;
        case jbvNumeric: {
            char *text = DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(v.val.numeric)));
            n += std::strlen(text);
            pfree(text);
            break;
        }
        default:
            n += 5; // true, false, null
        }
        if (n > limit) break;
    }
    return n;
}

} // namespace

PG_INTENT_FUNCTION(pg_intent_render_report_html) {
    if (PG_ARGISNULL(0))
        throw SqlError(ERRCODE_NULL_VALUE_NOT_ALLOWED, intent::Message{N_("p_report must not be null"), {}});
    Datum report = PG_GETARG_DATUM(0);
    std::string language = "en";
    if (!PG_ARGISNULL(1)) {
        TextSlice code = text_prefix(PG_GETARG_DATUM(1), 8);
        language.assign(code.data, code.size);
    }
    size_t raw = 0;
    pg_call([&]() noexcept { raw = toast_raw_datum_size(report); });
    if (raw > kMaxReportBytes)
        throw SqlError(ERRCODE_PROGRAM_LIMIT_EXCEEDED,
                       intent::Message{N_("the report document is too large"), {}},
                       "It has " + std::to_string(raw) + " bytes; at most " +
                           std::to_string(kMaxReportBytes) + " are rendered.");
    char *json = nullptr;
    bool utf8_database = false;
    size_t text_bytes = 0;
    pg_call([&]() noexcept {
        Jsonb *jb = DatumGetJsonbP(report);
        text_bytes = json_text_bound(jb, kMaxReportBytes);
        if (text_bytes > kMaxReportBytes) return;
        json = JsonbToCString(nullptr, &jb->root, VARSIZE(jb));
        utf8_database = GetDatabaseEncoding() == PG_UTF8;
    });
    if (text_bytes > kMaxReportBytes)
        throw SqlError(ERRCODE_PROGRAM_LIMIT_EXCEEDED,
                       intent::Message{N_("the report document is too large"), {}},
                       "Its JSON text has more than " + std::to_string(kMaxReportBytes) +
                           " bytes, the most that are rendered.");
    std::string storage;
    std::string_view utf8 = server_to_utf8(json, std::strlen(json), storage);
    // A SQL_ASCII database stores any bytes, and server_to_utf8() passes
    // them on unchecked: a run name (a classifier's trainer gives one), a
    // partition key or a label that is not UTF-8 made the parse refuse the
    // whole document (22023), for that run's page and every later one whose
    // trend names it. Such bytes are shown as '?', as a message quotes them
    // (replace_invalid_utf8()); JSON's own syntax is ASCII, so only string
    // contents change.
    std::string repaired;
    if (!utf8_database && !intent::is_valid_utf8(utf8)) {
        repaired = intent::replace_invalid_utf8(utf8);
        utf8 = repaired;
    }
    // Parsing megabytes takes seconds: a cancel or statement_timeout stops it.
    intent::Json document = intent::parse_json(utf8, "report document", [] { return interrupt_pending(); });
    intent::report::HtmlOptions options;
    options.language = intent::report::language_from_code(language);
    // Outside UTF8 every character beyond ASCII is written as a character
    // reference, which any server encoding holds and a browser reads the same.
    options.ascii_only = !utf8_database;
    // Rendering a large hand-made document takes seconds too, and its page
    // is bounded (HtmlOptions::max_bytes): past it, the document is too
    // large, as above.
    options.interrupted = [] { return interrupt_pending(); };
    std::string page;
    try {
        page = intent::report::render_report_html(document, options);
    } catch (const intent::Error &e) {
        if (e.kind() != intent::ErrorKind::ResourceLimit) throw;
        throw SqlError(ERRCODE_PROGRAM_LIMIT_EXCEEDED,
                       intent::Message{N_("the report document is too large"), {}},
                       "Its page would have more than " + std::to_string(options.max_bytes) +
                           " bytes, the most that are rendered.");
    }
    return utf8_to_text(page);
}

// intent_output_text(p_key text, p_language text): one fixed text of what
// pg_intent words for people, from the core's table of both languages
// (src/core/report_text.cpp), for the SQL pieces (alerts, the review
// queue's reasons). Spanish needs a server encoding that holds its letters
// (UTF8, LATIN1, LATIN9, WIN1252); in any other the English text is given,
// so that no text fails to convert. An unknown key raises 22023.
PG_INTENT_FUNCTION(pg_intent_text) {
    if (PG_ARGISNULL(0))
        throw SqlError(ERRCODE_NULL_VALUE_NOT_ALLOWED, intent::Message{N_("p_key must not be null"), {}});
    TextSlice key = text_prefix(PG_GETARG_DATUM(0), 64);
    std::string language = "en";
    if (!PG_ARGISNULL(1)) {
        TextSlice code = text_prefix(PG_GETARG_DATUM(1), 8);
        language.assign(code.data, code.size);
    }
    intent::report::Language lang = intent::report::language_from_code(language);
    bool holds_spanish = false;
    pg_call([&]() noexcept { holds_spanish = encoding_holds_spanish(); });
    if (!holds_spanish) lang = intent::report::Language::English;
    std::string_view name(key.data, key.size);
    const char *found = nullptr;
    try {
        found = intent::report::text(name, lang);
    } catch (const intent::Error &) {
        throw SqlError(ERRCODE_INVALID_PARAMETER_VALUE,
                       intent::Message{N_("unknown text key: \"%s\""), {std::string(name)}});
    }
    return utf8_to_text(found);
}
