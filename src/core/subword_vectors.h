// Subword skipgram vectors learned from message texts, labelled or not
// (issue 34, point 1): a word's vector is the mean of its own row and the
// rows of its hashed character n-grams, trained by skipgram with negative
// sampling; a text's vector is the L2-normalised mean of its words' unit
// vectors. Words never seen in training (a typo, a new inflection) still get
// a vector from their n-grams.
//
// Written for this project (no third-party code): the method is that of
// Bojanowski et al., "Enriching Word Vectors with Subword Information"
// (2017). Deterministic: one thread, a fixed seed, the same floats for the
// same texts and options on every platform with IEEE floats.
//
// Memory is bounded: the input table holds (words + buckets) x dim floats
// and the output table words x dim; the words kept are capped so that both
// together stay within kMaxTableFloats (the most frequent words are kept).
#pragma once

#include "memory_budget.h"
#include "text.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace intent {

struct SubwordOptions {
    uint32_t dim = 16;
    uint32_t epochs = 5;
    uint32_t buckets = 1u << 16;   // hashed character n-gram rows
    double learning_rate = 0.25;   // decays linearly to 0 over training
    uint32_t min_n = 3, max_n = 6; // character n-gram lengths, in code points, of "<word>"
    uint32_t window = 5;           // context: up to this many words either side
    uint32_t negatives = 5;        // negative samples per context word
    double sample = 1e-4;          // frequent-word subsampling threshold (0: off)
    uint64_t seed = 0;

    bool operator==(const SubwordOptions &o) const;
    bool operator!=(const SubwordOptions &o) const { return !(*this == o); }
};

class SubwordVectors {
  public:
    // The cap on the floats of both tables together (64 MiB).
    static constexpr size_t kMaxTableFloats = size_t{1} << 24;
    // Option bounds: validate() and the option parser (options.cpp) read
    // these, and the parser's messages give them as arguments.
    static constexpr uint32_t kMinDim = 1;
    static constexpr uint32_t kMaxDim = 256;
    static constexpr uint32_t kMinEpochs = 1;
    static constexpr uint32_t kMaxEpochs = 100;
    static constexpr uint32_t kMinBuckets = 1;
    static constexpr uint32_t kMaxBuckets = 1u << 22;
    static constexpr uint32_t kMinN = 1; // min_n and max_n
    static constexpr uint32_t kMaxN = 8;
    static constexpr double kMaxLearningRate = 1; // above 0 and at most this

    SubwordVectors() = default;

    // Throws Error(InvalidArgument) for options out of bounds, or when the
    // buckets alone would exceed kMaxTableFloats.
    static void validate(const SubwordOptions &options);

    // Trains on `texts` (raw; normalised with `text` and cut into words).
    // `cancelled`, when given, is polled between texts and stops training
    // with Error(Cancelled). With no word at all, the vectors are all zero.
    static SubwordVectors train(const std::vector<std::string> &texts, const SubwordOptions &options,
                                const TextOptions &text, const std::function<bool()> &cancelled = {});
    // The same on the texts of every list in `parts` together (the training
    // rows' texts and texts without a label, read where they are, not
    // copied). The vectors do not depend on the lists' order. `budget`, when
    // given, is charged for what training holds while it runs (the word
    // counts, the vocabulary and its index, the texts as word ids, each
    // word's rows, both tables) and given it all back on return or on an
    // exception; Error(ResourceLimit) before a structure that would not fit.
    // The caller charges the vectors it keeps.
    static SubwordVectors train(const std::vector<const std::vector<std::string> *> &parts,
                                const SubwordOptions &options, const TextOptions &text,
                                const std::function<bool()> &cancelled, MemoryBudget *budget);

    // Rebuilds trained vectors from their parts (the model loader): `words`
    // in row order, `input` of (words + buckets) x dim floats. Throws
    // Error(CorruptModel) when the parts do not fit together.
    static SubwordVectors from_parts(const SubwordOptions &options, const TextOptions &text,
                                     std::vector<std::string> words, std::vector<float> input);

    bool trained() const { return options_.dim != 0 && !input_.empty(); }
    uint32_t dim() const { return options_.dim; }
    const SubwordOptions &options() const { return options_; }
    const TextOptions &text_options() const { return text_; }
    const std::vector<std::string> &words() const { return words_; }
    const std::vector<float> &input_table() const { return input_; }
    size_t table_floats() const { return input_.size(); }

    // The vector of one (normalised) word: dim floats into `out`.
    void word_vector(std::string_view word, float *out) const;
    // A raw text's vector: the L2-normalised mean of its words' unit
    // vectors, dim floats into `out`; all zero when the text has no word
    // with a non-zero vector (an empty text).
    void text_vector(std::string_view text, float *out) const;

  private:
    // The input rows a word averages: its own row (when a known word) and
    // its n-grams' rows (words_.size() + hash % buckets).
    void rows_of(std::string_view word, int32_t id, std::vector<uint32_t> &rows) const;
    void index_words();

    SubwordOptions options_{};
    TextOptions text_{};
    std::vector<std::string> words_;
    std::unordered_map<std::string, int32_t> ids_;
    std::vector<float> input_; // (words + buckets) x dim
};

} // namespace intent
