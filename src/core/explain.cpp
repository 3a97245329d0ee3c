// IntentModel::explain: a label's decision score as the sum of its bias and
// one contribution per n-gram of the message, from the same quantised
// weights and the same TF-IDF row the model scores with.
#include "errors.h"
#include "model.h"
#include "novelty.h"
#include "scoring.h"

#include <algorithm>
#include <cmath>

namespace intent {

const char *uncertain_reason_name(UncertainReason r) {
    switch (r) {
    case UncertainReason::None:
        return nullptr;
    case UncertainReason::OutOfScope:
        return "out_of_scope";
    case UncertainReason::NoEvidence:
        return "no_evidence";
    case UncertainReason::NoSupport:
        return "no_support";
    case UncertainReason::UnknownWords:
        return "unknown_words";
    case UncertainReason::UnknownLabelWords:
        return "unknown_label_words";
    case UncertainReason::BelowThreshold:
        return "below_threshold";
    }
    return nullptr;
}

Explanation IntentModel::explain(std::string_view text, int label, size_t top_n,
                                 PredictScratch &scratch) const {
    const size_t k = labels_.size();
    if (label < -1 || (label >= 0 && static_cast<size_t>(label) >= k))
        throw Error(ErrorKind::InvalidArgument, "label out of range",
                    "Label index " + std::to_string(label) + " is not one of the model's " +
                        std::to_string(k) + " labels.");
    probabilities(text, scratch); // fills scratch.row, scratch.scores and scratch.probs
    Explanation e;
    if (k == 0) return e;
    // What predict() answers for this text, from the same pass.
    const int served = served_label(scratch.scores.data(), scratch.probs.data());
    e.predicted_label = served;
    e.uncertain_reason =
        uncertain_reason(served, scratch.scores.data(), scratch.probs[static_cast<size_t>(served)],
                         scratch.row, scratch.vec.words);
    e.threshold = label_threshold(served);
    e.checks_evidence = checks_evidence();
    if (e.checks_evidence) {
        e.evidence = message_evidence(recognises(scratch.row), scratch.scores.data(), bias_.data(), k);
        e.evidence_floor = evidence_floor_;
        e.support = label_support(scratch.scores.data(), bias_.data(), static_cast<size_t>(served));
        e.support_floor = support_floor_;
        e.unknown_word_share = unknown_word_share(scratch.vec.words.words, scratch.vec.words.unknown);
        e.unknown_word_limit = unknown_word_limit_;
        e.checks_label_words = label_words_.active();
        e.label_unknown_word_share =
            label_unknown_word_share(static_cast<size_t>(served), scratch.row, scratch.vec.words);
        e.label_unknown_word_limit = label_words_.limit;
    }
    const size_t c = label >= 0 ? static_cast<size_t>(label) : static_cast<size_t>(served);
    // Weights are stored with the stride of every scored column, the
    // out-of-scope class included.
    const size_t stride = padded(columns());
    e.label = static_cast<int>(c);
    e.score = scratch.scores[c];
    e.probability = scratch.probs[c];
    e.bias = bias_[c];
    e.num_features_in_row = scratch.row.nnz();

    const double scale = scale_[c];
    std::vector<TermContribution> all;
    for (size_t j = 0; j < scratch.row.nnz(); ++j) {
        const uint32_t f = scratch.row.index[j];
        const int16_t q = qweights_[static_cast<size_t>(f) * stride + c];
        if (q == 0) continue;
        TermContribution t;
        t.feature = f;
        t.value = scratch.row.value[j];
        // float * int16 is exact in double; the scale's product rounds once.
        t.contribution = static_cast<double>(t.value) * q * scale;
        all.push_back(std::move(t));
    }
    e.num_contributions = all.size();
    std::sort(all.begin(), all.end(), [](const TermContribution &a, const TermContribution &b) {
        const double ma = std::fabs(a.contribution), mb = std::fabs(b.contribution);
        return ma != mb ? ma > mb : a.feature < b.feature;
    });
    const size_t keep = std::min(top_n, all.size());
    for (size_t i = keep; i < all.size(); ++i)
        e.rest += all[i].contribution;
    all.resize(keep);
    const Vectorizer &v = vectorizer_;
    for (TermContribution &t : all) {
        if (t.feature >= v.tfidf_features()) { // the subword block
            t.kind = FeatureKind::Subword;
            t.term = "subword:" + std::to_string(t.feature - v.tfidf_features());
            continue;
        }
        t.kind = v.kinds()[t.feature];
        t.term = v.terms()[t.feature];
    }
    e.terms = std::move(all);
    return e;
}

} // namespace intent
