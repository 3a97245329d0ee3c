// The trained intent model: vectoriser + one-vs-rest weights + per-class
// Platt calibration + abstain threshold, its binary format, and the training
// pipeline that produces it with a full evaluation report.
#pragma once

#include "calibration.h"
#include "dataset.h"
#include "linear.h"
#include "metrics.h"
#include "vectorizer.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

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

// Everything train_model learned and measured.
struct TrainReport {
    PreparedDataset data;
    EvalReport validation; // on the val split, before the threshold
    EvalReport test;       // on the test split
    CalibrationReport test_calibration;
    ThresholdChoice threshold;
    double test_accepted_accuracy = 0; // accuracy of test rows at or above the threshold
    double test_coverage = 0;          // fraction of test rows at or above the threshold
    double seconds_features = 0, seconds_train = 0, seconds_calibrate = 0, seconds_evaluate = 0;

    // The report as one JSON object (the SQL layer casts it to jsonb):
    // sizes, labels, small_classes, metrics {accuracy, macro_precision,
    // macro_recall, macro_f1, per_intent {label: {precision, recall, f1,
    // support}}, confusion {labels, matrix}, misclassified [{text, expected,
    // predicted, confidence}], calibration {ece, brier}}, threshold, timings.
    std::string to_json(const IntentModel &model) const;
};

struct TrainedModel {
    IntentModel model;
    TrainReport report;
};

// The whole pipeline: prepare (dedup + split) -> fit TF-IDF on train ->
// train one-vs-rest -> fit Platt per class on val scores -> choose the
// threshold on val -> evaluate on test. With an empty val split, calibration
// falls back to the train scores and the threshold to 0.
// Throws Error(InsufficientData) with fewer than 2 labels or no training rows.
TrainedModel train_model(const std::vector<LabeledText> &rows, const ModelOptions &options,
                         const TrainCallbacks &callbacks);

// Scores `model` on labelled texts (truth labels unknown to the model count
// as wrong). Used to score the active model as the baseline on a new test split.
EvalReport evaluate_model(const IntentModel &model, const std::vector<std::string> &texts,
                          const std::vector<std::string> &truth, CalibrationReport *calibration = nullptr);

// JSON of an EvalReport with label names (the "metrics" object above).
std::string eval_report_json(const EvalReport &report, const std::vector<std::string> &labels,
                             const std::vector<std::string> &texts, const CalibrationReport *calibration);

// CRC-32C (Castagnoli) of `size` bytes, continuing from `crc` (0 to start);
// the model checksum. Exposed for the fuzz target and tests.
uint32_t crc32c(const uint8_t *data, size_t size, uint32_t crc = 0);
// The portable table-driven implementation (crc32c uses the CPU instruction when it can).
uint32_t crc32c_software(const uint8_t *data, size_t size, uint32_t crc = 0);

} // namespace intent
