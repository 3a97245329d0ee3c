// TF-IDF over word n-grams plus optional character n-grams taken within word
// boundaries (scikit-learn's "char_wb": each token padded with one space on
// both sides, n counted in code points).
//
// The vocabulary is kept as strings (for the model file and for inspection)
// and indexed at load time by a 64-bit hash of the n-gram bytes in an
// open-addressing table, so prediction hashes n-grams straight from the input
// without building a std::string per n-gram. Word and char n-grams live in
// separate hash spaces (different seeds), so "ab" the word and "ab" the char
// gram never collide. from_parts() rejects a vocabulary with a hash collision.
#pragma once

#include "sparse.h"
#include "subword_vectors.h"
#include "text.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace intent {

struct TrainCallbacks; // linear.h

struct FeatureOptions {
    TextOptions text;
    int word_ngram_min = 1;
    int word_ngram_max = 3;
    bool char_ngrams = true;
    int char_ngram_min = 2;
    int char_ngram_max = 5;
    bool sublinear_tf = true;      // tf -> 1 + ln(tf)
    bool smooth_idf = true;        // idf = ln((1 + n) / (1 + df)) + 1, else ln(n / df) + 1
    bool l2_normalize = true;      // each row scaled to unit L2 norm
    int min_df = 1;                // drop n-grams seen in fewer documents
    int max_features = 10000;      // cap on word n-grams, by document frequency
    int max_char_features = 20000; // separate cap on char n-grams
    // 2: keep only the n-grams seen in texts of at least two groups (the
    // partitions of a partitioned classifier; fit() is given each text's
    // group). The shared fallback model of a partitioned classifier is
    // trained with it, so that a string seen in one tenant's rows never
    // becomes a feature of the model every tenant can explain (issue 31,
    // item 9). 1 (the default, and every model stored without it): no such
    // rule. Only 1 and 2: the counter keeps one group per n-gram, or "two or
    // more", which is exact for 2 whatever the order of the texts.
    int min_feature_partitions = 1;

    // The options' ranges, stated once: the option parser (options.cpp)
    // and validate() read these, and the parser's messages give them as
    // arguments. A maximum n-gram length is also at least its minimum.
    static constexpr int kMinNgram = 1;
    static constexpr int kMaxWordNgram = 8;
    static constexpr int kMaxCharNgram = 10;
    static constexpr int kMinFeatures = 1; // max_features, max_char_features
    static constexpr int kMaxFeatures = 10000000;
    static constexpr int kMinDf = 1;
    static constexpr int kMaxMinDf = 1000000;
    static constexpr int kMinFeaturePartitions = 1;
    static constexpr int kMaxFeaturePartitions = 2;

    // Throws Error(InvalidArgument) naming the offending option.
    void validate() const;
};

// Subword: a column of the subword block (never in terms() or kinds(); an
// explanation names it "subword:<column>").
enum class FeatureKind : uint8_t { Word = 0, Char = 1, Subword = 2 };

// The group of a text merged from texts of two or more groups (identical
// texts of two partitions): its n-grams count as seen in two.
constexpr uint32_t kSeveralGroups = 0xFFFFFFFFu;

// Reusable buffers for transform_one; one per thread / per backend. Their
// size depends on the vocabularies used with them, never on the input
// length: transform_one normalises long text in pieces of kPieceBytes.
// The words of the last message transformed: its word unigram occurrences,
// and how many of them are not in the vocabulary (novelty.h). Both 0 with
// word_ngram_min above 1, where no word is a feature.
struct MessageWords {
    uint64_t words = 0;
    uint64_t unknown = 0;
};

struct VectorizerScratch {
    // Optional cancel hook for long inputs: polled (on the calling thread)
    // after every kCancelPollBytes of input; returning true makes
    // transform_one throw Error(Cancelled). Messages shorter than
    // kCancelPollBytes never call it.
    std::function<bool()> cancelled;

    // Occurrences buffered before they are counted: enough for any message
    // of a few kilobytes, which is then weighed exactly as 0.1.0 did.
    static constexpr size_t kFoundCapacity = 8192;

    std::string normalized;           // the current piece, normalised
    std::vector<uint32_t> found;      // feature index of each buffered occurrence
    std::vector<uint32_t> counts;     // occurrences per feature (long texts); all zero between calls
    std::vector<uint32_t> touched;    // features with a non-zero count
    std::vector<uint32_t> row_counts; // transform_append: each entry's count in the text
    MessageWords words;               // the last text's words, known or not

