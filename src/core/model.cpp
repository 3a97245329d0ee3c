// The intent model at prediction time: scores, calibrated probabilities,
// the abstain decision and top-k, and assembling a model from trained parts.
#include "model.h"

#include "errors.h"
#include "novelty.h"
#include "scoring.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace intent {

// ============================================================ IntentModel

void IntentModel::decision_scores(std::string_view text, PredictScratch &scratch) const {
    vectorizer_.transform_one(text, scratch.row, scratch.vec);
    const size_t n = columns();
    scratch.scores.resize(padded(n));
    score_row(scratch.row, qweights_.data(), padded(n), scale_.data(), bias_.data(), n,
              scratch.scores.data());
}

void IntentModel::probabilities(std::string_view text, PredictScratch &scratch) const {
    decision_scores(text, scratch);
    scratch.probs.resize(labels_.size());
    if (format_version_ == kLegacyFormatVersion)
        calibrated_probabilities(platt_, scratch.scores.data(), scratch.probs.data());
    else
        calibrator_.probabilities(scratch.scores.data(), columns(), labels_.size(), scratch.probs.data());
}

int IntentModel::served_label(const float *scores, const float *probs) const {
    // Format 1 served the argmax of its normalised Platt probabilities, which
    // can differ from the raw argmax; format 2 serves the raw argmax (its
    // calibrator cannot reorder intents, so it is also the most probable one).
    if (format_version_ == kLegacyFormatVersion) return static_cast<int>(argmax(probs, labels_.size()));
    return static_cast<int>(argmax(scores, labels_.size()));
}

UncertainReason IntentModel::uncertain_reason(int label, const float *scores, float confidence,
                                              const SparseVector &row, const MessageWords &words) const {
    if (format_version_ == kLegacyFormatVersion)
        return confidence < threshold_ ? UncertainReason::BelowThreshold : UncertainReason::None;
    const size_t l = static_cast<size_t>(label);
    // The internal out-of-scope class beating every intent is never served.
    if (has_oos_class_ && scores[labels_.size()] > scores[l]) return UncertainReason::OutOfScope;
    if (checks_evidence() &&
        lacks_evidence(message_evidence(recognises(row), scores, bias_.data(), labels_.size()),
                       evidence_floor_))
        return UncertainReason::NoEvidence;
    if (checks_evidence() &&
        lacks_support(label_support(scores, bias_.data(), static_cast<size_t>(label)), support_floor_))
        return UncertainReason::NoSupport;
    const float unknown = unknown_word_share(words.words, words.unknown);
    if (too_many_unknown_words(unknown, unknown_word_limit_)) return UncertainReason::UnknownWords;
    if (label_words_.active() &&
        too_many_label_unknown_words(unknown, label_unknown_word_share(l, row, words), label_words_.limit))
        return UncertainReason::UnknownLabelWords;
    return confidence < thresholds_[l] ? UncertainReason::BelowThreshold : UncertainReason::None;
}

float IntentModel::label_unknown_word_share(size_t label, const SparseVector &row,
                                            const MessageWords &words) const {
    if (!label_words_.active()) return 0;
    return share_of_unknown_words(
        words, row, [this](uint32_t j) { return j < word_unigram_.size() && word_unigram_[j]; },
        [&](uint32_t j) { return label_words_.holds(label, j); });
}

float IntentModel::label_threshold(int label) const {
    if (format_version_ == kLegacyFormatVersion) return threshold_;
    return thresholds_[static_cast<size_t>(label)];
}

int IntentModel::classify(std::string_view text, PredictScratch &scratch) const {
    Prediction p;
    predict_into(text, 0, scratch, p);
    return p.uncertain ? -1 : p.label;
}

Prediction IntentModel::predict(std::string_view text, size_t top_k, PredictScratch &scratch) const {
    Prediction out;
    predict_into(text, top_k, scratch, out);
    return out;
}

namespace {

// True when intent a ranks before intent b: the larger key first, the lower
// index on ties (a strict total order for finite keys, so the selection
// below and std::partial_sort give the same list).
inline bool ranks_before(const float *key, uint32_t a, uint32_t b) {
    return key[a] > key[b] || (key[a] == key[b] && a < b);
}

// Top-k lists up to this long are selected in one pass over the intents;
// longer ones are sorted.
constexpr size_t kSelectUpTo = 16;

// The n best of [0, k) by ranks_before into order[0, n): one pass that keeps
// the best n seen so far sorted (an intent enters only when it beats the
// last of them, which most do not).
void select_top(const float *key, size_t k, size_t n, uint32_t *order) {
    size_t filled = 0;
    for (uint32_t c = 0; c < k; ++c) {
        if (filled == n && !ranks_before(key, c, order[n - 1])) continue;
        size_t j = filled < n ? filled++ : n - 1;
        // c comes after every earlier intent with an equal key: move only
        // those it ranks before.
        for (; j > 0 && ranks_before(key, c, order[j - 1]); --j)
            order[j] = order[j - 1];
        order[j] = c;
    }
}

} // namespace

