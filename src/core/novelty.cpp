// The evidence and support floors, the unknown-word limit and the words known out of fold (see novelty.h).
#include "novelty.h"

#include "crossval.h"
#include "vectorizer.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace intent {

Recognition::Recognition(const Vectorizer &vectorizer) {
    const std::vector<std::string> &terms = vectorizer.terms();
    const std::vector<FeatureKind> &kinds = vectorizer.kinds();
    recognising_.assign(terms.size(), false);
    for (size_t j = 0; j < terms.size(); ++j) {
        if (kinds[j] == FeatureKind::Word) {
            recognising_[j] = true;
            continue;
        }
        size_t code_points = 0; // UTF-8: every byte but continuation bytes
        for (unsigned char b : terms[j])
            code_points += (b & 0xC0) != 0x80;
        recognising_[j] = code_points >= kRecognisingCharGram;
    }
}

namespace {

// The largest floor, from `start` down through the values of `sorted`
// (ascending), at or below which at most `allowed` of them lie: the one rule
// of the evidence and support floors, whose ties would otherwise turn more
// answers uncertain than their quantile allows. `below_all` when only a
// floor under every value leaves that few.
float floor_with_at_most(const std::vector<float> &sorted, float start, size_t allowed, float below_all) {
    float floor = start;
    while (static_cast<size_t>(std::upper_bound(sorted.begin(), sorted.end(), floor) - sorted.begin()) >
           allowed) {
        auto it = std::lower_bound(sorted.begin(), sorted.end(), floor);
        if (it == sorted.begin()) return below_all;
        floor = *(it - 1);
    }
    return floor;
}

// The one opening of the rules learned at a quantile of out-of-fold
// answers: keep the usable values, sorted, and say whether they are enough
// to learn from (quantile above 0, at least min_rows of them). When they are
// not, `not_learned` says why, ending with what then holds (`otherwise`).
struct QuantileSample {
    size_t rows = 0;    // usable values
    size_t allowed = 0; // floor(quantile * rows): how many the rule may turn uncertain
    bool enough = false;
    std::string not_learned;
};

template <class Usable>
QuantileSample sample_for_quantile(std::vector<float> &values, Usable usable, double quantile,
                                   size_t min_rows, const char *option, const char *rows_are,
                                   const char *otherwise) {
    QuantileSample out;
    values.erase(std::remove_if(values.begin(), values.end(), [&](float v) { return !usable(v); }),
                 values.end());
    out.rows = values.size();
    char buf[320];
    if (quantile <= 0 || out.rows == 0 || out.rows < min_rows) {
        if (quantile <= 0)
            std::snprintf(buf, sizeof buf, "%s 0: %s", option, otherwise);
        else
            std::snprintf(buf, sizeof buf, "%zu %s, fewer than min_threshold_rows (%zu): %s", out.rows,
                          rows_are, min_rows, otherwise);
        out.not_learned = buf;
        return out;
    }
    std::sort(values.begin(), values.end());
    out.allowed = static_cast<size_t>(std::floor(quantile * static_cast<double>(out.rows)));
    out.enough = true;
    return out;
}

bool finite(float v) {
    return std::isfinite(v);
}

} // namespace

EvidenceFloor choose_evidence_floor(std::vector<float> evidence, double quantile, size_t min_rows) {
    EvidenceFloor out;
    out.quantile = quantile;
    const QuantileSample sample = sample_for_quantile(
        evidence, finite, quantile, min_rows, "evidence_quantile", "accepted right out-of-fold answers",
        "only messages without known evidence abstain");
    out.rows = sample.rows;
    if (!sample.enough) {
        out.reason = sample.not_learned;
        return out;
    }
    // The largest floor that leaves at least (1 - quantile) of them above it:
    // the value at rank floor(quantile * rows), strictly below which fewer
    // than quantile * rows answers lie; answers equal to it turn uncertain
    // too, so step down to the next smaller value when ties would exceed it.
    // Every answer at or below the floor turns uncertain: at most `allowed`.
    const size_t allowed = sample.allowed;
    const float floor =
        allowed > 0 ? floor_with_at_most(evidence, evidence[allowed - 1], allowed, 0.0f) : 0.0f;
    out.floor = std::max(floor, 0.0f);
    out.learned = true;
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "evidence floor %.4f: the %.3f quantile of the evidence of %zu accepted right out-of-fold "
                  "answers (never below 0)",
                  static_cast<double>(out.floor), quantile, out.rows);
    out.reason = buf;
    return out;
}

