// Synthetic typo variants: drop, swap or replace one letter in one or two
// words, chosen by a generator seeded from the text itself.
#include "typos.h"

#include "dataset.h" // Rng

#include <algorithm>
#include <vector>

namespace intent {

namespace {

// FNV-1a over the bytes: the variant depends on the text, not on its row.
uint64_t text_hash(std::string_view s) {
    uint64_t h = 0xCBF29CE484222325ULL;
    for (unsigned char c : s) {
        h ^= c;
        h *= 0x100000001B3ULL;
    }
    return h;
}

// Letters next to each key on a QWERTY keyboard (the Spanish layout has ñ
// right of l, which accent folding turns into n anyway).
const char *neighbours(char c) {
    switch (c) {
    case 'q':
        return "wa";
    case 'w':
        return "qeas";
    case 'e':
        return "wrsd";
    case 'r':
        return "etdf";
    case 't':
        return "ryfg";
    case 'y':
        return "tugh";
    case 'u':
        return "yihj";
    case 'i':
        return "uojk";
    case 'o':
        return "ipkl";
    case 'p':
        return "ol";
    case 'a':
        return "qwsz";
    case 's':
        return "awedxz";
    case 'd':
        return "serfcx";
    case 'f':
        return "drtgvc";
    case 'g':
        return "ftyhbv";
    case 'h':
        return "gyujnb";
    case 'j':
        return "huikmn";
    case 'k':
        return "jiolm";
    case 'l':
        return "kop";
    case 'z':
        return "asx";
    case 'x':
        return "zsdc";
    case 'c':
        return "xdfv";
    case 'v':
        return "cfgb";
    case 'b':
        return "vghn";
    case 'n':
        return "bhjm";
    case 'm':
        return "njk";
    default:
        return nullptr;
    }
}

bool is_ascii_letter(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// Length of the UTF-8 sequence starting with `c` (1 for a stray byte).
size_t sequence_length(unsigned char c) {
    if (c >= 0xF0) return 4;
    if (c >= 0xE0) return 3;
    if (c >= 0xC0) return 2;
    return 1;
}

// A word: a run of letters, as code point byte offsets into the text.
struct Word {
    std::vector<size_t> starts; // byte offset of each code point
    size_t end = 0;             // byte offset just past the word
};

// Words are maximal runs of ASCII letters and non-ASCII code points (accented
// letters); digits, spaces and punctuation separate them.
std::vector<Word> find_words(std::string_view s) {
    std::vector<Word> words;
    Word cur;
    size_t i = 0;
    while (i < s.size()) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        const size_t len = std::min(sequence_length(c), s.size() - i);
        if (is_ascii_letter(c) || c >= 0x80) {
            cur.starts.push_back(i);
            cur.end = i + len;
        } else if (!cur.starts.empty()) {
            words.push_back(std::move(cur));
            cur = Word{};
        }
        i += len;
    }
    if (!cur.starts.empty()) words.push_back(std::move(cur));
    return words;
}

// Applies one edit to `word` (its own bytes) using code point offsets `starts`.
std::string edit_word(const std::string &word, const std::vector<size_t> &starts, Rng &rng) {
    const size_t n = starts.size();
    auto cp_end = [&](size_t j) { return j + 1 < n ? starts[j + 1] : word.size(); };
    // Positions 1..n-1 keep the first letter, as real typos mostly do.
    const size_t pos = 1 + static_cast<size_t>(rng.below(n - 1));
    const uint64_t kind = rng.below(3);
    if (kind == 0) { // drop
        return word.substr(0, starts[pos]) + word.substr(cp_end(pos));
    }
    if (kind == 1 && pos + 1 < n) { // swap with the next letter
        const std::string a = word.substr(starts[pos], cp_end(pos) - starts[pos]);
        const std::string b = word.substr(starts[pos + 1], cp_end(pos + 1) - starts[pos + 1]);
        return word.substr(0, starts[pos]) + b + a + word.substr(cp_end(pos + 1));
    }
    if (kind == 1) { // last letter: swap with the previous one
        const std::string a = word.substr(starts[pos - 1], cp_end(pos - 1) - starts[pos - 1]);
        const std::string b = word.substr(starts[pos], cp_end(pos) - starts[pos]);
        return word.substr(0, starts[pos - 1]) + b + a + word.substr(cp_end(pos));
    }
    // replace by a keyboard neighbour; a letter without one is dropped
    const unsigned char c = static_cast<unsigned char>(word[starts[pos]]);
    const char lower = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    const char *nb = cp_end(pos) - starts[pos] == 1 ? neighbours(lower) : nullptr;
    if (nb == nullptr) return word.substr(0, starts[pos]) + word.substr(cp_end(pos));
    size_t count = 0;
    while (nb[count] != '\0')
        ++count;
    return word.substr(0, starts[pos]) + nb[rng.below(count)] + word.substr(cp_end(pos));
}

} // namespace

std::string typo_variant(std::string_view text, uint64_t seed, uint32_t variant) {
    std::vector<Word> words = find_words(text);
    std::vector<size_t> eligible;
    for (size_t w = 0; w < words.size(); ++w)
        if (words[w].starts.size() >= 3) eligible.push_back(w);
    if (eligible.empty()) return std::string(text);
    Rng rng(text_hash(text) ^ seed ^ (0x9E3779B97F4A7C15ULL * (static_cast<uint64_t>(variant) + 1)));
    const size_t edits = std::min<size_t>(eligible.size(), 1 + rng.below(2));
    // Pick `edits` distinct words (a partial shuffle), then edit them in text order.
    for (size_t j = 0; j < edits; ++j)
        std::swap(eligible[j], eligible[j + rng.below(eligible.size() - j)]);
    std::vector<size_t> chosen(eligible.begin(), eligible.begin() + static_cast<std::ptrdiff_t>(edits));
    std::sort(chosen.begin(), chosen.end());
    std::string out;
    out.reserve(text.size());
    size_t copied = 0;
    for (size_t w : chosen) {
        const Word &word = words[w];
        const size_t begin = word.starts.front();
        out.append(text.substr(copied, begin - copied));
        std::string bytes(text.substr(begin, word.end - begin));
        std::vector<size_t> starts;
        for (size_t s : word.starts)
            starts.push_back(s - begin);
        out += edit_word(bytes, starts, rng);
        copied = word.end;
    }
    out.append(text.substr(copied));
    return out;
}

} // namespace intent