void IntentModel::predict_into(std::string_view text, size_t top_k, PredictScratch &scratch,
                               Prediction &out) const {
    out.label = -1;
    out.confidence = 0;
    out.uncertain = false;
    out.top.clear();
    const size_t k = labels_.size();
    const bool legacy = format_version_ == kLegacyFormatVersion;
    // Format 2 needs only the probabilities it returns (the served intent's
    // and the top-k's): each one is the same division probabilities() does,
    // by the same sum, so the values are the same bits without dividing for
    // every intent. Format 1 serves the argmax of its probabilities: all of
    // them.
    if (legacy)
        probabilities(text, scratch);
    else
        decision_scores(text, scratch);
    if (k == 0) return;
    const float *s = scratch.scores.data();
    const float *p = legacy ? scratch.probs.data() : nullptr;
    const int best = served_label(s, p);
    ScoreCalibrator::Normalizer z;
    if (!legacy) {
        // The largest score over the intents and the out-of-scope column, as
        // the calibrator's own scan finds it: the served intent's score (the
        // first maximum), or the out-of-scope column's when that is larger.
        float top = s[best];
        if (has_oos_class_) top = std::max(top, s[k]);
        if (std::isnan(top)) // the scan's NaN rules are its own
            z = calibrator_.normalizer(s, columns());
        else
            z = calibrator_.normalizer(s, columns(), top);
    }
    auto probability = [&](uint32_t c) { return legacy ? p[c] : calibrator_.probability(s[c], z); };
    out.label = best;
    out.confidence = probability(static_cast<uint32_t>(best));
    out.uncertain = is_uncertain(best, s, out.confidence, scratch.row, scratch.vec.words);
    const size_t n = std::min(top_k, k);
    if (n == 0) return;
    scratch.order.resize(k);
    uint32_t *order = scratch.order.data();
    // Format 2 ranks by raw score (probabilities follow the same order, and
    // float rounding can tie two of them); format 1 by probability.
    const float *key = legacy ? p : s;
    if (n <= kSelectUpTo) {
        select_top(key, k, n, order);
    } else {
        std::iota(order, order + k, 0u);
        std::partial_sort(order, order + n, order + k,
                          [key](uint32_t a, uint32_t b) { return ranks_before(key, a, b); });
    }
    out.top.reserve(n);
    for (size_t i = 0; i < n; ++i)
        out.top.emplace_back(static_cast<int>(order[i]), probability(order[i]));
}

Prediction IntentModel::predict_with_probabilities(std::string_view text, PredictScratch &scratch) const {
    probabilities(text, scratch);
    Prediction out;
    if (labels_.empty()) return out;
    const float *p = scratch.probs.data();
    const float *s = scratch.scores.data();
    out.label = served_label(s, p);
    out.confidence = p[out.label];
    out.uncertain = is_uncertain(out.label, s, out.confidence, scratch.row, scratch.vec.words);
    return out;
}

namespace {

// Checks the shared parts of a model being assembled.
void check_parts(const Vectorizer &vectorizer, size_t labels, const LinearWeights &weights, size_t columns,
                 float threshold) {
    if (labels == 0 || weights.num_classes != columns || weights.num_features != vectorizer.num_features() ||
        weights.w.size() != weights.num_features * columns || weights.bias.size() != columns)
        throw Error(ErrorKind::Internal, "inconsistent model parts",
                    "Labels, weights, bias and calibration disagree on the number of classes or features.");
    if (!std::isfinite(threshold) || threshold < 0 || threshold > 1)
        throw Error(ErrorKind::Internal, "invalid threshold",
                    "The abstain threshold must be between 0 and 1.");
}

} // namespace

