// The trained intent model: vectoriser + one-vs-rest weights + calibration +
// abstain thresholds. Prediction is in model.cpp, the binary format in
// model_format.cpp.
//
// Three generations live side by side:
//   format 3 (0.3.2): format 2 plus the evidence floor (novelty.h): an
//     answer whose label gets too little evidence from the message's own
//     features (none at all, for the empty message) is uncertain.
//   format 2 (0.2.0): the served label is the raw argmax of the decision
//     scores; one shared temperature turns scores into probabilities (it
//     cannot reorder intents); a threshold per intent; optionally an internal
//     out-of-scope class whose win makes the prediction uncertain and which is
//     never returned as an intent.
//   format 1 (0.1.0): per-intent Platt sigmoids normalised to sum to 1, the
//     label is the argmax of those probabilities, one threshold. Loaded
//     format 1 blobs keep exactly this code path, so they predict
//     bit-for-bit what 0.1.0 predicted, and re-serialise to the same bytes.
#pragma once

#include "calibration.h"
#include "explain.h"
#include "linear.h"
#include "novelty.h"
#include "options.h"
#include "sparse.h"
#include "vectorizer.h"

#include <cstdint>
#include <functional>
#include <limits>
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
    int label = -1;                         // index into labels(), never the out-of-scope class
    float confidence = 0;                   // calibrated probability of `label`
    bool uncertain = false;                 // below the label's threshold, out of scope, or no evidence
    std::vector<std::pair<int, float>> top; // top-k (label, probability), descending
};

class IntentModel {
  public:
    // Magic "PGINTENT" + little-endian uint32 version; see model_format.cpp.
    // New models are written as kFormatVersion, or kSubwordFormatVersion
    // (format 3 plus the subword vectors) when trained with the
    // subword_vectors option; kTemperatureFormatVersion and
    // kLegacyFormatVersion blobs load, predict as they did and write back
    // as themselves. kLabelWordsFormatVersion is format 3 or 4 plus each
    // label's words, written only for a model whose label-word rule can
    // withhold an answer (novelty.h). kNewestFormatVersion is the newest
    // this build reads.
    static constexpr uint32_t kLabelWordsFormatVersion = 5;
    static constexpr uint32_t kSubwordFormatVersion = 4;
    static constexpr uint32_t kNewestFormatVersion = kLabelWordsFormatVersion;
    static constexpr uint32_t kFormatVersion = 3;
    static constexpr uint32_t kTemperatureFormatVersion = 2;
    static constexpr uint32_t kLegacyFormatVersion = 1;

    // In-scope intents only: the out-of-scope label is never one of them.
    const std::vector<std::string> &labels() const { return labels_; }
    Algorithm algorithm() const { return algorithm_; }
    // The global abstain threshold (format 1: the only one).
    float threshold() const { return threshold_; }
    // Per intent (format 2): the global one, or for an intent whose
    // training evidence was too thin for its own, threshold_floor (0 in
    // models trained before 0.3.2). Format 1: all equal.
    const std::vector<float> &thresholds() const { return thresholds_; }
    // Format 3: whether answers need evidence (novelty.h), and the floor
    // their evidence must exceed. Formats 1 and 2: no such rule. A message
    // the vocabulary does not recognise has none (recognises()).
    bool checks_evidence() const { return format_version_ >= kFormatVersion; }
    float evidence_floor() const { return evidence_floor_; }
    // Format 3: the share of unknown words above which an answer is
    // uncertain (novelty.h); 1 (never) for formats 1 and 2, and for format 3
    // models that learned none or were built before the rule.
    float unknown_word_limit() const { return unknown_word_limit_; }
    // Format 3: the support the served label needs (novelty.h); -infinity
    // (never holds) for formats 1 and 2 and for models built before the rule.
    float support_floor() const { return support_floor_; }
    // Format 5: each label's words and the label-word limit (novelty.h);
    // limit 1 and no words (never holds) for every other format.
    const LabelWords &label_words() const { return label_words_; }
    // Formats 1 and 2 have no such rule: every message is recognised.
    bool recognises(const SparseVector &row) const {
        return !checks_evidence() || recognition_.recognises(row);
    }
    const ModelOptions &options() const { return options_; }
    const Vectorizer &vectorizer() const { return vectorizer_; }
    size_t num_features() const { return vectorizer_.num_features(); }
    // The format this model was loaded from, or will be written as.
    uint32_t format_version() const { return format_version_; }
    const ScoreCalibrator &calibrator() const { return calibrator_; }
    // Whether the weights carry an internal out-of-scope class (format 2).
    bool has_out_of_scope_class() const { return has_oos_class_; }
    // The reserved out-of-scope label the model was trained with (format 2; "" for format 1).
    const std::string &out_of_scope_intent() const { return oos_label_; }

