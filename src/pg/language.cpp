// The language of what pg_intent writes for people: reports, alerts, the
// review queue's reasons and hints. A session setting is right here: it
// chooses how a reader's own output is worded and decides nothing the owner
// does (the same rows, numbers and decisions in either language).
#include "guard.h"
#include "messages.h"
#include "settings.h"
#include "text.h"
#include "text_io.h"

extern "C" {
#include "catalog/pg_type.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
}

#include <cstring>
#include <string>
#include <vector>

namespace pg_intent {

namespace {

enum OutputLanguage { kLanguageAuto, kLanguageEnglish, kLanguageSpanish };

const struct config_enum_entry kLanguages[] = {
    {"auto", kLanguageAuto, false},
    {"en", kLanguageEnglish, false},
    {"es", kLanguageSpanish, false},
    {nullptr, 0, false},
};

int guc_language = kLanguageAuto;

// auto follows lc_messages: Spanish for es, es_ES.UTF-8, es_MX and the
// like, English for everything else (C, POSIX, en_US.UTF-8, ...).
const char *language_code() noexcept {
    if (guc_language == kLanguageSpanish) return "es";
    if (guc_language == kLanguageEnglish) return "en";
    const char *messages = GetConfigOption("lc_messages", true, false);
    if (messages != nullptr && std::strncmp(messages, "es", 2) == 0 &&
        (messages[2] == '\0' || messages[2] == '_' || messages[2] == '.' || messages[2] == '@'))
        return "es";
    return "en";
}

// The Spanish catalogue of error messages: po/es.po, built by msgfmt and
// installed as <localedir>/es/LC_MESSAGES/pg_intent-<major>.mo, the name and
// directory pg_bindtextdomain() gives an extension's domain (PG_TEXTDOMAIN:
// the major version in the name lets the packages of several majors share
// /usr/share/locale). Read once, when the library loads; missing, errors
// stay English.
intent::Catalogue spanish;

void load_catalogue() noexcept {
    char localedir[MAXPGPATH];
    get_locale_path(my_exec_path, localedir);
    try {
        spanish.load(std::string(localedir) + "/es/LC_MESSAGES/pg_intent-" PG_MAJORVERSION ".mo");
    } catch (...) {
        // out of memory while loading: English errors, as without a catalogue
    }
}

// A C string's first kMaxArgumentBytes + 4 bytes (cut at a character of
// the server encoding), in a new palloc'd string: what a message shows of
// an argument is its first kMaxArgumentBytes bytes in UTF-8, which that
// many bytes of any server encoding give.
constexpr size_t kMaxArgumentBytes = 1024;

char *clipped(const char *value) noexcept {
    const size_t want = kMaxArgumentBytes + 4;
    const size_t len = strnlen(value, want + 1);
    if (len <= want) return pstrdup(value);
    return pnstrdup(value, pg_mbcliplen(value, static_cast<int>(len), static_cast<int>(want)));
}

} // namespace

bool encoding_holds_spanish() noexcept {
    const int encoding = GetDatabaseEncoding();
    return encoding == PG_UTF8 || encoding == PG_LATIN1 || encoding == PG_LATIN9 || encoding == PG_WIN1252;
}

const char *translate_pattern(const char *pattern) noexcept {
    if (pattern == nullptr || std::strcmp(language_code(), "es") != 0 || !encoding_holds_spanish())
        return pattern;
    const char *found = spanish.find(pattern);
    return found ? found : pattern;
}

std::string words(const intent::Message &message) {
    const char *pattern = message.pattern;
    pg_call([&]() noexcept { pattern = translate_pattern(pattern); });
    return intent::render(pattern, message.args);
}

std::string fixed_words(const std::string &text) {
    const char *pattern = text.c_str();
    pg_call([&]() noexcept { pattern = translate_pattern(pattern); });
    return pattern == text.c_str() ? text : intent::render(pattern, {});
}

void define_language_setting() {
    pg_call([]() noexcept { load_catalogue(); });
    DefineCustomEnumVariable(
        "pg_intent.language", "Language of reports, alerts, review reasons and hints: auto, en or es.",
        "auto follows lc_messages (es... gives Spanish, anything else English).", &guc_language,
        kLanguageAuto, kLanguages, PGC_USERSET, 0, nullptr, nullptr, nullptr);
}

} // namespace pg_intent

PG_INTENT_FUNCTION(pg_intent_language) {
    using namespace pg_intent;
    Datum result = 0;
    pg_call([&]() noexcept { result = CStringGetTextDatum(language_code()); });
    return result;
}

