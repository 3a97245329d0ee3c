// Text between PostgreSQL and the core: the core works in UTF-8, the
// database may not (LATIN1, SQL_ASCII, ...). One implementation for
// prediction and training.
#pragma once

#include "pg_headers.h"

#include <cstddef>
#include <string>
#include <string_view>

namespace pg_intent {

// Text of a text/varchar datum without copying (detoasted if needed).
struct TextRef {
    const char *data;
    size_t size;
};
TextRef text_ref(Datum d);

// `len` bytes in the server encoding as UTF-8. The view points at `data`
// when no conversion is needed (UTF-8 and SQL_ASCII databases: SQL_ASCII
// bytes are passed as they are and the core validates them), else into
// `storage`. Raises 22P05 for a character UTF-8 cannot hold.
std::string_view server_to_utf8(const char *data, size_t len, std::string &storage);

// server_to_utf8(), for text a caller may leave out: false, with nothing
// raised, when the text holds a character UTF-8 has no equivalent for
// (22P05: WIN1252's 0x81, 0x8D, 0x8F, 0x90, 0x9D, which any role that may log
// interactions can store); any other error is raised as by server_to_utf8().
// No ERROR is raised and caught: the conversion runs with noError.
bool server_to_utf8_if_translatable(const char *data, size_t len, std::string &storage,
                                    std::string_view &utf8);

// UTF-8 as a text datum in the server encoding (22P05 when the server
// encoding cannot hold a character).
Datum utf8_to_text(std::string_view utf8);

// Bytes already in the server encoding (a value read from a table: a
// partition value, a row key) as a text datum, unconverted.
Datum server_bytes_to_text(std::string_view server_text);

// JSON text written by the core (UTF-8) as jsonb. jsonb_in reads its input
// in the server encoding, so the text is converted first.
Datum utf8_json_to_jsonb(const std::string &json);

// A jsonb options argument as JSON text in UTF-8, for the core's parser.
// Options are a few dozen keys: a document over 64 kB is refused (22023)
// before it is detoasted or parsed, since parsing costs many times its size
// (a 32 MB one took 913 MB) and intent_training_options() is open to PUBLIC.
std::string jsonb_to_utf8(Datum d);

// At most `max_bytes` of a text datum, cut at a character boundary of the
// server encoding (in SQL_ASCII of UTF-8, which the core reads), read without detoasting more than it needs:
// a slice of a compressed or out-of-line value is fetched and decompressed only that far. Sets *truncated
// when the value was longer.
struct TextSlice {
    const char *data;
    size_t size;
    bool truncated;
};
TextSlice text_prefix(Datum d, size_t max_bytes);
// The same, for code already inside pg_call() (it may elog(ERROR)); the
// slice is allocated in the current memory context.
TextSlice text_prefix_in_pg(Datum d, size_t max_bytes) noexcept;

// A message argument as the core reads it: its first pg_intent.max_message_bytes
// bytes (cut at a character boundary), as UTF-8. Every function that hands a
// caller's message to the core reads it through here, so the work per call
// stays bounded whatever the message's size.
std::string_view message_utf8(Datum d, std::string &converted);

} // namespace pg_intent