SupportFloor choose_support_floor(std::vector<float> support, double quantile, size_t min_rows) {
    SupportFloor out;
    const QuantileSample sample = sample_for_quantile(
        support, finite, quantile, min_rows, "evidence_quantile", "accepted right out-of-fold answers",
        "an answer's support alone never makes it uncertain");
    out.rows = sample.rows;
    if (!sample.enough) {
        out.reason = sample.not_learned;
        return out;
    }
    // The largest floor of at most 0 (0 or one of the values) at or below
    // which at most `allowed` of the answers lie.
    const size_t allowed = sample.allowed;
    out.floor = floor_with_at_most(support, 0.0f, allowed, -std::numeric_limits<float>::infinity());
    out.learned = true;
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "support floor %.4f: the largest floor of at most 0 that at most the %.3f quantile of the "
                  "support of %zu accepted right out-of-fold answers lies at or below",
                  static_cast<double>(out.floor), quantile, out.rows);
    out.reason = buf;
    return out;
}

UnknownWordLimit choose_unknown_word_limit(std::vector<float> shares, double quantile, size_t min_rows,
                                           UnknownWordRule rule, bool thin_labels) {
    UnknownWordLimit out;
    out.quantile = quantile;
    const bool label = rule == UnknownWordRule::Label;
    const QuantileSample sample = sample_for_quantile(
        shares, [](float v) { return v >= 0 && v <= 1; }, quantile, min_rows, "unknown_word_quantile",
        label ? "accepted right out-of-fold answers with an unknown word"
              : "accepted right out-of-fold answers with words",
        label ? "words new to the answered label never make an answer uncertain"
              : "unknown words alone never make an answer uncertain");
    out.rows = sample.rows;
    if (!sample.enough) {
        out.reason = sample.not_learned;
        return out;
    }
    // Shares above the value at rank rows - 1 - allowed (ascending) are at
    // most `allowed` of them, ties included.
    const size_t allowed = sample.allowed;
    const float quantile_share = allowed >= out.rows ? 0.0f : shares[out.rows - 1 - allowed];
    out.limit = std::max(quantile_share, kLeastUnknownWordLimit);
    // Thin labels: at the floor, a share of one half is too many (novelty.h).
    const bool half_inclusive = thin_labels && out.limit == kLeastUnknownWordLimit;
    if (half_inclusive) out.limit = kHalfInclusiveLimit;
    out.learned = true;
    char buf[320];
    std::snprintf(buf, sizeof buf,
                  "%s limit %.4f: the %.3f quantile of the share of %s of %zu accepted right out-of-fold "
                  "answers%s (%.4f), never below %.2f%s",
                  label ? "label-word" : "unknown-word", static_cast<double>(out.limit), 1 - quantile,
                  label ? "words new to their label" : "unknown words", out.rows,
                  label ? " with an unknown word" : "", static_cast<double>(quantile_share),
                  static_cast<double>(kLeastUnknownWordLimit),
                  half_inclusive ? "; thin labels: a share of one half is above it" : "");
    out.reason = buf;
    return out;
}

std::vector<char> word_unigrams(const Vectorizer &vectorizer) {
    std::vector<char> unigram;
    if (vectorizer.options().word_ngram_min != 1) return unigram;
    const std::vector<std::string> &terms = vectorizer.terms();
    const std::vector<FeatureKind> &kinds = vectorizer.kinds();
    size_t words = 0;
    while (words < terms.size() && kinds[words] == FeatureKind::Word)
        ++words;
    unigram.resize(words);
    for (size_t j = 0; j < words; ++j)
        unigram[j] = terms[j].find(' ') == std::string::npos;
    return unigram;
}

bool FoldWords::is_word(uint32_t j) const {
    return j < features_ && set_.unigram[j];
}

