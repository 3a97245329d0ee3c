// Deterministic hostile and ordinary texts for comparing vectoriser and
// model outputs across implementations: fixed odd cases, and seeded random
// mixes of ASCII, accented and capital letters, combining marks, invisible
// joiners, emoji, CJK and punctuation, up to long texts whose tokens and
// code points straddle the vectoriser's piece boundaries.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace odd {

// splitmix64: the same sequence everywhere.
struct Rng {
    uint64_t s;
    uint64_t next() {
        uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    size_t below(size_t n) { return static_cast<size_t>(next() % n); }
};

// Pieces random texts are made of (all valid UTF-8).
inline const std::vector<std::string> &atoms() {
    static const std::vector<std::string> a = {"a",
                                               "e",
                                               "o",
                                               "s",
                                               "r",
                                               "n",
                                               "d",
                                               "x",
                                               "Q",
                                               "Z",
                                               "0",
                                               "7",
                                               " ",
                                               " ",
                                               " ",
                                               "  ",
                                               ",",
                                               ".",
                                               "¿",
                                               "¡",
                                               "?",
                                               "!",
                                               "é",
                                               "ñ",
                                               "Ñ",
                                               "Á",
                                               "ü",
                                               "ß",
                                               "Æ",
                                               "œ",
                                               "\xCC\x81" /* combining acute */,
                                               "\xE2\x80\x8D" /* ZWJ */,
                                               "\xC2\xAD" /* soft hyphen */,
                                               "😀",
                                               "👍🏽",
                                               "東",
                                               "京",
                                               "Ω",
                                               "щ",
                                               "Ж",
                                               "\t",
                                               "\n",
                                               "pedido",
                                               "devolver",
                                               "hola",
                                               "mi",
                                               "dónde",
                                               "está",
                                               "ȺȾ" /* grow when lower-cased */,
                                               "\xEF\xB8\x8F",
                                               "1º",
                                               "48h",
                                               "€",
                                               "—"};
    return a;
}

// One random text of about `length` bytes.
inline std::string random_text(Rng &rng, size_t length) {
    const auto &a = atoms();
    std::string t;
    while (t.size() < length)
        t += a[rng.below(a.size())];
    return t;
}

// A text of `length` bytes repeating `unit`.
inline std::string repeat(const std::string &unit, size_t length) {
    std::string t;
    while (t.size() < length)
        t += unit;
    return t;
}

// Fixed odd cases plus `count` seeded random texts (a few of them long).
inline std::vector<std::string> texts(uint64_t seed, size_t count) {
    std::vector<std::string> out = {
        "",
        " ",
        "¿¡!?",
        "😀👍🏽",
        "a",
        "ab",
        "a b c d e f g h",
        "\xCC\x81\xCC\x81 e\xCC\x81",
        "hola\xE2\x80\x8Dmundo",
        "¿Dónde está mi pedido? Quiero devolverlo YA!!!",
        repeat("a", 70000),        // one token across several pieces
        repeat("é", 40000),        // two-byte code points across piece boundaries
        repeat("😀a", 50000),       // four-byte separators between one-letter tokens
        repeat("pedido ", 100000), // many short tokens
        repeat("dónde está mi pedido ", 50000),
        repeat("ȺȾ", 30000), // output longer than input
        repeat(" ", 20000) + "hola" + repeat("!", 20000),
        repeat("abcdefghij", 1700) + " " + repeat("東京", 3000),
    };
    Rng rng{seed};
    for (size_t i = 0; i < count; ++i) {
        const size_t r = rng.below(100);
        const size_t length = r < 80 ? rng.below(120) : r < 97 ? rng.below(4000) : 16000 + rng.below(60000);
        out.push_back(random_text(rng, length));
    }
    return out;
}

} // namespace odd