// intent_output_error(pattern, VARIADIC args "any"): the words of an error
// the SQL side raises, as the guard words the C++ side's: the pattern's
// translation in the reader's language, with the arguments written by their
// types' output functions, as RAISE writes them (NULL as <NULL>). Open to
// PUBLIC, so bounded: at most 16 arguments, the pattern and each argument
// cut at 1,024 bytes. A text argument is read only that far (a compressed
// or out-of-line one is sliced), as the message shows no more of it: the
// whole of a 100 MB p_run_type took 0.8 s that cancel could not stop.
PG_INTENT_FUNCTION(pg_intent_error_text) {
    using namespace pg_intent;
    constexpr size_t kMaxBytes = kMaxArgumentBytes;
    constexpr int kMaxArgs = 16;
    if (PG_ARGISNULL(0))
        throw SqlError(ERRCODE_NULL_VALUE_NOT_ALLOWED, intent::Message{N_("p_pattern must not be null"), {}});
    std::string storage;
    TextSlice slice = text_prefix(PG_GETARG_DATUM(0), kMaxBytes);
    // What a SQL_ASCII database holds need not be UTF-8, which the message
    // must be (22021 otherwise, in place of the error being raised): bytes
    // that are not become '?', one each, so lengths stay as they were.
    const std::string pattern = intent::replace_invalid_utf8(server_to_utf8(slice.data, slice.size, storage));
    // Each argument in the server encoding, as its output function writes
    // it (palloc'd in the function's memory context), or nullptr for NULL.
    // Called with VARIADIC ARRAY[...], the array's elements.
    char *values[kMaxArgs];
    int n = 0;
    bool too_many = false;
    pg_call([&]() noexcept {
        Oid type = InvalidOid;
        bool varlena = false;
        Oid output = InvalidOid;
        // The first bytes of a value as its output function writes it: of
        // text, varchar and char (whose output is their bytes) only a
        // prefix is read; of other types, the output is cut.
        const auto written = [](Oid output_function, Datum value) noexcept -> char * {
            if (output_function == F_TEXTOUT || output_function == F_VARCHAROUT ||
                output_function == F_BPCHAROUT) {
                TextSlice prefix = text_prefix_in_pg(value, kMaxArgumentBytes + 4);
                return pnstrdup(prefix.data, prefix.size);
            }
            return clipped(OidOutputFunctionCall(output_function, value));
        };
        if (get_fn_expr_variadic(fcinfo->flinfo)) {
            if (PG_NARGS() < 2 || PG_ARGISNULL(1)) return;
            ArrayType *array = DatumGetArrayTypeP(PG_GETARG_DATUM(1));
            if (ArrayGetNItems(ARR_NDIM(array), ARR_DIMS(array)) > kMaxArgs) {
                too_many = true;
                return;
            }
            int16 len;
            bool byval;
            char align;
            get_typlenbyvalalign(ARR_ELEMTYPE(array), &len, &byval, &align);
            getTypeOutputInfo(ARR_ELEMTYPE(array), &output, &varlena);
            Datum *elements;
            bool *nulls;
            deconstruct_array(array, ARR_ELEMTYPE(array), len, byval, align, &elements, &nulls, &n);
            for (int i = 0; i < n; ++i)
                values[i] = nulls[i] ? nullptr : written(output, elements[i]);
            return;
        }
        if (PG_NARGS() - 1 > kMaxArgs) {
            too_many = true;
            return;
        }
        for (int i = 1; i < PG_NARGS(); ++i) {
            values[n] = nullptr;
            if (!PG_ARGISNULL(i)) {
                type = get_fn_expr_argtype(fcinfo->flinfo, i);
                if (type == UNKNOWNOID) { // an untyped literal: its text
                    values[n] = clipped(DatumGetCString(PG_GETARG_DATUM(i)));
                } else {
                    getTypeOutputInfo(type, &output, &varlena);
                    values[n] = written(output, PG_GETARG_DATUM(i));
                }
            }
            ++n;
        }
    });
    if (too_many)
        throw SqlError(
            ERRCODE_INVALID_PARAMETER_VALUE,
            intent::Message{N_("intent_output_error() takes at most %s arguments after the pattern"),
                            {std::to_string(kMaxArgs)}});
    std::vector<std::string> args;
    for (int i = 0; i < n; ++i) {
        if (values[i] == nullptr) {
            args.emplace_back("<NULL>");
            continue;
        }
        const size_t len = std::strlen(values[i]);
        args.emplace_back(
            intent::replace_invalid_utf8(server_to_utf8(values[i], len, storage).substr(0, kMaxBytes + 4)));
        if (args.back().size() > kMaxBytes) { // cut at a character boundary
            size_t cut = kMaxBytes;
            while (cut > 0 && (static_cast<unsigned char>(args.back()[cut]) & 0xC0) == 0x80)
                --cut;
            args.back().resize(cut);
        }
    }
    const char *translated = pattern.c_str();
    pg_call([&]() noexcept { translated = translate_pattern(translated); });
    return utf8_to_text(intent::render(translated, args));
}
