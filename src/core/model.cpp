// The intent model at prediction time: scores, calibrated probabilities,
// the abstain decision and top-k, and assembling a model from trained parts.
#include "model.h"

#include "errors.h"
#include "scoring.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace intent {

// ============================================================ IntentModel

// Raw decision scores for every class into scratch.scores (padded length).
void IntentModel::scores(std::string_view text, PredictScratch &scratch) const {
    vectorizer_.transform_one(text, scratch.row, scratch.vec);
    const size_t k = labels_.size();
    scratch.scores.resize(padded(k));
    score_row(scratch.row, qweights_.data(), padded(k), scale_.data(), bias_.data(), k,
              scratch.scores.data());
}

void IntentModel::probabilities(std::string_view text, PredictScratch &scratch) const {
    scores(text, scratch);
    scratch.probs.resize(labels_.size());
    calibrated_probabilities(platt_, scratch.scores.data(), scratch.probs.data());
}

int IntentModel::classify(std::string_view text, PredictScratch &scratch) const {
    probabilities(text, scratch);
    size_t best = argmax(scratch.probs.data(), labels_.size());
    return scratch.probs[best] < threshold_ ? -1 : static_cast<int>(best);
}

Prediction IntentModel::predict(std::string_view text, size_t top_k, PredictScratch &scratch) const {
    probabilities(text, scratch);
    const size_t k = labels_.size();
    const float *p = scratch.probs.data();
    Prediction out;
    if (k == 0) return out;
    size_t best = argmax(p, k);
    out.label = static_cast<int>(best);
    out.confidence = p[best];
    out.uncertain = p[best] < threshold_;
    size_t n = std::min(top_k, k);
    if (n > 0) {
        scratch.order.resize(k);
        std::iota(scratch.order.begin(), scratch.order.end(), 0u);
        std::partial_sort(scratch.order.begin(), scratch.order.begin() + static_cast<std::ptrdiff_t>(n),
                          scratch.order.end(),
                          [p](uint32_t a, uint32_t b) { return p[a] > p[b] || (p[a] == p[b] && a < b); });
        out.top.reserve(n);
        for (size_t i = 0; i < n; ++i)
            out.top.emplace_back(static_cast<int>(scratch.order[i]), p[scratch.order[i]]);
    }
    return out;
}

IntentModel IntentModel::assemble(ModelOptions options, Vectorizer vectorizer,
                                  std::vector<std::string> labels, const LinearWeights &weights,
                                  std::vector<PlattParams> platt, float threshold) {
    const size_t k = labels.size();
    if (k == 0 || weights.num_classes != k || weights.num_features != vectorizer.num_features() ||
        weights.w.size() != weights.num_features * k || weights.bias.size() != k || platt.size() != k)
        throw Error(ErrorKind::Internal, "inconsistent model parts",
                    "Labels, weights, bias and calibration disagree on the number of classes or features.");
    if (!std::isfinite(threshold) || threshold < 0 || threshold > 1)
        throw Error(ErrorKind::Internal, "invalid threshold",
                    "The abstain threshold must be between 0 and 1.");
    IntentModel m;
    m.algorithm_ = options.learner.algorithm;
    m.options_ = std::move(options);
    m.vectorizer_ = std::move(vectorizer);
    m.labels_ = std::move(labels);
    quantize(weights, m.qweights_, m.scale_);
    m.bias_.assign(padded(k), 0.0f);
    std::copy(weights.bias.begin(), weights.bias.end(), m.bias_.begin());
    m.platt_ = std::move(platt);
    m.threshold_ = threshold;
    return m;
}

} // namespace intent
