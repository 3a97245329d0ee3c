// libFuzzer target for the text normaliser. Any byte string must either
// normalise or throw intent::Error(InvalidText) naming an offset inside the
// input, and never crash. The first byte chooses the options and a piece
// size; the rest is the text. Checked for every input:
//   - the output is valid UTF-8, has no leading, trailing or double space,
//     and fits the documented bound (n + n/2 + 1 bytes);
//   - feeding the text in pieces (normalize_piece, cut by utf8_cut) gives
//     the same bytes, or the same error at the same offset;
//   - tokenize() agrees with splitting the output on spaces;
//   - normalising the output again changes nothing when the options are the
//     same and lower-casing is off or already applied (idempotence).
#include "errors.h"
#include "text.h"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

// Strict UTF-8 check, written independently of the normaliser's decoder.
bool valid_utf8(std::string_view s) {
    size_t i = 0;
    while (i < s.size()) {
        const unsigned char b = static_cast<unsigned char>(s[i]);
        size_t len;
        uint32_t cp;
        if (b < 0x80) {
            ++i;
            continue;
        } else if ((b >> 5) == 6) {
            len = 2;
            cp = b & 0x1F;
        } else if ((b >> 4) == 14) {
            len = 3;
            cp = b & 0x0F;
        } else if ((b >> 3) == 30) {
            len = 4;
            cp = b & 0x07;
        } else {
            return false;
        }
        if (s.size() - i < len) return false;
        for (size_t k = 1; k < len; ++k) {
            const unsigned char c = static_cast<unsigned char>(s[i + k]);
            if ((c & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (c & 0x3F);
        }
        const uint32_t min = len == 2 ? 0x80 : len == 3 ? 0x800 : 0x10000;
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        i += len;
    }
    return true;
}

// The normalised text, or "\x01" followed by the error detail.
std::string outcome_whole(std::string_view text, const intent::TextOptions &options) {
    try {
        return intent::normalize_text(text, options);
    } catch (const intent::Error &e) {
        if (e.kind() != intent::ErrorKind::InvalidText) std::abort();
        return "\x01" + e.detail();
    }
}

std::string outcome_pieces(std::string_view text, const intent::TextOptions &options, size_t piece) {
    std::string out;
    intent::NormalizeStream state;
    try {
        size_t pos = 0;
        while (pos < text.size()) {
            size_t end = text.size();
            if (end - pos > piece) end = intent::utf8_cut(text, pos + piece);
            if (end <= pos) std::abort(); // no progress
            const size_t before = out.size();
            intent::normalize_piece(text.substr(pos, end - pos), options, state, out);
            if (out.size() - before > (end - pos) * 3 / 2 + 1) std::abort(); // documented bound
            pos = end;
        }
    } catch (const intent::Error &e) {
        if (e.kind() != intent::ErrorKind::InvalidText) std::abort();
        return "\x01" + e.detail();
    }
    return out;
}

// Checks one normalisation of `text`: whole and in pieces alike, errors at
// an offset inside the input, the output bound, valid UTF-8, single spaces,
// tokens, idempotence.
void check(std::string_view text, const intent::TextOptions &options, size_t piece) {

    const std::string whole = outcome_whole(text, options);
    if (whole != outcome_pieces(text, options, piece)) std::abort();
    if (!whole.empty() && whole[0] == '\x01') {
        // Error: the offset named must lie inside the input.
        const size_t at = whole.find("offset ");
        if (at == std::string::npos) std::abort();
        const unsigned long offset = std::strtoul(whole.c_str() + at + 7, nullptr, 10);
        if (offset >= text.size()) std::abort();
        return;
    }
    if (whole.size() > text.size() + text.size() / 2 + 1) std::abort();
    if (!valid_utf8(whole)) std::abort();
    if (!whole.empty() && (whole.front() == ' ' || whole.back() == ' ')) std::abort();
    if (whole.find("  ") != std::string::npos) std::abort();

    std::vector<std::string_view> views;
    intent::split_tokens(whole, views);
    const std::vector<std::string> tokens = intent::tokenize(text, options);
    if (tokens.size() != views.size()) std::abort();
    for (size_t i = 0; i < tokens.size(); ++i)
        if (tokens[i] != views[i]) std::abort();

    if (outcome_whole(whole, options) != whole) std::abort();
}

} // namespace

// The control byte: lowercase, fold_accents, the piece size; each input is
// checked without and with normalize_digits (0.3.2).
extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    const uint8_t control = data[0];
    intent::TextOptions options{(control & 1) != 0, (control & 2) != 0};
    const size_t piece = 4 + (control >> 2); // 4 .. 67 bytes
    const std::string_view text(reinterpret_cast<const char *>(data + 1), size - 1);
    check(text, options, piece);
    options.normalize_digits = true;
    check(text, options, piece);
    return 0;
}
