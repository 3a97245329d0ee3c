// UTF-8 validation, lower-casing, accent folding and tokenisation.
//
// Character classes: every code point is a word character ("alnum"), a
// separator (punctuation, symbols, emoji, spaces, controls), ignorable (soft
// hyphen, zero-width joiners, variation selectors, bidi marks: dropped without
// splitting the word), or a combining mark (dropped when folding accents,
// otherwise part of the word). Latin, Greek and Cyrillic letters and digits are
// alnum; so is any code point >= U+0100 outside the separator blocks listed in
// kRanges (CJK, Arabic, Hebrew, Devanagari ... stay letters).
//
// The fold tables were produced once from Python's unicodedata (Unicode 14):
// the first code point of the NFKD decomposition when it is an ASCII letter,
// plus the usual extras for letters without a decomposition (ø->o, ł->l, đ->d,
// ß->ss, æ->ae, œ->oe, þ->th).
#include "text.h"

#include "errors.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>

namespace intent {
namespace {

enum class CharClass : uint8_t { Alnum, Separator, Ignorable, Combining };

struct Range {
    char32_t lo;
    char32_t hi;
    CharClass cls;
};

constexpr CharClass S = CharClass::Separator;
constexpr CharClass I = CharClass::Ignorable;
constexpr CharClass C = CharClass::Combining;

// Non-alnum blocks and code points from U+0100 up, sorted and disjoint
// (checked below). Anything not listed is alnum.
constexpr Range kRanges[] = {
    {0x02BC, 0x02BC, S}, // modifier letter apostrophe: apostrophes split words
    {0x02C2, 0x02C5, S},    {0x02D2, 0x02DF, S},
    {0x02E5, 0x02EB, S},    {0x02ED, 0x02ED, S},
    {0x02EF, 0x02FF, S},    {0x0300, 0x034E, C}, // combining diacritical marks
    {0x034F, 0x034F, I},                         // combining grapheme joiner
    {0x0350, 0x036F, C},    {0x0375, 0x0375, S},
    {0x037E, 0x037E, S}, // Greek question mark
    {0x0384, 0x0385, S},    {0x0387, 0x0387, S},
    {0x03F6, 0x03F6, S},    {0x0482, 0x0482, S},
    {0x0483, 0x0489, C},    {0x055A, 0x055F, S}, // Armenian punctuation
    {0x0589, 0x058A, S},    {0x058D, 0x058F, S},
    {0x05BE, 0x05BE, S}, // Hebrew punctuation
    {0x05C0, 0x05C0, S},    {0x05C3, 0x05C3, S},
    {0x05C6, 0x05C6, S},    {0x05F3, 0x05F4, S},
    {0x0600, 0x060F, S}, // Arabic signs and punctuation
    {0x061B, 0x061B, S},    {0x061C, 0x061C, I},
    {0x061D, 0x061F, S},    {0x066A, 0x066D, S},
    {0x06D4, 0x06D4, S},    {0x06DE, 0x06DE, S},
    {0x06E9, 0x06E9, S},    {0x06FD, 0x06FE, S},
    {0x0700, 0x070D, S},                         // Syriac punctuation
    {0x0964, 0x0965, S},                         // Devanagari danda
    {0x0970, 0x0970, S},    {0x0E3F, 0x0E3F, S}, // Thai baht and punctuation
    {0x0E4F, 0x0E4F, S},    {0x0E5A, 0x0E5B, S},
    {0x104A, 0x104F, S},                         // Myanmar punctuation
    {0x10FB, 0x10FB, S},    {0x1360, 0x1368, S}, // Ethiopic punctuation
    {0x166E, 0x166E, S},    {0x1680, 0x1680, S}, // Ogham space
    {0x169B, 0x169C, S},    {0x16EB, 0x16ED, S},
    {0x17D4, 0x17D6, S},                         // Khmer punctuation
    {0x17D8, 0x17DB, S},    {0x1800, 0x180A, S}, // Mongolian punctuation
    {0x180B, 0x180F, I},    {0x1AB0, 0x1AFF, C},
    {0x1DC0, 0x1DFF, C},    {0x2000, 0x200B, S}, // General Punctuation: spaces, ZWSP
    {0x200C, 0x200F, I},                         // ZWNJ, ZWJ, LRM, RLM
    {0x2010, 0x2029, S},                         // dashes, quotes, bullets, line separators
    {0x202A, 0x202E, I},                         // bidi embeddings
    {0x202F, 0x205F, S},    {0x2060, 0x206F, I}, // word joiner, invisible operators, bidi isolates
    {0x207A, 0x207E, S},                         // superscript signs
    {0x208A, 0x208E, S},                         // subscript signs
    {0x20A0, 0x214F, S},                         // currency, combining marks for symbols (keycap), letterlike
    {0x2190, 0x2BFF, S}, // arrows .. math .. dingbats .. emoji .. misc symbols and arrows
    {0x2CF9, 0x2CFC, S},    {0x2CFE, 0x2CFF, S},
    {0x2E00, 0x2E7F, S}, // supplemental punctuation
    {0x2E80, 0x2FFF, S}, // CJK radicals, Kangxi radicals, ideographic description
    {0x3000, 0x3004, S}, // CJK symbols and punctuation (not 々〆〇)
    {0x3008, 0x3020, S},    {0x3030, 0x3030, S},
    {0x3036, 0x3037, S},    {0x303D, 0x303F, S},
    {0x309B, 0x309C, S},    {0x30A0, 0x30A0, S},
    {0x30FB, 0x30FB, S},    {0x31C0, 0x31EF, S}, // CJK strokes
    {0x3200, 0x33FF, S},                         // enclosed CJK, CJK compatibility
    {0x4DC0, 0x4DFF, S},                         // Yijing hexagrams
    {0xA490, 0xA4CF, S},    {0xA4FE, 0xA4FF, S},
    {0xA60D, 0xA60F, S},    {0xA673, 0xA673, S},
    {0xA67E, 0xA67E, S},    {0xA6F2, 0xA6F7, S},
    {0xA700, 0xA716, S},    {0xA720, 0xA721, S},
    {0xA789, 0xA78A, S},    {0xA828, 0xA82B, S},
    {0xA830, 0xA839, S},    {0xA874, 0xA877, S},
    {0xA8CE, 0xA8CF, S},    {0xA8F8, 0xA8FA, S},
    {0xA8FC, 0xA8FC, S},    {0xA92E, 0xA92F, S},
    {0xA95F, 0xA95F, S},    {0xA9C1, 0xA9CD, S},
    {0xA9DE, 0xA9DF, S},    {0xAA5C, 0xAA5F, S},
    {0xAA77, 0xAA79, S},    {0xAADE, 0xAADF, S},
    {0xAAF0, 0xAAF1, S},    {0xAB5B, 0xAB5B, S},
    {0xAB6A, 0xAB6B, S},    {0xABEB, 0xABEB, S},
    {0xE000, 0xF8FF, S}, // private use (icon fonts)
    {0xFB29, 0xFB29, S},    {0xFBB2, 0xFBC2, S},
    {0xFD3E, 0xFD3F, S},    {0xFDFC, 0xFDFD, S},
    {0xFE00, 0xFE0F, I}, // variation selectors (emoji presentation)
    {0xFE10, 0xFE1F, S},    {0xFE20, 0xFE2F, C},
    {0xFE30, 0xFE6F, S}, // CJK compatibility forms, small form variants
    {0xFEFF, 0xFEFF, I}, // byte order mark
    {0xFF00, 0xFF0F, S}, // fullwidth punctuation
    {0xFF1A, 0xFF20, S},    {0xFF3B, 0xFF40, S},
    {0xFF5B, 0xFF65, S},    {0xFFE0, 0xFFFF, S},   // fullwidth symbols, specials, replacement character
    {0x1D000, 0x1D24F, S},                         // musical symbols
    {0x1D300, 0x1D35F, S},  {0x1F000, 0x1FBFF, S}, // emoji, pictographs, flags, playing cards ...
    {0xE0000, 0xE0FFF, I},  // tags (emoji flag sequences), variation selectors supplement
    {0xF0000, 0x10FFFF, S}, // supplementary private use
};

// True when kRanges is sorted and disjoint, so binary search is valid.
constexpr bool ranges_sorted() {
    for (size_t i = 0; i < sizeof(kRanges) / sizeof(kRanges[0]); ++i) {
        if (kRanges[i].lo > kRanges[i].hi) return false;
        if (i > 0 && kRanges[i - 1].hi >= kRanges[i].lo) return false;
    }
    return true;
}
static_assert(ranges_sorted(), "kRanges must be sorted and disjoint");

// Class of U+0080..U+00FF: C1 controls and Latin-1 punctuation separate words;
// ª µ º and the superscript digits / vulgar fractions are word characters.
CharClass latin1_class(char32_t cp) {
    if (cp >= 0xC0) return (cp == 0xD7 || cp == 0xF7) ? S : CharClass::Alnum;
    switch (cp) {
    case 0xAA:
    case 0xB2:
    case 0xB3:
    case 0xB5:
    case 0xB9:
    case 0xBA:
    case 0xBC:
    case 0xBD:
    case 0xBE:
        return CharClass::Alnum;
    case 0xAD: // soft hyphen sits inside words
        return I;
    default:
        return S;
    }
}

// Class of a non-ASCII code point.
CharClass classify(char32_t cp) {
    if (cp < 0x100) return latin1_class(cp);
    if ((cp & 0xFFFE) == 0xFFFE) return S; // noncharacters U+xFFFE / U+xFFFF
    const Range *end = kRanges + sizeof(kRanges) / sizeof(kRanges[0]);
    const Range *it = std::upper_bound(kRanges, end, cp, [](char32_t c, const Range &r) { return c < r.lo; });
    if (it != kRanges && cp <= (it - 1)->hi) return (it - 1)->cls;
    return CharClass::Alnum;
}

// Latin Extended-B capitals whose lower case is not the next code point
// (from Python's str.lower), and the isolated pairs that are.
// clang-format off
constexpr char32_t kLatinBLower[][2] = {
    {0x181, 0x253}, {0x182, 0x183}, {0x184, 0x185}, {0x186, 0x254}, {0x187, 0x188}, {0x189, 0x256},
    {0x18A, 0x257}, {0x18B, 0x18C}, {0x18E, 0x1DD}, {0x18F, 0x259}, {0x190, 0x25B}, {0x191, 0x192},
    {0x193, 0x260}, {0x194, 0x263}, {0x196, 0x269}, {0x197, 0x268}, {0x198, 0x199}, {0x19C, 0x26F},
    {0x19D, 0x272}, {0x19F, 0x275}, {0x1A0, 0x1A1}, {0x1A2, 0x1A3}, {0x1A4, 0x1A5}, {0x1A6, 0x280},
    {0x1A7, 0x1A8}, {0x1A9, 0x283}, {0x1AC, 0x1AD}, {0x1AE, 0x288}, {0x1AF, 0x1B0}, {0x1B1, 0x28A},
    {0x1B2, 0x28B}, {0x1B3, 0x1B4}, {0x1B5, 0x1B6}, {0x1B7, 0x292}, {0x1B8, 0x1B9}, {0x1BC, 0x1BD},
    {0x1C4, 0x1C6}, {0x1C5, 0x1C6}, {0x1C7, 0x1C9}, {0x1C8, 0x1C9}, {0x1CA, 0x1CC}, {0x1CB, 0x1CC},
    {0x1F1, 0x1F3}, {0x1F2, 0x1F3}, {0x1F4, 0x1F5}, {0x1F6, 0x195}, {0x1F7, 0x1BF}, {0x220, 0x19E},
    {0x23A, 0x2C65}, {0x23B, 0x23C}, {0x23D, 0x19A}, {0x23E, 0x2C66}, {0x241, 0x242}, {0x243, 0x180},
    {0x244, 0x289}, {0x245, 0x28C},
};
// clang-format on

// Simple (one-to-one) lower-case mapping of a non-ASCII code point for Latin-1,
// Latin Extended-A/B, Latin Extended Additional, Greek, Cyrillic, Armenian and
// fullwidth Latin. Other scripts are returned unchanged.
char32_t to_lower(char32_t cp) {
    if (cp < 0x100) return (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) ? cp + 0x20 : cp;
    if (cp < 0x180) { // Latin Extended-A: alternating upper/lower pairs
        if (cp == 0x130) return 'i';
        if (cp == 0x178) return 0xFF;
        bool even_upper = (cp <= 0x137) || (cp >= 0x14A && cp <= 0x177);
        bool odd_upper = (cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E);
        if ((even_upper && cp % 2 == 0) || (odd_upper && cp % 2 == 1)) return cp + 1;
        return cp;
    }
    if (cp < 0x250) { // Latin Extended-B: pairs plus irregular capitals
        for (const auto &m : kLatinBLower)
            if (m[0] == cp) return m[1];
        if (cp >= 0x1CD && cp <= 0x1DC) return cp % 2 == 1 ? cp + 1 : cp;
        if ((cp >= 0x1DE && cp <= 0x1EF) || (cp >= 0x1F8 && cp <= 0x21F) || (cp >= 0x222 && cp <= 0x233) ||
            (cp >= 0x246 && cp <= 0x24F))
            return cp % 2 == 0 ? cp + 1 : cp;
        return cp;
    }
    if (cp >= 0x370 && cp < 0x400) { // Greek and Coptic
        if (cp >= 0x391 && cp <= 0x3AB && cp != 0x3A2) return cp + 0x20;
        switch (cp) {
        case 0x370:
        case 0x372:
        case 0x376:
            return cp + 1;
        case 0x37F:
            return 0x3F3;
        case 0x386:
            return 0x3AC;
        case 0x388:
        case 0x389:
        case 0x38A:
            return cp + 0x25;
        case 0x38C:
            return 0x3CC;
        case 0x38E:
        case 0x38F:
            return cp + 0x3F;
        case 0x3CF:
            return 0x3D7;
        case 0x3F4:
            return 0x3B8;
        case 0x3F7:
        case 0x3FA:
            return cp + 1;
        case 0x3F9:
            return 0x3F2;
        case 0x3FD:
        case 0x3FE:
        case 0x3FF:
            return cp - 0x82;
        default:
            break;
        }
        if (cp >= 0x3D8 && cp <= 0x3EF && cp % 2 == 0) return cp + 1;
        return cp;
    }
    if (cp >= 0x400 && cp < 0x530) { // Cyrillic and Cyrillic Supplement
        if (cp < 0x410) return cp + 0x50;
        if (cp < 0x430) return cp + 0x20;
        if (cp == 0x4C0) return 0x4CF;
        if (cp >= 0x4C1 && cp <= 0x4CE) return cp % 2 == 1 ? cp + 1 : cp;
        if ((cp >= 0x460 && cp <= 0x481) || (cp >= 0x48A && cp <= 0x4BF) || cp >= 0x4D0)
            return cp % 2 == 0 ? cp + 1 : cp;
        return cp;
    }
    if (cp >= 0x531 && cp <= 0x556) return cp + 0x30; // Armenian
    if (cp >= 0x1E00 && cp <= 0x1EFF) {               // Latin Extended Additional
        if (cp == 0x1E9E) return 0xDF;
        if ((cp <= 0x1E95 || cp >= 0x1EA0) && cp % 2 == 0) return cp + 1;
        return cp;
    }
    if (cp >= 0xFF21 && cp <= 0xFF3A) return cp + 0x20; // fullwidth A-Z
    return cp;
}

// ASCII base letter of each code point in a Latin block: '.' = no folding,
// '*' = folds to two letters (see fold_multi).
constexpr std::string_view kFoldLatin1 = // U+00C0..U+00FF
    "AAAAAA*CEEEEIIIIDNOOOOO.OUUUUY**aaaaaa*ceeeeiiiidnooooo.ouuuuy*y";
constexpr std::string_view kFoldExtA = // U+0100..U+017F
    "AaAaAaCcCcCcCcDdDdEeEeEeEeEeGgGgGgGgHhHhIiIiIiIiIi**JjKkkLlLlLlL"
    "lLlNnNnNnnNnOoOoOo**RrRrRrSsSsSsSsTtTtTtUuUuUuUuUuUuWwYyYZzZzZzs";
constexpr std::string_view kFoldExtB = // U+0180..U+024F
    "b.................f....I..l.....Oo.............Uu....Zz........."
    "....*********AaIiOoUuUuUuUuUu.AaAa..GgGgKkOoOo..j***Gg..NnAa...."
    "AaAaEeEeIiIiOoOoRrRrUuUuSsTt..Hh......AaEeOoOoOoOoYy............"
    "................";
constexpr std::string_view kFoldExtAdd = // U+1E00..U+1EFF
    "AaBbBbBbCcDdDdDdDdDdEeEeEeEeEeFfGgHhHhHhHhHhIiIiKkKkKkLlLlLlLlMm"
    "MmMmNnNnNnNnOoOoOoOoPpPpRrRrRrRrSsSsSsSsSsTtTtTtTtUuUuUuUuUuVvVv"
    "WwWwWwWwWwXxXxYyZzZzZzhtwy.s..*.AaAaAaAaAaAaAaAaAaAaAaAaEeEeEeEe"
    "EeEeEeEeIiIiOoOoOoOoOoOoOoOoOoOoOoOoUuUuUuUuUuUuUuYyYyYyYy......";
static_assert(kFoldLatin1.size() == 0x40 && kFoldExtA.size() == 0x80 && kFoldExtB.size() == 0xD0 &&
                  kFoldExtAdd.size() == 0x100,
              "fold tables cover their blocks exactly");

// Two-letter folds (ligatures, ß, thorn, digraphs).
const char *fold_multi(char32_t cp) {
    switch (cp) {
    case 0xC6:
        return "AE";
    case 0xDE:
        return "TH";
    case 0xDF:
        return "ss";
    case 0xE6:
        return "ae";
    case 0xFE:
        return "th";
    case 0x132:
        return "IJ";
    case 0x133:
        return "ij";
    case 0x152:
        return "OE";
    case 0x153:
        return "oe";
    case 0x1C4:
    case 0x1F1:
        return "DZ";
    case 0x1C5:
    case 0x1F2:
        return "Dz";
    case 0x1C6:
    case 0x1F3:
        return "dz";
    case 0x1C7:
        return "LJ";
    case 0x1C8:
        return "Lj";
    case 0x1C9:
        return "lj";
    case 0x1CA:
        return "NJ";
    case 0x1CB:
        return "Nj";
    case 0x1CC:
        return "nj";
    case 0x1E9E:
        return "SS";
    default:
        return nullptr;
    }
}

// Greek letters with tonos / dialytika fold to the bare letter.
char32_t fold_greek(char32_t cp) {
    switch (cp) {
    case 0x386:
        return 0x391;
    case 0x388:
        return 0x395;
    case 0x389:
        return 0x397;
    case 0x38A:
    case 0x3AA:
        return 0x399;
    case 0x38C:
        return 0x39F;
    case 0x38E:
    case 0x3AB:
        return 0x3A5;
    case 0x38F:
        return 0x3A9;
    case 0x390:
    case 0x3AF:
    case 0x3CA:
        return 0x3B9;
    case 0x3AC:
        return 0x3B1;
    case 0x3AD:
        return 0x3B5;
    case 0x3AE:
        return 0x3B7;
    case 0x3B0:
    case 0x3CB:
    case 0x3CD:
        return 0x3C5;
    case 0x3CC:
        return 0x3BF;
    case 0x3CE:
        return 0x3C9;
    default:
        return cp;
    }
}

// Writes the UTF-8 encoding of a valid scalar value at `w`, advancing it.
inline void put_utf8(char *&w, char32_t cp) {
    if (cp < 0x80) {
        *w++ = static_cast<char>(cp);
    } else if (cp < 0x800) {
        *w++ = static_cast<char>(0xC0 | (cp >> 6));
        *w++ = static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *w++ = static_cast<char>(0xE0 | (cp >> 12));
        *w++ = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        *w++ = static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        *w++ = static_cast<char>(0xF0 | (cp >> 18));
        *w++ = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        *w++ = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        *w++ = static_cast<char>(0x80 | (cp & 0x3F));
    }
}

// Writes the accent-folded form of a letter (itself when nothing folds).
// Never longer than the letter's own encoding except for U+00xx two-letter
// folds, which are two bytes like their input.
void put_folded(char *&w, char32_t cp) {
    char base = '.';
    if (cp >= 0xC0 && cp < 0x100)
        base = kFoldLatin1[cp - 0xC0];
    else if (cp >= 0x100 && cp < 0x180)
        base = kFoldExtA[cp - 0x100];
    else if (cp >= 0x180 && cp < 0x250)
        base = kFoldExtB[cp - 0x180];
    else if (cp >= 0x1E00 && cp < 0x1F00)
        base = kFoldExtAdd[cp - 0x1E00];
    else if (cp == 0xAA)
        base = 'a'; // ª
    else if (cp == 0xBA)
        base = 'o'; // º
    else if (cp >= 0x386 && cp <= 0x3CE)
        cp = fold_greek(cp);
    if (base == '*') {
        const char *two = fold_multi(cp);
        *w++ = two[0];
        *w++ = two[1];
    } else if (base != '.') {
        *w++ = base;
    } else {
        put_utf8(w, cp);
    }
}

// Word-character flag and lower-case form of each ASCII byte.
struct AsciiTable {
    bool alnum[128];
    char lower[128];
};

constexpr AsciiTable make_ascii_table() {
    AsciiTable t{};
    for (int c = 0; c < 128; ++c) {
        bool digit = c >= '0' && c <= '9';
        bool upper = c >= 'A' && c <= 'Z';
        bool lower = c >= 'a' && c <= 'z';
        t.alnum[c] = digit || upper || lower;
        t.lower[c] = static_cast<char>(upper ? c + 32 : c);
    }
    return t;
}
constexpr AsciiTable kAscii = make_ascii_table();

// Decodes one multi-byte sequence starting at s[i] (s[i] >= 0x80) with strict
// validation: no overlongs, no surrogates, nothing above U+10FFFF, no
// truncation. Returns the sequence length, or 0 when invalid.
size_t decode_multibyte(const unsigned char *s, size_t n, size_t i, char32_t &cp) {
    unsigned char b0 = s[i];
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF; // allowed range of the second byte
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        len = 2;
        cp = b0 & 0x1F;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        len = 3;
        cp = b0 & 0x0F;
        if (b0 == 0xE0) lo = 0xA0; // overlong
        if (b0 == 0xED) hi = 0x9F; // surrogates
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        len = 4;
        cp = b0 & 0x07;
        if (b0 == 0xF0) lo = 0x90; // overlong
        if (b0 == 0xF4) hi = 0x8F; // above U+10FFFF
    } else {
        return 0; // continuation byte, C0/C1 overlong lead, or F5..FF
    }
    if (n - i < len) return 0;
    if (s[i + 1] < lo || s[i + 1] > hi) return 0;
    for (size_t k = 1; k < len; ++k) {
        unsigned char b = s[i + k];
        if ((b & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (b & 0x3F);
    }
    return len;
}

// A non-ASCII code point that normalize_digits treats as a digit: the
// Latin-1 superscripts, and the decimal digits (Unicode Nd, ten in a row) of
// Arabic-Indic, Extended Arabic-Indic, N'Ko, Devanagari, Bengali, Gurmukhi,
// Gujarati, Oriya, Tamil, Telugu, Kannada, Malayalam, Thai, Lao, Tibetan,
// Myanmar, Khmer, Mongolian and the fullwidth forms.
bool is_digit_run_char(char32_t cp) {
    if (cp == 0xB2 || cp == 0xB3 || cp == 0xB9) return true;
    static constexpr char32_t kZeros[] = {0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6,
                                          0x0B66, 0x0BE6, 0x0C66, 0x0CE6, 0x0D66, 0x0E50, 0x0ED0,
                                          0x0F20, 0x1040, 0x17E0, 0x1810, 0xFF10};
    for (char32_t z : kZeros)
        if (cp >= z && cp <= z + 9) return true;
    return false;
}

[[noreturn]] void throw_invalid_utf8(size_t offset) {
    throw Error(ErrorKind::InvalidText, "invalid UTF-8 in message",
                "Invalid byte sequence at byte offset " + std::to_string(offset) + ".",
                "Convert the text to UTF-8 before passing it in.");
}

// Normalises `text` onto the end of `out`, continuing from `state` (which
// it updates); the shared body of normalize_append and normalize_piece.
// Words are joined by one space; no leading or trailing space is added.
//
// Output bound: a letter grows by at most half its input bytes (two-byte
// letters whose lower case takes three, e.g. U+023A), and a space is written
// only in place of at least one separator byte (or, at the start of a piece,
// for the previous piece's separator), so n + n/2 + 1 bytes suffice.
void normalize_into(std::string_view text, const TextOptions &options, NormalizeStream &state,
                    std::string &out) {
    const auto *s = reinterpret_cast<const unsigned char *>(text.data());
    const size_t n = text.size();
    const size_t old_size = out.size();
    out.resize(old_size + n + n / 2 + 1);
    char *const begin = &out[old_size];
    char *w = begin;
    const bool lower = options.lowercase;
    const bool fold = options.fold_accents;
    bool pending = state.pending;
    bool started = state.started;
    const bool digits = options.normalize_digits;
    bool in_digits = state.in_digits;
    size_t i = 0;
    while (i < n) {
        unsigned char b = s[i];
        if (b < 0x80) {
            if (digits && b >= '0' && b <= '9') {
                // A digit run's first digit writes "0", the others nothing.
                if (!in_digits || pending) {
                    if (pending && started) *w++ = ' ';
                    *w++ = '0';
                }
                pending = false;
                started = true;
                in_digits = true;
            } else if (kAscii.alnum[b]) {
                in_digits = false;
                if (pending && started) *w++ = ' ';
                pending = false;
                started = true;
                *w++ = lower ? kAscii.lower[b] : static_cast<char>(b);
            } else {
                pending = true;
            }
            ++i;
            continue;
        }
        char32_t cp = 0;
        size_t len = decode_multibyte(s, n, i, cp);
        if (len == 0) {
            out.resize(old_size);
            throw_invalid_utf8(state.consumed + i);
        }
        i += len;
        CharClass cls = classify(cp);
        if (cls == CharClass::Separator) {
            pending = true;
            continue;
        }
        if (cls == CharClass::Ignorable || (cls == CharClass::Combining && fold)) continue;
        if (digits && is_digit_run_char(cp)) {
            if (!in_digits || pending) {
                if (pending && started) *w++ = ' ';
                *w++ = '0';
            }
            pending = false;
            started = true;
            in_digits = true;
            continue;
        }
        in_digits = false;
        if (pending && started) *w++ = ' ';
        pending = false;
        started = true;
        if (lower) cp = to_lower(cp);
        if (fold)
            put_folded(w, cp);
        else
            put_utf8(w, cp);
    }
    out.resize(old_size + static_cast<size_t>(w - begin));
    state.pending = pending;
    state.started = started;
    state.in_digits = in_digits;
    state.consumed += n;
}

} // namespace

// Appends the normalised form of `text` to `out` (used by normalize_text and,
// without allocating once `out` has grown, by the vectoriser).
void normalize_append(std::string_view text, const TextOptions &options, std::string &out) {
    NormalizeStream state;
    normalize_into(text, options, state, out);
}

void normalize_piece(std::string_view piece, const TextOptions &options, NormalizeStream &state,
                     std::string &out) {
    normalize_into(piece, options, state, out);
}

// No valid sequence spans a byte that is not a continuation byte, so cutting
// before one splits nothing valid; a sequence cut off there fails at its lead
// byte just as it does in the whole text. Four continuation bytes in a row
// cannot all belong to valid sequences, and one reaching across `pos` would
// need its lead byte among them: cutting at `pos` is then safe too.
size_t utf8_cut(std::string_view text, size_t pos) {
    for (size_t q = pos; q + 4 > pos; --q)
        if ((static_cast<unsigned char>(text[q]) & 0xC0) != 0x80) return q;
    return pos;
}

void normalize_append(std::string_view text, const TextOptions &options, std::string &out,
                      const std::function<bool()> &cancelled) {
    constexpr size_t kPieceBytes = 64 * 1024;
    NormalizeStream state;
    for (size_t pos = 0; pos < text.size();) {
        size_t end = text.size();
        if (end - pos > kPieceBytes) end = utf8_cut(text, pos + kPieceBytes);
        normalize_piece(text.substr(pos, end - pos), options, state, out);
        pos = end;
        if (pos < text.size() && cancelled())
            throw Error(ErrorKind::Cancelled, "text folding cancelled",
                        "Stopped after reading " + std::to_string(pos) + " of " +
                            std::to_string(text.size()) + " bytes of the text.");
    }
}

std::string normalize_text(std::string_view text, const TextOptions &options) {
    std::string out;
    normalize_append(text, options, out);
    return out;
}

void split_tokens(std::string_view normalized, std::vector<std::string_view> &tokens) {
    tokens.clear();
    size_t i = 0;
    const size_t n = normalized.size();
    while (i < n) {
        while (i < n && normalized[i] == ' ')
            ++i;
        size_t start = i;
        while (i < n && normalized[i] != ' ')
            ++i;
        if (i > start) tokens.push_back(normalized.substr(start, i - start));
    }
}

std::vector<std::string> tokenize(std::string_view text, const TextOptions &options) {
    std::string normalized = normalize_text(text, options);
    std::vector<std::string_view> views;
    split_tokens(normalized, views);
    return std::vector<std::string>(views.begin(), views.end());
}

bool is_valid_utf8(std::string_view text) {
    const auto *s = reinterpret_cast<const unsigned char *>(text.data());
    const size_t n = text.size();
    for (size_t i = 0; i < n;) {
        if (s[i] < 0x80) {
            ++i;
            continue;
        }
        char32_t cp;
        const size_t len = decode_multibyte(s, n, i, cp);
        if (len == 0) return false;
        i += len;
    }
    return true;
}

std::string replace_invalid_utf8(std::string_view text) {
    const auto *s = reinterpret_cast<const unsigned char *>(text.data());
    const size_t n = text.size();
    std::string out;
    out.reserve(n);
    for (size_t i = 0; i < n;) {
        if (s[i] < 0x80) {
            out += static_cast<char>(s[i++]);
            continue;
        }
        char32_t cp;
        const size_t len = decode_multibyte(s, n, i, cp);
        if (len == 0) {
            out += '?';
            ++i;
            continue;
        }
        out.append(text.data() + i, len);
        i += len;
    }
    return out;
}

size_t utf8_length(std::string_view valid_utf8) {
    size_t count = 0;
    for (char c : valid_utf8)
        count += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    return count;
}

} // namespace intent