    // Bytes held by the buffers (for tests of the memory bound).
    size_t capacity_bytes() const;
};

class Vectorizer {
  public:
    Vectorizer() = default;

    // Learns vocabulary and idf from `texts` (raw, un-normalised). Ties in the
    // max_features cut are broken by the n-gram bytes, so fitting is deterministic.
    // Feature order: all word n-grams (sorted by bytes), then all char n-grams
    // (sorted by bytes).
    // `callbacks`, when given, is polled for cancellation every few hundred texts.
    // `groups` (one per text, or kSeveralGroups) is needed, and only read,
    // with min_feature_partitions 2 (Error(InvalidArgument) without it).
    static Vectorizer fit(const std::vector<std::string> &texts, const FeatureOptions &options,
                          const TrainCallbacks *callbacks = nullptr,
                          const std::vector<uint32_t> *groups = nullptr);

    // fit() followed by transform() of the same texts into `out`: the same
    // vectoriser and a bit-identical matrix. Counts first, then transforms
    // each text again, so no per-occurrence list is kept between the passes;
    // `out` is reserved once at its exact size. `callbacks` is polled every
    // few hundred texts; callbacks->memory, when set, is charged for the
    // counting tables (which prune to stay within it, see fit_stats()) and
    // for the matrix while it is built.
    static Vectorizer fit_transform(const std::vector<std::string> &texts, const FeatureOptions &options,
                                    SparseMatrix &out, const TrainCallbacks *callbacks = nullptr,
                                    const std::vector<uint32_t> *groups = nullptr);

    // The same into the compact FeatureMatrix (6 bytes per value for up to
    // 65,536 features; coded, 3 bytes per value and 4 per row, above
    // kCodedMatrixBytes, see sparse.h), which keeps its charge on
    // callbacks->memory for as long as it lives: the form to train at scale
    // with.
    // `words`, when given, receives each text's words (MessageWords).
    static Vectorizer fit_transform(const std::vector<std::string> &texts, const FeatureOptions &options,
                                    FeatureMatrix &out, const TrainCallbacks *callbacks = nullptr,
                                    const std::vector<uint32_t> *groups = nullptr,
                                    std::vector<MessageWords> *words = nullptr);

    // What fit() saw while counting. `prunings` > 0 means the memory budget
    // made the counter drop n-grams seen in at most `prune_threshold` texts
    // at that point, so document frequencies (and the vocabulary) are
    // approximate for rare n-grams. Zero for a loaded vectoriser.
    struct FitStats {
        size_t texts = 0;
        size_t distinct_ngrams = 0; // distinct word and char n-grams kept at the end
        size_t prunings = 0;
        uint32_t prune_threshold = 0;
        size_t single_group_dropped = 0; // min_feature_partitions 2: n-grams of one group left out
    };
    const FitStats &fit_stats() const { return fit_stats_; }

    // Rebuilds a vectoriser from stored parts (model loading). Validates
    // sizes, kinds, idf finiteness and hash uniqueness; throws Error(CorruptModel).
    // `cancelled` is polled every 65,536 terms (Error(Cancelled)): a model of
    // millions of terms takes seconds to index.
    static Vectorizer from_parts(const FeatureOptions &options, std::vector<std::string> terms,
                                 std::vector<FeatureKind> kinds, std::vector<float> idf,
                                 const std::function<bool()> &cancelled = {});

    // Input is processed in pieces of this many bytes, and scratch.cancelled
    // polled every kCancelPollBytes of input.
    static constexpr size_t kPieceBytes = 16 * 1024;
    static constexpr size_t kCancelPollBytes = 64 * 1024;

    // TF-IDF row of one text. `out` indices sorted ascending. Throws
    // Error(InvalidText) on invalid UTF-8, Error(Cancelled) when
    // scratch.cancelled says so, Error(InvalidArgument) for text of 2 GiB or
    // more. Memory: O(kPieceBytes + num_features()) in scratch and out,
    // whatever the length of `text`; allocation-free once scratch is warm.
    void transform_one(std::string_view text, SparseVector &out, VectorizerScratch &scratch) const;

