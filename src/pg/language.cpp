// The language of what pg_intent writes for people: reports, alerts, the
// review queue's reasons and hints. A session setting is right here: it
// chooses how a reader's own output is worded and decides nothing the owner
// does (the same rows, numbers and decisions in either language).
#include "guard.h"
#include "settings.h"

extern "C" {
#include "utils/builtins.h"
#include "utils/guc.h"
}

#include <cstring>

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

} // namespace

void define_language_setting() {
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