FoldWords::FoldWords(const TrainingSet &set, const std::vector<int> &fold, size_t folds, MemoryBudget *budget,
                     size_t labels)
    : set_(set), fold_(fold), folds_(folds), charge_(budget) {
    features_ = set.unigram.size();
    if (features_ == 0 || set.words.empty()) return;
    charge_.add((folds + 1) * features_ * sizeof(uint32_t), "the out-of-fold word counts");
    df_.assign((folds + 1) * features_, 0);
    SparseVector row;
    const size_t n = std::min(set.words.size(), fold.size());
    for (size_t e = 0; e < n; ++e) {
        set.entries.row(e, row);
        uint32_t *in_fold =
            fold[e] >= 0 ? df_.data() + (static_cast<size_t>(fold[e]) + 1) * features_ : nullptr;
        for (uint32_t j : row.index) {
            if (!is_word(j)) continue;
            ++df_[j];
            if (in_fold) ++in_fold[j];
        }
    }
    if (labels == 0) return;
    // Each label's words, then their counts in all and per fold.
    label_words_.resize(labels);
    const auto label_of = [&](size_t e) {
        const int c = e < set.column.size() ? set.column[e] : -1;
        return c >= 0 && static_cast<size_t>(c) < labels ? c : -1;
    };
    for (size_t e = 0; e < n; ++e) {
        const int c = label_of(e);
        if (c < 0) continue;
        set.entries.row(e, row);
        for (uint32_t j : row.index)
            if (is_word(j)) label_words_[static_cast<size_t>(c)].push_back(j);
    }
    size_t pairs = 0;
    for (auto &w : label_words_) {
        std::sort(w.begin(), w.end());
        w.erase(std::unique(w.begin(), w.end()), w.end());
        w.shrink_to_fit();
        pairs += w.size();
    }
    charge_.add(pairs * sizeof(uint32_t) * (folds + 2), "the out-of-fold words of each label");
    label_df_.resize(labels);
    for (size_t c = 0; c < labels; ++c)
        label_df_[c].assign(label_words_[c].size() * (folds + 1), 0);
    for (size_t e = 0; e < n; ++e) {
        const int c = label_of(e);
        if (c < 0) continue;
        const std::vector<uint32_t> &w = label_words_[static_cast<size_t>(c)];
        uint32_t *counts = label_df_[static_cast<size_t>(c)].data();
        set.entries.row(e, row);
        for (uint32_t j : row.index) {
            if (!is_word(j)) continue;
            const size_t at = static_cast<size_t>(std::lower_bound(w.begin(), w.end(), j) - w.begin());
            ++counts[at * (folds + 1)];
            if (fold[e] >= 0) ++counts[at * (folds + 1) + 1 + static_cast<size_t>(fold[e])];
        }
    }
}

float FoldWords::unknown_share(size_t e, SparseVector &row) const {
    if (e >= set_.words.size() || e >= fold_.size()) return 0;
    const MessageWords &w = set_.words[e];
    if (fold_[e] < 0 || df_.empty()) return unknown_word_share(w.words, w.unknown);
    const uint32_t *in_fold = df_.data() + (static_cast<size_t>(fold_[e]) + 1) * features_;
    set_.entries.row(e, row);
    return share_of_unknown_words(
        w, row, [this](uint32_t j) { return is_word(j); }, [&](uint32_t j) { return df_[j] != in_fold[j]; });
}

std::vector<std::vector<uint32_t>> FoldWords::take_label_words(size_t &bytes) {
    bytes = 0;
    for (const std::vector<uint32_t> &w : label_words_)
        bytes += w.size() * sizeof(uint32_t);
    return std::move(label_words_);
}

float FoldWords::label_unknown_share(size_t e, size_t label, SparseVector &row) const {
    if (e >= set_.words.size() || e >= fold_.size()) return 0;
    const MessageWords &w = set_.words[e];
    if (df_.empty() || label >= label_words_.size()) return unknown_word_share(w.words, w.unknown);
    const std::vector<uint32_t> &words = label_words_[label];
    const uint32_t *counts = label_df_[label].data();
    const int f = fold_[e];
    set_.entries.row(e, row);
    return share_of_unknown_words(
        w, row, [this](uint32_t j) { return is_word(j); },
        [&](uint32_t j) {
            auto it = std::lower_bound(words.begin(), words.end(), j);
            if (it == words.end() || *it != j) return false;
            const size_t at = static_cast<size_t>(it - words.begin()) * (folds_ + 1);
            return counts[at] != (f >= 0 ? counts[at + 1 + static_cast<size_t>(f)] : 0);
        });
}

} // namespace intent
