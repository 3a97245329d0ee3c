// UTF-8 normalisation and tokenisation for Spanish and English support messages.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace intent {

struct TextOptions {
    bool lowercase = true;    // Unicode-aware for Latin scripts: Á->á, Ñ->ñ, É->é
    bool fold_accents = true; // "envío" == "envio"; ñ folds to n
};

// Validates UTF-8 and returns the normalised text: lower-cased, optionally
// accent-folded, every run of non-alphanumeric characters (punctuation, ¿, ¡,
// emoji, whitespace) collapsed to a single ASCII space, trimmed.
// Throws Error(InvalidText) naming the byte offset of the first invalid sequence.
std::string normalize_text(std::string_view text, const TextOptions &options);

// normalize_text appending to `out` instead of returning a new string, so the
// vectoriser can reuse one buffer without allocating.
void normalize_append(std::string_view text, const TextOptions &options, std::string &out);

// Splits already normalised text on spaces. Numbers stay tokens ("2", "48h").
// The views point into `normalized`.
void split_tokens(std::string_view normalized, std::vector<std::string_view> &tokens);

// normalize_text + split_tokens, returning owned strings (tests, CLI, dedup keys).
std::vector<std::string> tokenize(std::string_view text, const TextOptions &options);

// Number of code points in valid UTF-8 (char n-grams count code points, not bytes).
size_t utf8_length(std::string_view valid_utf8);

} // namespace intent
