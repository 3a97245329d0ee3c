// Training options of the core: features, learner, split and the
// pipeline's own, with their one validator.
#pragma once

#include "dataset.h"
#include "linear.h"
#include "vectorizer.h"

#include <cstddef>
#include <string>
#include <string_view>

namespace intent {

struct ModelOptions {
    FeatureOptions features;
    LearnerOptions learner;
    SplitOptions split;
    double target_precision = 0.9;  // abstain threshold goal on the validation split
    size_t max_misclassified = 200; // cap on misclassified samples kept in the report

    // Applies a flat JSON object of options, e.g.
    // {"algorithm":"logistic_regression","C":0.5,"char_ngrams":false}.
    // Keys: algorithm, C, class_weight ("balanced"|"none"), tolerance,
    // max_iterations, word_ngram_min, word_ngram_max, char_ngrams,
    // char_ngram_min, char_ngram_max, max_features, max_char_features, min_df,
    // sublinear_tf, smooth_idf, lowercase, accent_folding, val_fraction,
    // test_fraction, seed, target_precision.
    // An unknown key or a bad value throws Error(InvalidArgument) naming the key.
    void apply_json(std::string_view json_object);
    void validate() const;
    std::string to_json() const; // every option with its effective value
};

} // namespace intent
