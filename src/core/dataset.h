// Cleaning and splitting labelled messages before training.
#pragma once

#include "text.h"

#include <cstdint>
#include <string>
#include <vector>

namespace intent {

struct TrainCallbacks; // linear.h

struct LabeledText {
    std::string text;
    std::string label;
    float weight = 1.0f;    // corrected rows usually carry pg_intent.corrected_weight
    bool corrected = false; // a human confirmed or corrected the label
};

struct SplitOptions {
    double val_fraction = 0.15;
    double test_fraction = 0.15; // train gets the rest
    uint64_t seed = 42;

    void validate() const; // throws Error(InvalidArgument)
};

struct PreparedDataset {
    std::vector<std::string> labels; // sorted, unique; y indexes this
    // One entry per distinct normalised text, in first-seen order:
    std::vector<std::string> texts; // the first raw text seen for that key
    std::vector<int> y;
    std::vector<float> weight; // max weight among rows that voted for the kept label
    std::vector<bool> corrected;
    std::vector<size_t> source_row; // input row the text was taken from
    // Disjoint indices into the vectors above, each sorted ascending.
    std::vector<size_t> train, val, test;

    size_t input_rows = 0;
    size_t duplicates_removed = 0;          // input rows merged into an earlier text
    size_t conflicts_resolved = 0;          // distinct texts that had more than one label
    size_t empty_removed = 0;               // rows whose text normalised to nothing
    std::vector<std::string> small_classes; // too few rows to appear in val and test
};

// De-duplicates by normalised text (majority label; on a tie the label
// backed by a corrected row; then the smallest label, for determinism), then
// splits stratified by class with a seeded, platform-independent shuffle.
// Every class keeps at least one training row; a class with fewer than 3 rows
// goes wholly to train and is listed in small_classes.
// Throws Error(InvalidText) for invalid UTF-8, Error(InvalidArgument) for bad options.
// `callbacks`, when given, is polled for cancellation every few hundred rows.
PreparedDataset prepare_dataset(const std::vector<LabeledText> &rows, const TextOptions &text_options,
                                const SplitOptions &split, const TrainCallbacks *callbacks = nullptr);

// splitmix64-based generator: the same sequence on every platform and compiler
// (std::shuffle and std::uniform_int_distribution are not portable).
class Rng {
  public:
    explicit Rng(uint64_t seed) : state_(seed) {}
    uint64_t next();
    uint64_t below(uint64_t bound); // uniform in [0, bound), bound > 0
    template <class T> void shuffle(std::vector<T> &v) {
        for (size_t i = v.size(); i > 1; --i)
            std::swap(v[i - 1], v[below(i)]);
    }

  private:
    uint64_t state_;
};

} // namespace intent
