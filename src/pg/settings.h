// The pg_intent.* settings the library reads, and where they are defined.
#pragma once

#include "pg_headers.h"

#include "messages.h"

#include <string>

namespace pg_intent {

// pg_intent.top_k: how many intents predict_intent() returns in top_intents.
extern int guc_top_k;
// pg_intent.max_message_bytes: the longest message prediction reads.
extern int guc_max_message_bytes;
// pg_intent.allow_drop_with_data: the session confirms that a drop of the
// extension may delete its rows (drop_guard.cpp). A session setting is right
// here: it only confirms what its own role, already allowed to drop the
// extension, asked for; it decides nothing the owner does for others.
extern bool guc_allow_drop_with_data;
// pg_intent.model_cache_size (kB): the byte budget of the backend's one
// store of deserialised models, of every classifier and prediction function
// (model_store.cpp). Superuser-only (PGC_SUSET): it
// decides how much memory each backend keeps, which a low-privileged role
// must not raise.
extern int guc_model_cache_size_kb;
// pg_intent.max_model_memory (kB): the most memory one model may hold once
// loaded; a model that would hold more is refused (54000) before it is
// loaded. intent_model_info() is open to PUBLIC and loads the caller's
// bytes, which decide how much a load allocates (about ten times their
// size), so every load is bounded. Superuser-only (PGC_SUSET) for the same
// reason as the cache's budget.
extern int guc_max_model_memory_kb;
// That limit in bytes, for IntentModel::deserialize().
size_t max_model_memory_bytes();
// pg_intent.client_check_interval (ms, 0 = off): how often long work a
// client started (training: training_should_stop(), guard.cpp) looks whether
// that client's connection is still there, when the server's own
// client_connection_check_interval is off. A training whose client is gone
// would otherwise run to its end and commit, deploy included, for a caller
// that can no longer learn the result (and whose retry trains again).
// PGC_USERSET: it decides only what becomes of the session's own work.
extern int guc_client_check_interval_ms;

// pg_intent.max_message_bytes' default, and what training reads of each
// message whatever a session sets: the owner's work must not depend on a
// setting its caller controls, and a message that any role may log must not
// decide a run's memory.
constexpr int kDefaultMaxMessageBytes = 65536;

// The words of an error in the language pg_intent.language chooses (auto:
// lc_messages'): the translation of `pattern` (an English messages.h
// pattern) from the Spanish catalogue, or `pattern` itself when the
// language is English, the database encoding cannot hold Spanish, or the
// catalogue has no translation. A lookup: allocates nothing and raises
// nothing, so the guard calls it while an exception is in flight
// (language.cpp).
const char *translate_pattern(const char *pattern) noexcept;

// A message's words in that language (translate_pattern(), rendered).
std::string words(const intent::Message &message);

// A fixed sentence (a detail or hint marked N_()) in that language when the
// catalogue has it, else as it is: one built with numbers or names is not an
// entry and stays English.
std::string fixed_words(const std::string &text);

// Whether the database encoding holds Spanish text (UTF8, LATIN1, LATIN9,
// WIN1252): elsewhere pg_intent words everything in English.
bool encoding_holds_spanish() noexcept;

// Each defines its settings; called once from _PG_init.
void define_settings();         // settings.cpp
void define_language_setting(); // pg_intent.language, language.cpp
void define_settings_010();     // 0.1.0's ignored settings, settings_010.cpp

} // namespace pg_intent
