// Fitting the vectoriser: count the n-grams, cut the vocabulary, and (for
// fit_transform) transform the training texts into a matrix.
#include "errors.h"
#include "gram_counter.h"
#include "linear.h" // TrainCallbacks
#include "vectorizer_internal.h"

#include <utility>

namespace intent {

using namespace vectorizer_internal;

namespace {

// Checks what fit() and fit_transform() accept.
void check_fit_input(const std::vector<std::string> &texts, const FeatureOptions &options,
                     const std::vector<uint32_t> *groups) {
    options.validate();
    if (options.min_feature_partitions > 1 && (!groups || groups->size() != texts.size()))
        throw Error(ErrorKind::InvalidArgument, "min_feature_partitions needs the partition of every text",
                    "Only the fallback model of a partitioned classifier is trained with "
                    "min_feature_partitions 2.",
                    "Leave min_feature_partitions out of the training options.");
    if (texts.empty())
        throw Error(ErrorKind::InsufficientData, Message{N_("no texts to learn features from"), {}},
                    N_("The vectorizer needs at least one training text."));
    if (texts.size() >= kEmpty)
        throw Error(ErrorKind::InsufficientData, Message{N_("too many texts"), {}},
                    N_("At most 4294967294 texts can be fitted."));
}

} // namespace

// Counts the n-grams (bounded by the budget) and cuts the vocabulary; the
// counter and its charge are gone on return.
Vectorizer Vectorizer::fit_counts(const std::vector<std::string> &texts, const FeatureOptions &options,
                                  const TrainCallbacks *callbacks, size_t *nnz,
                                  const std::vector<uint32_t> *groups) {
    check_fit_input(texts, options, groups);
    if (options.min_feature_partitions <= 1) groups = nullptr; // not read: no memory for them
    Vocabulary vocab;
    FitStats stats;
    {
        GramCounter counter(callbacks ? callbacks->memory : nullptr, groups != nullptr);
        count_grams(texts, options, callbacks, counter, groups);
        vocab = choose_vocabulary(counter, texts.size(), options);
        stats.single_group_dropped = vocab.single_group_dropped;
        stats.texts = texts.size();
        stats.distinct_ngrams = counter.distinct();
        stats.prunings = counter.prunings();
        stats.prune_threshold = counter.prune_threshold();
    } // the table is freed (and uncharged) before the vocabulary's index is built
    if (nnz) *nnz = vocab.nnz;
    Vectorizer v = from_parts(options, std::move(vocab.terms), std::move(vocab.kinds), std::move(vocab.idf));
    v.fit_stats_ = stats;
    return v;
}

Vectorizer Vectorizer::fit(const std::vector<std::string> &texts, const FeatureOptions &options,
                           const TrainCallbacks *callbacks, const std::vector<uint32_t> *groups) {
    return fit_counts(texts, options, callbacks, nullptr, groups);
}

// Two passes: count, then transform every text with transform_one. The
// second pass normalises and hashes again, which costs time but no memory:
// 0.1.0 kept every occurrence of every text (4 bytes each) between the two.
// The matrix is reserved once at its exact size (the sum of the chosen
// terms' document frequencies), so it never regrows and copies.
Vectorizer Vectorizer::fit_transform(const std::vector<std::string> &texts, const FeatureOptions &options,
                                     SparseMatrix &out, const TrainCallbacks *callbacks,
                                     const std::vector<uint32_t> *groups) {
    size_t nnz = 0;
    Vectorizer v = fit_counts(texts, options, callbacks, &nnz, groups);
    // Charged while it is built; the caller owns it (and its memory) after.
    MemoryCharge charge(callbacks ? callbacks->memory : nullptr,
                        nnz * (sizeof(uint32_t) + sizeof(float)) + (texts.size() + 1) * sizeof(size_t),
                        "the feature matrix");
    SparseMatrix m;
    m.cols = v.terms_.size();
    m.row_ptr.reserve(texts.size() + 1);
    m.col.reserve(nnz);
    m.val.reserve(nnz);
    VectorizerScratch scratch;
    SparseVector row;
    for (size_t d = 0; d < texts.size(); ++d) {
        if (callbacks && (d & kCancelPollMask) == 0) callbacks->check_cancel();
        v.transform_one(texts[d], row, scratch);
        m.append_row(row);
    }
    out = std::move(m);
    return v;
}

Vectorizer Vectorizer::fit_transform(const std::vector<std::string> &texts, const FeatureOptions &options,
                                     FeatureMatrix &out, const TrainCallbacks *callbacks,
                                     const std::vector<uint32_t> *groups, std::vector<MessageWords> *words) {
    size_t nnz = 0;
    Vectorizer v = fit_counts(texts, options, callbacks, &nnz, groups);
    const bool coded =
        FeatureMatrix::bytes_for(v.num_features(), texts.size(), nnz, false) > kCodedMatrixBytes;
    v.transform_into(texts, out, callbacks, nnz, coded, words);
    return v;
}

void Vectorizer::transform(const std::vector<std::string> &texts, FeatureMatrix &out,
                           const TrainCallbacks *callbacks) const {
    transform_into(texts, out, callbacks, 0, false);
}

void Vectorizer::transform_into(const std::vector<std::string> &texts, FeatureMatrix &out,
                                const TrainCallbacks *callbacks, size_t nnz_hint, bool coded,
                                std::vector<MessageWords> *words) const {
    FeatureMatrix m = new_matrix(callbacks ? callbacks->memory : nullptr, coded);
    m.reserve(texts.size(), nnz_hint);
    if (words) words->assign(texts.size(), MessageWords{});
    VectorizerScratch scratch;
    SparseVector row;
    for (size_t d = 0; d < texts.size(); ++d) {
        if (callbacks && (d & kCancelPollMask) == 0) callbacks->check_cancel();
        transform_append(texts[d], m, row, scratch);
        if (words) (*words)[d] = scratch.words;
    }
    out = std::move(m);
}

} // namespace intent
