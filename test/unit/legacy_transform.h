// The TF-IDF row computation of pg_intent 0.1.0, frozen as a reference.
//
// 0.1.0 normalised the whole message, split it into tokens, wrote the
// feature index of every matched n-gram occurrence into a buffer sized by
// the input (about 64 bytes of memory per input byte), sorted it and
// collapsed runs into tf-idf values. Vectorizer::transform_one now streams
// and counts in memory bounded by the vocabulary; v1 models must still get
// bit-identical rows, so the tests compare both on many texts. The code
// below is the 0.1.0 algorithm with the hash table replaced by a map (the
// vectoriser rejects hash collisions, so both find the same feature), and
// std::sort for its hand-written sort (the same order). Do not "improve" it.
#pragma once

#include "text.h"
#include "vectorizer.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace legacy {

constexpr uint64_t kFnvPrime = 0x100000001b3ULL;
constexpr uint64_t kFnvOffset = 0xcbf29ce484222325ULL;
constexpr uint64_t kSeeds[2] = {kFnvOffset, kFnvOffset ^ 0x9e3779b97f4a7c15ULL};

inline uint64_t fnv_bytes(uint64_t h, const char *p, size_t n) {
    for (size_t i = 0; i < n; ++i)
        h = (h ^ static_cast<unsigned char>(p[i])) * kFnvPrime;
    return h;
}

inline uint64_t finish(uint64_t h) {
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h != 0 ? h : 0x9e3779b97f4a7c15ULL;
}

inline size_t cp_len(unsigned char b) {
    return b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
}

template <class Emit>
void for_each_word_ngram(const std::vector<std::string_view> &tokens, int nmin, int nmax, Emit &&emit) {
    const size_t count = tokens.size();
    for (size_t i = 0; i < count; ++i) {
        uint64_t h = kSeeds[0];
        size_t last = std::min(count, i + static_cast<size_t>(nmax));
        for (size_t j = i; j < last; ++j) {
            if (j > i) h = (h ^ static_cast<unsigned char>(' ')) * kFnvPrime;
            h = fnv_bytes(h, tokens[j].data(), tokens[j].size());
            if (static_cast<int>(j - i + 1) >= nmin) emit(finish(h));
        }
    }
}

template <class Emit> void for_each_char_ngram(std::string_view padded, int nmin, int nmax, Emit &&emit) {
    const char *p = padded.data();
    const size_t n = padded.size();
    const size_t kmax = static_cast<size_t>(nmax);
    const size_t kmin = static_cast<size_t>(nmin);
    unsigned char any_high = 0;
    for (size_t i = 0; i < n; ++i)
        any_high |= static_cast<unsigned char>(p[i]);
    if (any_high < 0x80) {
        for (size_t start = 0; start < n; ++start) {
            uint64_t h = kSeeds[1];
            const size_t last = std::min(kmax, n - start);
            for (size_t k = 1; k <= last; ++k) {
                h = (h ^ static_cast<unsigned char>(p[start + k - 1])) * kFnvPrime;
                if (k >= kmin) emit(finish(h));
            }
        }
        if (n < kmin) emit(finish(fnv_bytes(kSeeds[1], p, n)));
        return;
    }
    size_t start = 0;
    size_t windows = 0;
    while (start < n) {
        uint64_t h = kSeeds[1];
        size_t pos = start;
        for (size_t k = 1; k <= kmax && pos < n; ++k) {
            size_t len = cp_len(static_cast<unsigned char>(p[pos]));
            if (len > n - pos) len = n - pos;
            h = fnv_bytes(h, p + pos, len);
            pos += len;
            if (k >= kmin) {
                emit(finish(h));
                ++windows;
            }
        }
        start += cp_len(static_cast<unsigned char>(p[start]));
    }
    if (windows == 0 && n > 0) emit(finish(fnv_bytes(kSeeds[1], p, n)));
}

// The 0.1.0 transform_one on the parts of a vectoriser.
class Transformer {
  public:
    explicit Transformer(const intent::Vectorizer &v) : v_(v) {
        for (size_t t = 0; t < v.num_features(); ++t) {
            const int kind = static_cast<int>(v.kinds()[t]);
            const std::string &term = v.terms()[t];
            index_.emplace(finish(fnv_bytes(kSeeds[kind], term.data(), term.size())),
                           static_cast<uint32_t>(t));
        }
    }

    void transform_one(std::string_view text, intent::SparseVector &out) const {
        const intent::FeatureOptions &o = v_.options();
        out.clear();
        std::string buf = " ";
        intent::normalize_append(text, o.text, buf);
        buf.push_back(' ');
        std::vector<std::string_view> tokens;
        intent::split_tokens(std::string_view(buf).substr(1, buf.size() - 2), tokens);
        if (tokens.empty() || v_.num_features() == 0) return;
        std::vector<uint32_t> &found = out.index;
        auto collect = [&](uint64_t h) {
            auto it = index_.find(h);
            if (it != index_.end()) found.push_back(it->second);
        };
        for_each_word_ngram(tokens, o.word_ngram_min, o.word_ngram_max, collect);
        if (o.char_ngrams)
            for (std::string_view tok : tokens)
                for_each_char_ngram(std::string_view(tok.data() - 1, tok.size() + 2), o.char_ngram_min,
                                    o.char_ngram_max, collect);
        if (found.empty()) return;
        std::sort(found.begin(), found.end());
        // weigh_sorted of 0.1.0.
        const size_t n = found.size();
        out.value.resize(n);
        double sum_sq = 0;
        size_t kept = 0;
        for (size_t i = 0; i < n;) {
            const uint32_t f = found[i];
            size_t j = i + 1;
            while (j < n && found[j] == f)
                ++j;
            double tf = static_cast<double>(j - i);
            if (o.sublinear_tf && j - i > 1) tf = 1.0 + std::log(tf);
            const double value = tf * v_.idf()[f];
            sum_sq += value * value;
            found[kept] = f;
            out.value[kept] = static_cast<float>(value);
            ++kept;
            i = j;
        }
        found.resize(kept);
        out.value.resize(kept);
        if (o.l2_normalize && sum_sq > 0) {
            const float scale = static_cast<float>(1.0 / std::sqrt(sum_sq));
            for (size_t i = 0; i < kept; ++i)
                out.value[i] *= scale;
        }
    }

  private:
    const intent::Vectorizer &v_;
    std::unordered_map<uint64_t, uint32_t> index_;
};

} // namespace legacy
