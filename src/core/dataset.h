// Cleaning labelled messages before training: de-duplication, conflict
// resolution and the reserved out-of-scope label.
#pragma once

#include "text.h"

#include <cstdint>
#include <string>
#include <vector>

namespace intent {

struct TrainCallbacks; // linear.h

// The smallest sample weight training uses: a row's weight (a source's
// weight_column) or typo_weight below it counts as it. A weight must stay a
// positive float through the products the folds take (a typo variant weighs
// its row's weight times typo_weight): 1e-50 read from a float8 column is 0
// as a float, and one such row failed the whole run ("invalid sample
// weight"). 1e-6 squared is far above the smallest normal float.
constexpr float kMinSampleWeight = 1e-6f;

struct LabeledText {
    std::string text;
    std::string label;
    float weight = 1.0f;    // corrected rows usually carry pg_intent.corrected_weight
    bool corrected = false; // a human confirmed or corrected the label
    // Not in the active model's training set, or relabelled since it was
    // trained: the only rows the deploy gate may score the active model on.
    bool fresh = false;
    // The row's partition (any id; kSeveralGroups not allowed): read only
    // with min_feature_partitions 2, the fallback model of a partitioned
    // classifier, whose vocabulary keeps the n-grams of two partitions.
    uint32_t group = 0;
};

// What `rows` hold in memory: the vector's capacity and each text's and
// label's characters beyond the short-string buffer. What a run charges for
// the rows a caller gives up (train_model_taking_rows()) while it holds
// them: 0.3.2 before this charged the vector's size alone, and the texts,
// the largest part, were charged to nothing from the glue's handing them
// over until the core freed them (train_intent_model() on 150,000 rows of
// 220 bytes under a 100 MB limit grew by 132 MB; test/scripts/partition_memory.sh).
size_t labeled_rows_bytes(const std::vector<LabeledText> &rows);

// The order in which a run's rows are given to the core, on which the model
// depends: prepare_dataset() keeps the texts in the order they first come,
// the folds are drawn over them in that order and the solvers visit them in
// it, so the same rows in another order train other model bytes. Text, then
// label, in byte order (unsigned, as COLLATE "C"), then rows with a
// correction first; rows equal in all three merge into one entry whatever
// their order. The server gives its rows in this order (train_reader.cpp,
// the row's id last) and the CLI sorts its CSV rows into it, so that the
// same labelled rows train the same model bytes through both. Negative when
// `a` comes first, 0 when neither does. `Row` has text, label (std::string)
// and corrected (bool).
template <class Row> int compare_training_order(const Row &a, const Row &b) {
    if (const int t = a.text.compare(b.text)) return t;
    if (const int l = a.label.compare(b.label)) return l;
    if (a.corrected != b.corrected) return a.corrected ? -1 : 1;
    return 0;
}

// y of an entry labelled with the reserved out-of-scope intent.
constexpr int kOutOfScope = -1;

struct PreparedDataset {
    std::vector<std::string> labels; // in-scope intents, sorted, unique; y indexes this
    std::string out_of_scope_intent; // the reserved label (never in `labels`)
    // One entry per distinct normalised text, in first-seen order:
    // The first raw text seen for that key (train_model_taking_rows() leaves
    // them out of its report when no gate ran; y's size is the count).
    std::vector<std::string> texts;
    std::vector<int> y;        // index into labels, or kOutOfScope
    std::vector<float> weight; // max weight among rows that voted for the kept label
    std::vector<bool> corrected;
    std::vector<bool> fresh; // every input row of the text is fresh
    // 4 bytes each: prepare_dataset() takes at most INT32_MAX rows.
    std::vector<uint32_t> source_row;  // input row the text was taken from
    std::vector<int32_t> entry_of_row; // per input row: its entry, or -1 (text normalised to nothing)
    std::vector<size_t> intent_rows;   // entries per intent (labels order)

    size_t input_rows = 0;
    size_t duplicates_removed = 0; // input rows merged into an earlier text
    size_t conflicts_resolved = 0; // distinct texts that had more than one label
    size_t empty_removed = 0;      // rows whose text normalised to nothing
    size_t out_of_scope_entries = 0;
};

// De-duplicates by normalised text (majority label; on a tie the label
// backed by a corrected row; then the smallest label, for determinism).
// Rows labelled `out_of_scope_intent` become kOutOfScope entries. An entry is
// fresh only when every row merged into it is fresh: a text the active
// model saw under any label is not fresh evidence against it.
// Throws Error(InvalidText) for invalid UTF-8, Error(InvalidArgument) for an
// empty label, a label with a NUL or control character, or a bad weight.
// `callbacks`, when given, is polled for cancellation every few hundred rows.
PreparedDataset prepare_dataset(const std::vector<LabeledText> &rows, const TextOptions &text_options,
                                const std::string &out_of_scope_intent,
                                const TrainCallbacks *callbacks = nullptr);

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