IntentModel IntentModel::assemble(ModelOptions options, Vectorizer vectorizer,
                                  std::vector<std::string> labels, const LinearWeights &weights,
                                  ScoreCalibrator calibrator, float threshold, std::vector<float> thresholds,
                                  bool out_of_scope_class, float evidence_floor, float unknown_word_limit,
                                  float support_floor, LabelWords label_words) {
    if (!(std::isfinite(evidence_floor) && evidence_floor >= 0))
        throw Error(ErrorKind::Internal, "invalid evidence floor",
                    "The evidence floor must be a finite number of at least 0.");
    if (!(unknown_word_limit >= 0 && unknown_word_limit <= 1))
        throw Error(ErrorKind::Internal, "invalid unknown-word limit",
                    "The unknown-word limit must be a number between 0 and 1.");
    if (!(support_floor <= 0))
        throw Error(ErrorKind::Internal, "invalid support floor", "The support floor must be at most 0.");
    IntentModel m = assemble_v2(std::move(options), std::move(vectorizer), std::move(labels), weights,
                                calibrator, threshold, std::move(thresholds), out_of_scope_class);
    // Subword vectors that learned nothing (texts without a word) add no
    // column: the model is then a format 3 model trained without them.
    if (!m.vectorizer_.subword()) m.options_.subword_vectors = false;
    m.format_version_ = m.vectorizer_.subword() ? kSubwordFormatVersion : kFormatVersion;
    m.options_json_.clear();
    m.evidence_floor_ = evidence_floor;
    m.unknown_word_limit_ = unknown_word_limit;
    m.support_floor_ = support_floor;
    m.evidence_fields_ = 3;
    m.recognition_ = Recognition(m.vectorizer_);
    if (label_words.active()) {
        if (!(label_words.limit >= 0) || label_words.words.size() != m.labels_.size())
            throw Error(ErrorKind::Internal, "invalid label words",
                        "The label-word limit must be in [0, 1) with one word list per label.");
        m.word_unigram_ = word_unigrams(m.vectorizer_);
        for (const std::vector<uint32_t> &w : label_words.words)
            for (size_t i = 0; i < w.size(); ++i)
                if (w[i] >= m.word_unigram_.size() || !m.word_unigram_[w[i]] || (i > 0 && w[i] <= w[i - 1]))
                    throw Error(ErrorKind::Internal, "invalid label words",
                                "A label's words must be ascending word unigram features.");
        m.label_words_ = std::move(label_words);
        m.format_version_ = kLabelWordsFormatVersion;
    }
    return m;
}

IntentModel IntentModel::assemble_v2(ModelOptions options, Vectorizer vectorizer,
                                     std::vector<std::string> labels, const LinearWeights &weights,
                                     ScoreCalibrator calibrator, float threshold,
                                     std::vector<float> thresholds, bool out_of_scope_class) {
    const size_t k = labels.size(), n = k + (out_of_scope_class ? 1 : 0);
    check_parts(vectorizer, k, weights, n, threshold);
    if (thresholds.size() != k)
        throw Error(ErrorKind::Internal, "inconsistent model parts",
                    "There must be one threshold per intent.");
    for (float t : thresholds)
        if (!std::isfinite(t) || t < 0 || t > 1)
            throw Error(ErrorKind::Internal, "invalid threshold", "Every threshold must be between 0 and 1.");
    if (!(std::isfinite(calibrator.scale) && calibrator.scale > 0))
        throw Error(ErrorKind::Internal, "invalid calibrator", "The calibration scale must be positive.");
    IntentModel m;
    m.format_version_ = kTemperatureFormatVersion;
    m.algorithm_ = options.learner.algorithm;
    m.oos_label_ = options.out_of_scope_intent;
    m.options_ = std::move(options);
    m.options_json_ = m.options_.to_json();
    m.vectorizer_ = std::move(vectorizer);
    m.labels_ = std::move(labels);
    quantize(weights, m.qweights_, m.scale_);
    m.bias_.assign(padded(n), 0.0f);
    std::copy(weights.bias.begin(), weights.bias.end(), m.bias_.begin());
    m.calibrator_ = calibrator;
    m.has_oos_class_ = out_of_scope_class;
    m.threshold_ = threshold;
    m.thresholds_ = std::move(thresholds);
    return m;
}

IntentModel IntentModel::assemble_v1(ModelOptions options, Vectorizer vectorizer,
                                     std::vector<std::string> labels, const LinearWeights &weights,
                                     std::vector<PlattParams> platt, float threshold) {
    const size_t k = labels.size();
    check_parts(vectorizer, k, weights, k, threshold);
    if (platt.size() != k)
        throw Error(ErrorKind::Internal, "inconsistent model parts", "There must be one sigmoid per intent.");
    IntentModel m;
    m.format_version_ = kLegacyFormatVersion;
    m.algorithm_ = options.learner.algorithm;
    m.options_ = std::move(options);
    m.options_json_ = m.options_.to_json();
    m.vectorizer_ = std::move(vectorizer);
    m.labels_ = std::move(labels);
    quantize(weights, m.qweights_, m.scale_);
    m.bias_.assign(padded(k), 0.0f);
    std::copy(weights.bias.begin(), weights.bias.end(), m.bias_.begin());
    m.platt_ = std::move(platt);
    m.threshold_ = threshold;
    m.thresholds_.assign(k, threshold);
    return m;
}

} // namespace intent
