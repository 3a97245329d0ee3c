// Why a model scores a message the way it does: the word and character
// n-grams of the message with their share of one label's decision score
// (IntentModel::explain, in explain.cpp).
#pragma once

#include "vectorizer.h"

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace intent {

// Why an answer is uncertain (IntentModel::uncertain_reason), in the order
// the rule tests: the internal out-of-scope class beats the label; the
// message gives too little evidence (format 3, novelty.h); the confidence is
// below the label's threshold.
enum class UncertainReason {
    None,
    OutOfScope,
    NoEvidence,
    NoSupport,
    UnknownWords,
    UnknownLabelWords,
    BelowThreshold
};
// "out_of_scope", "no_evidence", "no_support", "unknown_words", "unknown_label_words",
// "below_threshold"; nullptr for None.
const char *uncertain_reason_name(UncertainReason r);

// One n-gram of the message and what it adds to the label's decision score.
struct TermContribution {
    uint32_t feature = 0; // index in the model's vocabulary
    FeatureKind kind = FeatureKind::Word;
    std::string term;        // the n-gram (char n-grams keep their padding spaces: " env")
    float value = 0;         // its TF-IDF value in the message's row
    double contribution = 0; // value * the label's quantised weight * its scale
};

// The decision score of one label, taken apart. The score is what the model
// computes (bias + scale * sum of value * int16 weight, in float); each
// contribution is value * weight * scale in double. So
//     bias + sum of all contributions = score
// up to the float rounding of the model's own sum, documented and tested as
//     |bias + sum - score| <= (n + 4) * 2^-24 * (|bias| + sum of |contributions|),
// n the number of n-grams in the message's row. `terms` holds the top_n
// largest contributions by magnitude (ties: lower feature index first);
// `rest` is the sum of the others, so bias + sum(terms) + rest = score too.
struct Explanation {
    int label = -1;
    int predicted_label = -1;                                 // the label predict() serves for this text
    UncertainReason uncertain_reason = UncertainReason::None; // why predict() marks that answer uncertain
    // What that answer was held to: its label's threshold, and (format 3)
    // the message's evidence and the model's floor, the served label's
    // support and the model's support floor, its share of unknown words and
    // the model's limit (novelty.h).
    float threshold = 0;
    bool checks_evidence = false;
    float evidence = 0;
    float evidence_floor = 0;
    float support = 0; // the served label's own score less its bias
    float support_floor = -std::numeric_limits<float>::infinity();
    float unknown_word_share = 0;
    float unknown_word_limit = 1;
    // Its share of words no training row of the served label holds, and the
    // model's label-word limit (format 5; checks_label_words false, 0 and 1
    // otherwise).
    bool checks_label_words = false;
    float label_unknown_word_share = 0;
    float label_unknown_word_limit = 1;
    float score = 0;       // the label's raw decision score
    float probability = 0; // its calibrated probability (as predict() reports it)
    double bias = 0;       // the label's bias term
    std::vector<TermContribution> terms;
    double rest = 0;                // contributions of the row's other n-grams
    size_t num_contributions = 0;   // n-grams with a non-zero contribution
    size_t num_features_in_row = 0; // n: n-grams of the message known to the model

    // Whether predict() marks the answer uncertain.
    bool uncertain() const { return uncertain_reason != UncertainReason::None; }
};

} // namespace intent
