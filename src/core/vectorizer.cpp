// The vectoriser's options, and a vectoriser rebuilt from stored parts: its
// vocabulary indexed by n-gram hash. vectorizer_internal.h lists the files
// that fit and transform.
#include "errors.h"
#include "ngrams.h"
#include "text.h"
#include "vectorizer_internal.h"

#include <cmath>
#include <limits>
#include <string>

namespace intent {

using namespace vectorizer_internal;

namespace {

// Throws the validate() error for one option.
[[noreturn]] void bad_option(const char *name, const std::string &detail) {
    throw Error(ErrorKind::InvalidArgument, std::string("invalid value for option \"") + name + "\"", detail);
}

// Checks lo <= value <= hi for one option.
void check_range(const char *name, long long value, long long lo, long long hi, const std::string &why) {
    if (value < lo || value > hi)
        bad_option(name, std::string(name) + " must be " + why + "; got " + std::to_string(value) + ".");
}

// "between lo and hi", from the bounds.
std::string between(long long lo, long long hi) {
    return "between " + std::to_string(lo) + " and " + std::to_string(hi);
}

} // namespace

// The ranges are the header's constants (FeatureOptions::kMin*/kMax*),
// which the option parser reads too.
void FeatureOptions::validate() const {
    check_range("word_ngram_min", word_ngram_min, kMinNgram, kMaxWordNgram,
                between(kMinNgram, kMaxWordNgram));
    check_range("word_ngram_max", word_ngram_max, word_ngram_min, kMaxWordNgram,
                "between word_ngram_min (" + std::to_string(word_ngram_min) + ") and " +
                    std::to_string(kMaxWordNgram));
    check_range("char_ngram_min", char_ngram_min, kMinNgram, kMaxCharNgram,
                between(kMinNgram, kMaxCharNgram));
    check_range("char_ngram_max", char_ngram_max, char_ngram_min, kMaxCharNgram,
                "between char_ngram_min (" + std::to_string(char_ngram_min) + ") and " +
                    std::to_string(kMaxCharNgram));
    check_range("min_df", min_df, kMinDf, kMaxMinDf, between(kMinDf, kMaxMinDf));
    check_range("max_features", max_features, kMinFeatures, kMaxFeatures,
                between(kMinFeatures, kMaxFeatures));
    check_range("max_char_features", max_char_features, kMinFeatures, kMaxFeatures,
                between(kMinFeatures, kMaxFeatures));
    check_range("min_feature_partitions", min_feature_partitions, kMinFeaturePartitions,
                kMaxFeaturePartitions, between(kMinFeaturePartitions, kMaxFeaturePartitions));
}

namespace {
void poll_every_65536(size_t i, const std::function<bool()> &cancelled) {
    if ((i & 0xffff) == 0xffff && cancelled && cancelled())
        throw Error(ErrorKind::Cancelled, "model loading cancelled");
}
} // namespace

Vectorizer Vectorizer::from_parts(const FeatureOptions &options, std::vector<std::string> terms,
                                  std::vector<FeatureKind> kinds, std::vector<float> idf,
                                  const std::function<bool()> &cancelled) {
    try {
        options.validate();
    } catch (const Error &e) {
        throw Error(ErrorKind::CorruptModel, "invalid feature options in model",
                    std::string("The stored options fail validation: ") + e.what() + ".");
    }
    if (terms.size() != kinds.size() || terms.size() != idf.size())
        throw Error(ErrorKind::CorruptModel, "vocabulary sizes disagree in model",
                    "The model stores " + std::to_string(terms.size()) + " terms, " +
                        std::to_string(kinds.size()) + " kinds and " + std::to_string(idf.size()) +
                        " idf values.");
    if (terms.size() >= kEmpty)
        throw Error(ErrorKind::CorruptModel, "vocabulary too large in model",
                    "The model stores " + std::to_string(terms.size()) + " terms.");
    for (size_t i = 0; i < terms.size(); ++i) {
        poll_every_65536(i, cancelled);
        auto k = static_cast<uint8_t>(kinds[i]);
        if (k > static_cast<uint8_t>(FeatureKind::Char))
            throw Error(ErrorKind::CorruptModel, "invalid feature kind in model",
                        "Term " + std::to_string(i) + " has kind " + std::to_string(k) + ".");
        if (!std::isfinite(idf[i]) || idf[i] < 0.0f)
            throw Error(ErrorKind::CorruptModel, "invalid idf value in model",
                        "Term " + std::to_string(i) + " has a negative or non-finite idf.");
        if (terms[i].empty() || !is_valid_utf8(terms[i]))
            throw Error(ErrorKind::CorruptModel, "invalid term in model",
                        "Term " + std::to_string(i) + " is empty or not valid UTF-8.");
    }
    Vectorizer v;
    v.options_ = options;
    v.terms_ = std::move(terms);
    v.kinds_ = std::move(kinds);
    v.idf_ = std::move(idf);
    v.build_index(cancelled);
    return v;
}

namespace {
// The index's slots: a power of two, at least twice the terms (load <= 0.5).
size_t index_capacity(size_t terms) {
    size_t capacity = 16;
    while (capacity < terms * 2)
        capacity *= 2;
    return capacity;
}
} // namespace

size_t Vectorizer::index_bytes(size_t terms) {
    return index_capacity(terms) * sizeof(Slot);
}

void Vectorizer::build_index(const std::function<bool()> &cancelled) {
    const size_t capacity = index_capacity(terms_.size());
    slots_.assign(capacity, Slot{0, kEmpty, 0});
    const size_t mask = capacity - 1;
    for (size_t t = 0; t < terms_.size(); ++t) {
        poll_every_65536(t, cancelled);
        uint64_t h = term_hash(kinds_[t], terms_[t]);
        size_t i = h & mask;
        while (slots_[i].hash != 0) {
            if (slots_[i].hash == h) {
                const size_t other = slots_[i].index;
                bool same = terms_[other] == terms_[t] && kinds_[other] == kinds_[t];
                throw Error(ErrorKind::CorruptModel,
                            same ? "duplicate term in model vocabulary"
                                 : "hash collision in model vocabulary",
                            "Terms " + std::to_string(other) + " and " + std::to_string(t) +
                                (same ? " are identical." : " have the same 64-bit hash."));
            }
            i = (i + 1) & mask;
        }
        slots_[i] = Slot{h, static_cast<uint32_t>(t), 0};
    }
}

int64_t Vectorizer::lookup(uint64_t hash) const {
    if (slots_.empty()) return -1;
    const size_t mask = slots_.size() - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
        const Slot &s = slots_[i];
        if (s.hash == hash) return s.index;
        if (s.hash == 0) return -1;
    }
}

} // namespace intent
