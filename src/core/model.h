// The trained intent model: vectoriser + one-vs-rest weights + per-class
// Platt calibration + abstain threshold. Prediction is in model.cpp, the
// binary format in model_format.cpp.
#pragma once

#include "calibration.h"
#include "explain.h"
#include "linear.h"
#include "options.h"
#include "sparse.h"
#include "vectorizer.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace intent {

// Reusable per-caller buffers so predict() does not allocate once warm.
struct PredictScratch {
    VectorizerScratch vec;
    SparseVector row;
    std::vector<float> scores;
    std::vector<float> probs;
    std::vector<uint32_t> order;
};

struct Prediction {
    int label = -1;                         // index into labels(); -1 never happens for a non-empty model
    float confidence = 0;                   // calibrated top probability
    bool uncertain = false;                 // confidence < threshold
    std::vector<std::pair<int, float>> top; // top-k (label, probability), descending
};

class IntentModel {
  public:
    // Magic "PGINTENT" + little-endian uint32 version; see model.cpp for layout.
    static constexpr uint32_t kFormatVersion = 1;

    const std::vector<std::string> &labels() const { return labels_; }
    Algorithm algorithm() const { return algorithm_; }
    float threshold() const { return threshold_; }
    const ModelOptions &options() const { return options_; }
    const Vectorizer &vectorizer() const { return vectorizer_; }
    size_t num_features() const { return vectorizer_.num_features(); }

    // Throws Error(InvalidText) on invalid UTF-8. Text that yields no known
    // feature is scored from the bias alone (and is usually uncertain).
    Prediction predict(std::string_view text, size_t top_k, PredictScratch &scratch) const;
    // Label index, or -1 when uncertain. Fast path: no top-k sort.
    int classify(std::string_view text, PredictScratch &scratch) const;
    // Calibrated probabilities for every label (num_labels values) into scratch.probs.
    void probabilities(std::string_view text, PredictScratch &scratch) const;
    // The n-grams of `text` with their contribution to label `label`'s
    // decision score (-1: the label predict() returns); see explain.h.
    // Throws Error(InvalidArgument) for a label out of range.
    Explanation explain(std::string_view text, int label, size_t top_n, PredictScratch &scratch) const;

    std::string serialize() const; // deterministic bytes
    // Validates every length, offset, enum and the CRC-32C before use.
    // Throws Error(CorruptModel) and never reads out of bounds.
    static IntentModel deserialize(const uint8_t *data, size_t size);

    // Assembles a model (used by train() and tests).
    static IntentModel assemble(ModelOptions options, Vectorizer vectorizer, std::vector<std::string> labels,
                                const LinearWeights &weights, std::vector<PlattParams> platt,
                                float threshold);

  private:
    void scores(std::string_view text, PredictScratch &scratch) const;

    ModelOptions options_;
    Algorithm algorithm_ = Algorithm::LinearSVM;
    Vectorizer vectorizer_;
    std::vector<std::string> labels_;
    // Weights quantised to int16 with one scale per class, feature-major
    // (weight(f, c) = q[f * k + c] * scale[c]): half the memory of float and
    // a CLINC150 model under 10 MB. Evaluation runs on these same values.
    std::vector<int16_t> qweights_;
    std::vector<float> scale_;
    std::vector<float> bias_;
    std::vector<PlattParams> platt_;
    float threshold_ = 0;
};

} // namespace intent
