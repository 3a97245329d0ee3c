// _pg_intent_fold(): the core's text normaliser for SQL, so that feedback
// cues are matched on text normalised exactly as the classifier sees it
// (one implementation: 0.1.0 had an ASCII-only copy in SQL, which split
// words at every non-ASCII letter it did not know).
#include "guard.h"
#include "text_io.h"

#include "errors.h"
#include "text.h"

#include <string>

using namespace pg_intent;

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
    // In pieces, polling for cancel and statement_timeout between them: a
    // role may raise pg_intent.max_message_bytes to a gigabyte, which took
    // seconds to fold in one uninterruptible call. The pieces, cut at
    // utf8_cut(), fold to exactly the bytes of the whole text.
    constexpr size_t kPieceBytes = 64 * 1024;
    intent::NormalizeStream state;
    for (size_t pos = 0; pos < message.size();) {
        size_t end = message.size();
        if (end - pos > kPieceBytes) end = intent::utf8_cut(message, pos + kPieceBytes);
        intent::normalize_piece(message.substr(pos, end - pos), options, state, folded);
        pos = end;
        if (pos < message.size() && interrupt_pending())
            throw intent::Error(intent::ErrorKind::Cancelled, "text folding cancelled",
                                "Stopped after reading " + std::to_string(pos) + " of " +
                                    std::to_string(message.size()) + " bytes of the text.");
    }
    if (folded.size() > 1)
        folded += ' ';
    else
        folded = "  ";
    return utf8_to_text(folded);
}
