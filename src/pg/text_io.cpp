// Encoding conversion and bounded reads of text datums (see text_io.h).
#include "text_io.h"

#include "settings.h"

#include "guard.h"

#include "errors.h"

extern "C" {
#include "access/detoast.h"
#include "catalog/namespace.h"
#include "mb/pg_wchar.h"
}

#include <algorithm>
#include <cstring>

namespace pg_intent {

namespace {

// Converts one piece of server-encoded text to UTF-8 without raising an
// ERROR for a character UTF-8 has no equivalent for (the noError
// conversion PostgreSQL 14 added, as COPY FROM uses it): nullptr then. Any
// other error (invalid input, out of memory) is raised as
// pg_server_to_any() raises it. PostgreSQL calls only.
char *convert_piece_if_translatable(int encoding, const char *piece, int n) noexcept {
    const Oid proc = FindDefaultConversionProc(encoding, PG_UTF8);
    if (!OidIsValid(proc)) return pg_server_to_any(piece, n, PG_UTF8); // raises its error
    const int cap = n * MAX_CONVERSION_GROWTH + 1;
    auto *out = static_cast<unsigned char *>(palloc(static_cast<Size>(cap)));
    auto *in = reinterpret_cast<unsigned char *>(const_cast<char *>(piece));
    const int done = pg_do_encoding_conversion_buf(proc, encoding, PG_UTF8, in, n, out, cap, true);
    if (done == n) return reinterpret_cast<char *>(out);
    // Stopped early: at an untranslatable character, or at invalid input,
    // which stored text never holds; that one raises its usual error.
    if (!pg_verify_mbstr(encoding, piece + done, n - done, true)) pg_server_to_any(piece, n, PG_UTF8);
    pfree(out);
    return nullptr;
}

// server_to_utf8(); with `translatable_only`, false instead of an ERROR for
// an untranslatable character.
bool convert(const char *data, size_t len, std::string &storage, std::string_view &utf8,
             bool translatable_only) {
    const int encoding = GetDatabaseEncoding();
    if (encoding == PG_UTF8 || encoding == PG_SQL_ASCII) {
        utf8 = std::string_view(data, len);
        return true;
    }
    // A long text is converted in pieces, polling for cancel and
    // statement_timeout between them: a role may raise
    // pg_intent.max_message_bytes to a gigabyte, and PostgreSQL converts a
    // whole string in one uninterruptible call, into a buffer of 4 bytes per
    // input byte.
    constexpr size_t kPieceBytes = 1u << 20;
    bool copied = false; // whether the result is in `storage`
    size_t pos = 0;
    while (pos < len) {
        if (pos > 0 && interrupt_pending())
            throw intent::Error(intent::ErrorKind::Cancelled, "text conversion cancelled",
                                "Stopped after converting " + std::to_string(pos) + " of " +
                                    std::to_string(len) + " bytes to UTF-8.");
        const char *piece = data + pos;
        size_t n = len - pos;
        char *converted = nullptr;
        pg_call([&]() noexcept {
            // Cut at a character boundary of the server encoding.
            if (n > kPieceBytes)
                n = static_cast<size_t>(pg_mbcliplen(piece,
                                                     static_cast<int>(std::min<size_t>(n, PG_INT32_MAX)),
                                                     static_cast<int>(kPieceBytes)));
            converted = translatable_only
                            ? convert_piece_if_translatable(encoding, piece, static_cast<int>(n))
                            : pg_server_to_any(piece, static_cast<int>(n), PG_UTF8);
        });
        if (!converted) {
            storage.clear();
            utf8 = {};
            return false;
        }
        if (n == 0) break; // cannot happen for valid text; never loop forever
        // pg_server_to_any() returns its input, which is not NUL-terminated,
        // when nothing needed converting (pure ASCII): never read past `n`.
        // Until a piece needs converting, the result is `data` itself.
        if (converted == piece) {
            if (copied) storage.append(piece, n);
        } else {
            if (!copied) storage.assign(data, pos);
            copied = true;
            storage.append(converted, std::strlen(converted));
            pg_call([&]() noexcept { pfree(converted); });
        }
        pos += n;
    }
    utf8 = copied ? std::string_view(storage) : std::string_view(data, pos);
    return true;
}

} // namespace

std::string_view server_to_utf8(const char *data, size_t len, std::string &storage) {
    std::string_view utf8;
    convert(data, len, storage, utf8, false);
    return utf8;
}

bool server_to_utf8_if_translatable(const char *data, size_t len, std::string &storage,
                                    std::string_view &utf8) {
    return convert(data, len, storage, utf8, true);
}

TextRef text_ref(Datum d) {
    text *t = nullptr;
    pg_call([&]() noexcept { t = DatumGetTextPP(d); });
    return TextRef{VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t)};
}

