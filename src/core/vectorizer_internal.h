// What the files of the TF-IDF vectoriser (vectorizer.h) share:
//   ngrams.h, ngram_stream.h  n-grams and their hashes, whole or streamed
//   gram_counter.*            the counting pass of fit()
//   vocabulary.cpp            the vocabulary cut from the counts
//   vectorizer_fit.cpp        fit() and fit_transform()
//   vectorizer_transform.cpp  transform_one() and the rows it weighs
//   vectorizer.cpp            the options, and a vectoriser from stored parts
#pragma once

#include "vectorizer.h"

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace intent {
namespace vectorizer_internal {

class GramCounter;

// Texts between two polls of the cancel callback: a few hundred texts take
// well under a millisecond.
constexpr size_t kCancelPollMask = 255;

// The vocabulary cut from the counts: terms (words sorted by bytes, then
// chars sorted by bytes), kinds, idf, and the number of stored values the
// training matrix will have (the sum of the chosen terms' document
// frequencies, exact unless the counter pruned).
struct Vocabulary {
    std::vector<std::string> terms;
    std::vector<FeatureKind> kinds;
    std::vector<float> idf;
    size_t nnz = 0;
    size_t single_group_dropped = 0; // n-grams left out by min_feature_partitions
};

// vocabulary.cpp
// Applies min_df and the max_features / max_char_features caps to the counts
// (ties broken by bytes, so the result does not depend on the table order).
// With min_feature_partitions 2 (the counter then counted groups), an n-gram
// of one group is left out before the caps, so the caps fill with n-grams
// that may be kept.
Vocabulary choose_vocabulary(const GramCounter &counter, size_t num_texts, const FeatureOptions &options);

} // namespace vectorizer_internal
} // namespace intent