    // An empty FeatureMatrix for this vectoriser's rows; with `coded`, in
    // the coded form (3 bytes per value, see sparse.h) when it has at most
    // 65,536 features.
    FeatureMatrix new_matrix(MemoryBudget *budget, bool coded) const;
    // fit_transform codes its FeatureMatrix when the plain form would take
    // more than this: recomputing values costs the solvers time while the
    // matrix sits in the caches, and the matrix is the largest buffer of a
    // run only at scale. From about 165,000 CLINC150-sized rows up (a plain
    // matrix of 128 MB), the coded form halves the run's largest buffer at
    // no measured cost in time (bench/results/2026-11-25-vm-training-memory-200k.md).
    static constexpr size_t kCodedMatrixBytes = size_t{128} << 20;
    // Appends the TF-IDF row of `text` to `out` (a new_matrix()): the row
    // transform_one gives, coded when it can be. `row` is a buffer.
    void transform_append(std::string_view text, FeatureMatrix &out, SparseVector &row,
                          VectorizerScratch &scratch) const;

    SparseMatrix transform(const std::vector<std::string> &texts) const;
    // TF-IDF rows of `texts` into a FeatureMatrix charged to callbacks->memory;
    // polls callbacks every few hundred texts.
    void transform(const std::vector<std::string> &texts, FeatureMatrix &out,
                   const TrainCallbacks *callbacks = nullptr) const;

    // Every feature: the TF-IDF terms, then the subword block's columns.
    size_t num_features() const { return terms_.size() + subword_dim(); }
    // The TF-IDF features (terms(), kinds() and idf() hold one per feature).
    size_t tfidf_features() const { return terms_.size(); }

    // The subword block (subword_vectors.h, issue 34): with vectors
    // attached, every row gets `weight` x the text's vector in the
    // num_features() - subword_dim() last columns, after the TF-IDF values
    // (whose L2 scale is unchanged). Such rows are never coded. Only the
    // first kSubwordBytes of a text (cut at a character) give its vector, so
    // prediction stays in bounded memory (but not allocation-free: the
    // block's words and n-grams are built per call). nullptr detaches.
    static constexpr size_t kSubwordBytes = 64 * 1024;
    void attach_subword(std::shared_ptr<const SubwordVectors> vectors, float weight);
    const SubwordVectors *subword() const { return subword_.get(); }
    float subword_weight() const { return subword_weight_; }
    size_t subword_dim() const { return subword_ ? subword_->dim() : 0; }
    // Bytes of the hash index a vectoriser of `terms` terms builds.
    static size_t index_bytes(size_t terms);
    const FeatureOptions &options() const { return options_; }
    const std::vector<std::string> &terms() const { return terms_; }
    const std::vector<FeatureKind> &kinds() const { return kinds_; }
    const std::vector<float> &idf() const { return idf_; }

  private:
    static Vectorizer fit_counts(const std::vector<std::string> &texts, const FeatureOptions &options,
                                 const TrainCallbacks *callbacks, size_t *nnz,
                                 const std::vector<uint32_t> *groups);
    void transform_into(const std::vector<std::string> &texts, FeatureMatrix &out,
                        const TrainCallbacks *callbacks, size_t nnz_hint, bool coded,
                        std::vector<MessageWords> *words = nullptr) const;
    // transform_one, also giving each entry's count and the row's L2 scale.
    void transform_counted(std::string_view text, SparseVector &out, VectorizerScratch &scratch,
                           std::vector<uint32_t> *row_counts, float *row_scale) const;
    // throws Error(CorruptModel) on a duplicate hash; polls `cancelled` as from_parts()
    void build_index(const std::function<bool()> &cancelled = {});
    int64_t lookup(uint64_t hash) const; // feature index or -1

    FeatureOptions options_;
    std::vector<std::string> terms_;
    std::vector<FeatureKind> kinds_;
    std::vector<float> idf_;
    FitStats fit_stats_;
    // Open addressing, power-of-two capacity, load <= 0.5. The hash and the
    // feature index share a slot: a probe that hits reads one cache line,
    // not one in each of two arrays (in the database, between statements,
    // both missed L1 on most probes).
    struct Slot {
        uint64_t hash;  // 0 = empty
        uint32_t index; // UINT32_MAX = empty
        uint32_t unused;
    };
    std::vector<Slot> slots_;
    std::shared_ptr<const SubwordVectors> subword_; // shared: copies of a model share one table
    float subword_weight_ = 0;
    // Appends the subword block of `text` to `out` (a TF-IDF row).
    void append_subword(std::string_view text, SparseVector &out) const;
};

} // namespace intent
