// The n-grams of the TF-IDF vectoriser (vectorizer.h) and their hashes.
//
// Every n-gram is identified by a 64-bit hash of its bytes computed
// incrementally while it is enumerated: FNV-1a over the bytes from a
// kind-specific seed, finished with the murmur3 fmix64 avalanche. A word
// n-gram's bytes are its tokens joined by single spaces; a char n-gram's bytes
// are a code point slice of the token padded with one space on each side.
// Because normalised text separates tokens by exactly one space, both kinds
// are contiguous slices of " " + normalized + " ", which lets fit() record a
// term by (offset, length) and transform_one() never build a string.
#pragma once

#include "vectorizer.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>
#include <vector>

namespace intent {
namespace vectorizer_internal {

constexpr uint64_t kFnvPrime = 0x100000001b3ULL;
constexpr uint64_t kFnvOffset = 0xcbf29ce484222325ULL;
// Different starting states keep word and char n-grams in separate hash spaces.
constexpr uint64_t kSeeds[2] = {kFnvOffset, kFnvOffset ^ 0x9e3779b97f4a7c15ULL};
constexpr uint32_t kEmpty = std::numeric_limits<uint32_t>::max();

// One FNV-1a step over a byte range.
inline uint64_t fnv_bytes(uint64_t h, const char *p, size_t n) {
    for (size_t i = 0; i < n; ++i)
        h = (h ^ static_cast<unsigned char>(p[i])) * kFnvPrime;
    return h;
}

// murmur3 fmix64, so that every input bit affects the low bits used as the
// table position. 0 is reserved for "empty slot" and mapped away.
inline uint64_t finish(uint64_t h) {
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h != 0 ? h : 0x9e3779b97f4a7c15ULL;
}

// Hash of a whole term, equal to what the enumerators compute incrementally.
inline uint64_t term_hash(FeatureKind kind, std::string_view bytes) {
    return finish(fnv_bytes(kSeeds[static_cast<int>(kind)], bytes.data(), bytes.size()));
}

// Byte length of the UTF-8 sequence starting with lead byte `b` (input is valid).
inline size_t cp_len(unsigned char b) {
    return b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
}

// Calls emit(hash, begin, length) for every word n-gram with min <= n <= max.
// `tokens` must be consecutive tokens of one buffer separated by single spaces.
template <class Emit>
inline void for_each_word_ngram(const std::vector<std::string_view> &tokens, int nmin, int nmax,
                                Emit &&emit) {
    const size_t count = tokens.size();
    for (size_t i = 0; i < count; ++i) {
        const char *begin = tokens[i].data();
        uint64_t h = kSeeds[0];
        size_t last = std::min(count, i + static_cast<size_t>(nmax));
        for (size_t j = i; j < last; ++j) {
            if (j > i) h = (h ^ static_cast<unsigned char>(' ')) * kFnvPrime;
            h = fnv_bytes(h, tokens[j].data(), tokens[j].size());
            if (static_cast<int>(j - i + 1) >= nmin) {
                const char *end = tokens[j].data() + tokens[j].size();
                emit(finish(h), begin, static_cast<size_t>(end - begin));
            }
        }
    }
}

// Calls emit(hash, begin, length) for every char n-gram of one padded token
// (" tok ", valid UTF-8), as scikit-learn's char_wb analyzer does: all windows
// of n code points for min <= n <= max, and the whole padded token once when it
// is shorter than min.
template <class Emit>
inline void for_each_char_ngram(std::string_view padded, int nmin, int nmax, Emit &&emit) {
    const char *p = padded.data();
    const size_t n = padded.size();
    const size_t kmax = static_cast<size_t>(nmax);
    const size_t kmin = static_cast<size_t>(nmin);
    unsigned char any_high = 0;
    for (size_t i = 0; i < n; ++i)
        any_high |= static_cast<unsigned char>(p[i]);
    if (any_high < 0x80) {
        // ASCII token (the common case): one byte per code point.
        for (size_t start = 0; start < n; ++start) {
            uint64_t h = kSeeds[1];
            const size_t last = std::min(kmax, n - start);
            for (size_t k = 1; k <= last; ++k) {
                h = (h ^ static_cast<unsigned char>(p[start + k - 1])) * kFnvPrime;
                if (k >= kmin) emit(finish(h), p + start, k);
            }
        }
        if (n < kmin) emit(finish(fnv_bytes(kSeeds[1], p, n)), p, n);
        return;
    }
    size_t start = 0;
    size_t windows = 0;
    while (start < n) {
        uint64_t h = kSeeds[1];
        size_t pos = start;
        for (size_t k = 1; k <= kmax && pos < n; ++k) {
            size_t len = cp_len(static_cast<unsigned char>(p[pos]));
            if (len > n - pos) len = n - pos; // defensive; valid input never truncates
            h = fnv_bytes(h, p + pos, len);
            pos += len;
            if (k >= kmin) {
                emit(finish(h), p + start, pos - start);
                ++windows;
            }
        }
        start += cp_len(static_cast<unsigned char>(p[start]));
    }
    if (windows == 0 && n > 0) emit(finish(fnv_bytes(kSeeds[1], p, n)), p, n);
}

} // namespace vectorizer_internal
} // namespace intent
