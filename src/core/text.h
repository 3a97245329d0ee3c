// UTF-8 normalisation and tokenisation for Spanish and English support messages.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace intent {

struct TextOptions {
    bool lowercase = true;    // Unicode-aware for Latin scripts: Á->á, Ñ->ñ, É->é
    bool fold_accents = true; // "envío" == "envio"; ñ folds to n
    // Every run of digits becomes one "0" ("4556-7788-9911" -> "0 0 0",
    // "48h" -> "0h"), so no n-gram names a number: a card, phone or account
    // number in one tenant's rows cannot become a feature another tenant can
    // query (issue 31, item 9). Digits are the ASCII ones, the Latin-1
    // superscripts and the decimal digits of the scripts is_digit_run_char()
    // lists. Off by default, and off in every model stored without it, so a
    // deployed model keeps its predictions; a partitioned classifier's models
    // are trained with it (docs/classifiers.md, "What a tenant can learn").
    bool normalize_digits = false;
};

// Validates UTF-8 and returns the normalised text: lower-cased, optionally
// accent-folded, every run of non-alphanumeric characters (punctuation, ¿, ¡,
// emoji, whitespace) collapsed to a single ASCII space, trimmed.
// Throws Error(InvalidText) naming the byte offset of the first invalid sequence.
std::string normalize_text(std::string_view text, const TextOptions &options);

// normalize_text appending to `out` instead of returning a new string, so the
// vectoriser can reuse one buffer without allocating.
void normalize_append(std::string_view text, const TextOptions &options, std::string &out);

// State of a normalisation fed in pieces (see normalize_piece).
struct NormalizeStream {
    bool pending = false; // a separator was seen since the last word character
    bool started = false; // a word character has been written
    size_t consumed = 0;  // input bytes fed so far, for error offsets
    bool in_digits = false; // normalize_digits: the last word character written was a digit run's "0"
};

// Normalises `piece`, the next part of a longer text, appending to `out`.
// Feeding a text piece by piece, each cut at utf8_cut, appends exactly the
// bytes normalize_append appends for the whole text, and throws the same
// error (the byte offset counts from the start of the whole text). A piece's
// output may start with the space that separates it from the previous one;
// it never ends with a space. Output bound: piece.size() * 3 / 2 + 1 bytes.
// This lets prediction normalise arbitrarily long input in fixed memory.
void normalize_piece(std::string_view piece, const TextOptions &options, NormalizeStream &state,
                     std::string &out);

// normalize_append in pieces of 64 kB cut at utf8_cut, calling `cancelled`
// between them; when it returns true, throws Error(Cancelled) naming how
// far it read. Appends the same bytes as normalize_append.
void normalize_append(std::string_view text, const TextOptions &options, std::string &out,
                      const std::function<bool()> &cancelled);

// A cut position in (pos - 4, pos] for splitting `text` into pieces for
// normalize_piece: never inside a valid UTF-8 sequence, so the pieces
// normalise (and fail) exactly as the whole text. Needs 4 <= pos < text.size().
size_t utf8_cut(std::string_view text, size_t pos);

// Splits already normalised text on spaces. Numbers stay tokens ("2", "48h").
// The views point into `normalized`.
void split_tokens(std::string_view normalized, std::vector<std::string_view> &tokens);

// normalize_text + split_tokens, returning owned strings (tests, CLI, dedup keys).
std::vector<std::string> tokenize(std::string_view text, const TextOptions &options);

// Number of code points in valid UTF-8 (char n-grams count code points, not bytes).
size_t utf8_length(std::string_view valid_utf8);

// Whether `text` is valid UTF-8 by the normaliser's own rule (no overlongs,
// surrogates, code points above U+10FFFF or truncated sequences).
bool is_valid_utf8(std::string_view text);

// `text` with every byte that does not start a valid UTF-8 sequence (by
// is_valid_utf8()'s rule) replaced by '?': for text quoted in a message,
// which must be valid UTF-8 whatever a SQL_ASCII database stored.
std::string replace_invalid_utf8(std::string_view text);

} // namespace intent