    // Throws Error(InvalidText) on invalid UTF-8. Text that yields no known
    // feature is scored from the bias alone (and is usually uncertain).
    // Only the probabilities it returns are computed (format 2): scratch.probs
    // is not filled; predict_with_probabilities() fills it.
    Prediction predict(std::string_view text, size_t top_k, PredictScratch &scratch) const;
    // The same into `out`, whose top list keeps its capacity between calls.
    void predict_into(std::string_view text, size_t top_k, PredictScratch &scratch, Prediction &out) const;
    // predict() without top-k that also leaves every intent's probability in
    // scratch.probs (and the raw scores in scratch.scores), for evaluations.
    Prediction predict_with_probabilities(std::string_view text, PredictScratch &scratch) const;
    // Label index, or -1 when uncertain. Fast path: no top-k sort.
    int classify(std::string_view text, PredictScratch &scratch) const;
    // Calibrated probabilities for every intent (labels().size() values) into
    // scratch.probs; raw decision scores stay in scratch.scores.
    void probabilities(std::string_view text, PredictScratch &scratch) const;
    // Raw decision scores into scratch.scores: one per intent, then the
    // out-of-scope class when the model has one (padded beyond).
    void decision_scores(std::string_view text, PredictScratch &scratch) const;
    // The served label for decision scores (format 2: the raw argmax over the
    // intents; format 1: the argmax of the Platt probabilities in `probs`).
    int served_label(const float *scores, const float *probs) const;
    // The n-grams of `text` with their contribution to label `label`'s
    // decision score (-1: the label predict() returns); see explain.h.
    // Throws Error(InvalidArgument) for a label out of range.
    Explanation explain(std::string_view text, int label, size_t top_n, PredictScratch &scratch) const;

    std::string serialize() const; // deterministic bytes, in format_version()
    // Validates every length, offset, enum and the CRC-32C before use.
    // Throws Error(CorruptModel) and never reads out of bounds: every count
    // a section declares is checked against the bytes it holds before
    // anything is reserved for it.
    // `cancelled`, when set, is polled every few megabytes of checksum and
    // every 64k vocabulary entries and weight rows (a blob may be close to
    // 1 GB); returning true throws Error(Cancelled).
    // `memory_limit` (bytes, 0: none): a model that would hold more once
    // loaded (memory_estimate() of the counts its sections declare) throws
    // Error(ModelTooLarge) before anything is allocated for it. Loading
    // holds about ten times the stored bytes of a model with few classes
    // (a std::string and hash slots per term, the weights padded to
    // kLanes classes), so without a limit a caller's blob decides how much
    // memory the load takes.
    static IntentModel deserialize(const uint8_t *data, size_t size,
                                   const std::function<bool()> &cancelled = {}, size_t memory_limit = 0);

    // The counts that decide a loaded model's memory.
    struct Shape {
        size_t labels = 0;      // intents
        size_t label_bytes = 0; // their bytes, all together
        size_t features = 0;    // vocabulary terms
        size_t term_bytes = 0;  // their bytes, all together
        size_t classes = 0;     // weight columns (labels, plus the out-of-scope class)
        // Format 4's subword vectors (section 14): their words and the
        // floats of their table ((words + buckets) x dim).
        size_t subword_words = 0;
        size_t subword_word_bytes = 0;
        size_t subword_floats = 0;
        // Format 5's label words (section 15): label-word pairs.
        size_t label_word_pairs = 0;
    };
    // Bytes a loaded model of this shape holds in its buffers: the labels
    // and terms (a std::string each, and its heap copy when longer than the
    // string's inline buffer), feature kinds, idf, the vocabulary's hash
    // slots and recognition bits, the weights (padded to kLanes classes),
    // scales, biases and thresholds, and format 4's subword vectors (their
    // table, words and the words' index). An upper bound when only the total
    // of the string bytes is known; small objects and allocator slack aside.
    static size_t memory_estimate(const Shape &shape);
    // memory_estimate() of this model, from its actual strings.
    size_t memory_bytes() const;
    // memory_estimate() of the shape the blob declares, as deserialize()
    // compares it with its limit; 0 when its sections cannot be read (the
    // loader reports it corrupt). Does not check the CRC-32C.
    static size_t declared_memory(const uint8_t *data, size_t size);

