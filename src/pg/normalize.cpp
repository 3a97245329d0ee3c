// _pg_intent_fold(): the core's text normaliser for SQL, so that feedback
// cues are matched on text normalised exactly as the classifier sees it
// (one implementation: 0.1.0 had an ASCII-only copy in SQL, which split
// words at every non-ASCII letter it did not know). normalize_intent_name():
// how record_interaction() and submit_intent_correction() trim a label they
// are passed (declared in src/sql/30_capture.sql).
#include "guard.h"
#include "text_io.h"

#include "text.h"

#include <string>

using namespace pg_intent;

namespace {

// The ASCII whitespace trimmed: space, tab, line feed, vertical tab, form
// feed, carriage return.
bool trimmed_byte(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

} // namespace

// p_name without those characters at either end, trimmed as bytes: in every
// server encoding a byte below 0x80 is only ever that ASCII character (no
// multibyte character holds one), so this trims what btrim(p_name, the six
// characters) trims, of any text PostgreSQL stores, the bytes as they are.
// In C because SQL cannot do both: btrim() of the text in a multibyte
// database builds a pointer and a length for every character (13 times the
// label's size in all), and btrim() of its bytes goes through convert_to()
// and convert_from(), which validate the encoding and raise 22021 on text
// PostgreSQL stores unvalidated (COPY ... ENCODING 'SQL_ASCII' into a UTF8
// database), which must be trimmed as btrim() trims it: a view that trims
// a classifier's labels with this failed on such a row. Here the memory is
// the detoasted argument and the result. STRICT: NULL for NULL.
PG_INTENT_FUNCTION(pg_intent_normalize_intent_name) {
    text *result = nullptr;
    pg_call([&]() noexcept {
        text *name = PG_GETARG_TEXT_PP(0);
        const char *bytes = VARDATA_ANY(name);
        size_t begin = 0, end = VARSIZE_ANY_EXHDR(name);
        while (begin < end && trimmed_byte(bytes[begin]))
            ++begin;
        while (end > begin && trimmed_byte(bytes[end - 1]))
            --end;
        result = cstring_to_text_with_len(bytes + begin, static_cast<int>(end - begin));
    });
    PG_RETURN_TEXT_P(result);
}

// _pg_intent_fold(p_text text): lower case, accents folded, every run of
// characters that are not letters or digits turned into one space, padded
// with a space on each side so that ' word ' matches at word boundaries.
// Reads at most pg_intent.max_message_bytes of the text.
PG_INTENT_FUNCTION(pg_intent_fold) {
    std::string converted;
    std::string_view message = message_utf8(PG_GETARG_DATUM(0), converted);
    intent::TextOptions options;
    options.lowercase = true;
    options.fold_accents = true;
    std::string folded = " ";
    // Polling for cancel and statement_timeout between pieces: a role may
    // raise pg_intent.max_message_bytes to a gigabyte, which took seconds to
    // fold in one uninterruptible call.
    intent::normalize_append(message, options, folded, [] { return interrupt_pending(); });
    if (folded.size() > 1)
        folded += ' ';
    else
        folded = "  ";
    return utf8_to_text(folded);
}