Datum utf8_to_text(std::string_view utf8) {
    Datum result;
    pg_call([&]() noexcept {
        char *server = pg_any_to_server(utf8.data(), static_cast<int>(utf8.size()), PG_UTF8);
        size_t len = server == utf8.data() ? utf8.size() : std::strlen(server);
        result = PointerGetDatum(cstring_to_text_with_len(server, static_cast<int>(len)));
    });
    return result;
}

Datum server_bytes_to_text(std::string_view server_text) {
    Datum result;
    pg_call([&]() noexcept {
        result = PointerGetDatum(
            cstring_to_text_with_len(server_text.data(), static_cast<int>(server_text.size())));
    });
    return result;
}

Datum utf8_json_to_jsonb(const std::string &json) {
    Datum result;
    pg_call([&]() noexcept {
        // The std::string is NUL-terminated, so the unconverted pointer is a
        // valid C string too.
        char *server = pg_any_to_server(json.c_str(), static_cast<int>(json.size()), PG_UTF8);
        result = DirectFunctionCall1(jsonb_in, CStringGetDatum(server));
    });
    return result;
}

std::string jsonb_to_utf8(Datum d) {
    constexpr size_t kMaxOptionsBytes = 64 * 1024;
    size_t raw = 0;
    pg_call([&]() noexcept { raw = toast_raw_datum_size(d); });
    if (raw > kMaxOptionsBytes)
        throw SqlError(ERRCODE_INVALID_PARAMETER_VALUE,
                       intent::Message{N_("training options are too large"), {}},
                       "The options document has " + std::to_string(raw) + " bytes; at most 65536 are read.",
                       N_("Pass only the options to set; intent_training_options() lists them."));
    char *json = nullptr;
    pg_call([&]() noexcept {
        Jsonb *jb = DatumGetJsonbP(d);
        json = JsonbToCString(nullptr, &jb->root, VARSIZE(jb));
    });
    std::string storage;
    std::string_view utf8 = server_to_utf8(json, std::strlen(json), storage);
    return storage.empty() ? std::string(utf8) : std::move(storage);
}

TextSlice text_prefix_in_pg(Datum d, size_t max_bytes) noexcept {
    // A character is at most 4 bytes in every server encoding: look at a few
    // bytes more than the limit to know whether the value is longer and
    // where the last whole character ends.
    const size_t want = std::min<size_t>(max_bytes + 4, PG_INT32_MAX - VARHDRSZ);
    const struct varlena *v = reinterpret_cast<const struct varlena *>(DatumGetPointer(d));
    const struct varlena *t = v;
    // An inline, uncompressed value (every argument a client sends, most
    // column values) is read where it is; only a compressed or out-of-line
    // one is sliced, which copies.
    if (VARATT_IS_EXTERNAL(v) || VARATT_IS_COMPRESSED(v))
        t = pg_detoast_datum_slice(const_cast<struct varlena *>(v), 0, static_cast<int32>(want));
    const char *data = VARDATA_ANY(t);
    const size_t len = std::min<size_t>(VARSIZE_ANY_EXHDR(t), want);
    if (len <= max_bytes) return TextSlice{data, len, false};
    size_t cut = static_cast<size_t>(pg_mbcliplen(data, static_cast<int>(len), static_cast<int>(max_bytes)));
    // SQL_ASCII's characters are bytes, but the core reads the text as
    // UTF-8: cut before a UTF-8 continuation byte, or a valid message longer
    // than the limit became invalid (22021) where a shorter one was read.
    // data[cut] exists: len > max_bytes >= cut. A UTF-8 character has at
    // most 3 continuation bytes, so at most 3 steps back: text that is not
    // UTF-8 there stays invalid (and training skips it) instead of being cut
    // down to nothing, as a run of 70,000 bytes 0x80 was (it trained as an
    // empty message), and the walk is bounded.
    if (GetDatabaseEncoding() == PG_SQL_ASCII)
        for (int step = 0; step < 3 && cut > 0 && (static_cast<unsigned char>(data[cut]) & 0xC0) == 0x80;
             ++step)
            --cut;
    return TextSlice{data, cut, true};
}

TextSlice text_prefix(Datum d, size_t max_bytes) {
    TextSlice out{nullptr, 0, false};
    pg_call([&]() noexcept { out = text_prefix_in_pg(d, max_bytes); });
    return out;
}

std::string_view message_utf8(Datum d, std::string &converted) {
    TextSlice slice = text_prefix(d, static_cast<size_t>(guc_max_message_bytes));
    return server_to_utf8(slice.data, slice.size, converted);
}

} // namespace pg_intent
