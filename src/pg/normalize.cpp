// _pg_intent_fold(): the core's text normaliser for SQL, so that feedback
// cues are matched on text normalised exactly as the classifier sees it
// (one implementation: 0.1.0 had an ASCII-only copy in SQL, which split
// words at every non-ASCII letter it did not know).
#include "guard.h"
#include "text_io.h"

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