    // A format 3 model. `weights` has labels.size() classes, plus one last
    // class when `out_of_scope_class` (the internal out-of-scope class).
    // `thresholds` has one value per label; `evidence_floor` is finite and
    // >= 0; `unknown_word_limit` is in [0, 1]; `support_floor` is at most 0
    // (-infinity: no support rule); `label_words`, when active() (a limit
    // below 1, one ascending list of word unigram features per label), makes
    // it a format 5 model.
    static IntentModel assemble(ModelOptions options, Vectorizer vectorizer, std::vector<std::string> labels,
                                const LinearWeights &weights, ScoreCalibrator calibrator, float threshold,
                                std::vector<float> thresholds, bool out_of_scope_class, float evidence_floor,
                                float unknown_word_limit = 1,
                                float support_floor = -std::numeric_limits<float>::infinity(),
                                LabelWords label_words = {});
    // A format 2 model (no evidence floor), as 0.2.0 to 0.3.1 built them;
    // kept for tests of the format 2 code path.
    static IntentModel assemble_v2(ModelOptions options, Vectorizer vectorizer,
                                   std::vector<std::string> labels, const LinearWeights &weights,
                                   ScoreCalibrator calibrator, float threshold, std::vector<float> thresholds,
                                   bool out_of_scope_class);
    // A format 1 model (per-intent Platt, one threshold), as 0.1.0 built them;
    // kept for tests of the format 1 code path.
    static IntentModel assemble_v1(ModelOptions options, Vectorizer vectorizer,
                                   std::vector<std::string> labels, const LinearWeights &weights,
                                   std::vector<PlattParams> platt, float threshold);

  private:
    size_t columns() const { return labels_.size() + (has_oos_class_ ? 1 : 0); }
    // Why the answer `label` (with these raw scores and its confidence, for
    // the TF-IDF row `row` and the words of a message) is uncertain, or
    // None: the one rule predict() and explain() apply.
    UncertainReason uncertain_reason(int label, const float *scores, float confidence,
                                     const SparseVector &row, const MessageWords &words) const;
    bool is_uncertain(int label, const float *scores, float confidence, const SparseVector &row,
                      const MessageWords &words) const {
        return uncertain_reason(label, scores, confidence, row, words) != UncertainReason::None;
    }
    // The confidence an answer of `label` needs (formats 2 and 3: the
    // label's own threshold; format 1: the global one).
    float label_threshold(int label) const;
    // The share of the message's words no training row of `label` holds
    // (format 5; 0 otherwise), by the one word split (novelty.h).
    float label_unknown_word_share(size_t label, const SparseVector &row, const MessageWords &words) const;
    // Whether the blob holds format 4's subword section: format 4, and
    // format 5 trained with subword vectors.
    bool has_subword_section() const { return vectorizer_.subword() != nullptr; }

    uint32_t format_version_ = kFormatVersion;
    ModelOptions options_;
    std::string options_json_; // formats 1 and 2: the stored options JSON, re-serialised verbatim
    Algorithm algorithm_ = Algorithm::LinearSVM;
    Vectorizer vectorizer_;
    std::vector<std::string> labels_;
    // Weights quantised to int16 with one scale per class, feature-major
    // (weight(f, c) = q[f * stride + c] * scale[c]): half the memory of float and
    // a CLINC150 model under 10 MB. Evaluation runs on these same values.
    std::vector<int16_t> qweights_;
    std::vector<float> scale_;
    std::vector<float> bias_;
    // Format 1
    std::vector<PlattParams> platt_;
    // Format 2
    ScoreCalibrator calibrator_;
    bool has_oos_class_ = false;
    std::string oos_label_;
    float threshold_ = 0;
    std::vector<float> thresholds_;
    // Format 3
    float evidence_floor_ = 0;
    float unknown_word_limit_ = 1;
    float support_floor_ = -std::numeric_limits<float>::infinity();
    // Format 3: how many of the evidence section's figures (floor, unknown-
    // word limit, support floor) the model was read with, so that it is
    // written back as it was read; 3 for a model assembled now.
    int evidence_fields_ = 1;
    Recognition recognition_; // from the vocabulary, not stored (novelty.h)
    // Format 5
    LabelWords label_words_;
    std::vector<char> word_unigram_; // from the vocabulary, not stored (novelty.h's word_unigrams())
};

} // namespace intent
