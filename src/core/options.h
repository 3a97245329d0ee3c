// Training options of the core: features, learner, evaluation and the
// pipeline's own, with their one validator.
#pragma once

#include "json.h"
#include "linear.h"
#include "vectorizer.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace intent {

// How the figures of a training run are obtained (see folds.h for the rule).
enum class EvaluationMethod : uint8_t {
    Auto = 0,            // cross-validation with 5, 3 or 2 folds by the size rule (folds.h)
    CrossValidation = 1, // k stratified folds: every usable row gets an out-of-fold prediction
    Holdout = 2,         // one stratified holdout part
};
const char *evaluation_method_name(EvaluationMethod m); // "auto", "cross_validation", "holdout"

// What rows labelled with the reserved out-of-scope intent do.
enum class OutOfScopeMode : uint8_t {
    Negatives = 1, // negatives of every intent; predictions never name them
    Class = 2,     // also an internal class: when it wins, the prediction is uncertain
};
const char *out_of_scope_mode_name(OutOfScopeMode m); // "negatives", "class"

// Evaluation: the method, folds, the holdout fraction and the seed of every
// seeded step (folds, typo variants, the learner's visiting order).
struct EvaluationOptions {
    EvaluationMethod method = EvaluationMethod::Auto;
    int folds = 0; // cross-validation folds; 0 = the size rule
    // Its range, and gate_folds': 0 (by size) or kMinFolds..kMaxFolds.
    // The ranges of this file (kMin*/kMax*) are read by the option parser
    // (options.cpp) and by ModelOptions::validate(); the parser's messages
    // give them as arguments, so each range is written once.
    static constexpr int kMinFolds = 2;
    static constexpr int kMaxFolds = 20;
    double holdout_fraction = 0.2; // JSON "val_fraction": the holdout part of evaluation = "holdout"
    double test_fraction = 0;      // accepted for 0.1.0 callers and ignored: no row is withheld any more
    static constexpr double kMinFraction = 0; // val_fraction's and test_fraction's range
    static constexpr double kMaxFraction = 0.9;
    uint64_t seed = 42;
    // Its range: 0..2^kSeedBits (every such integer is exact as a double).
    static constexpr int kSeedBits = 53;
    static constexpr int64_t kMaxSeed = int64_t{1} << kSeedBits;
};

struct ModelOptions {
    FeatureOptions features;
    LearnerOptions learner;
    EvaluationOptions evaluation;
    // Choose C from C x {1/4, 1/2, 1, 2, 4} by out-of-fold accuracy (only
    // while the grid is cheap, see training.cpp). Off by default: measured
    // on 2-20 rows per intent (CLINC150 val, HWU64 test) it moved accuracy by
    // -0.65 to +0.3 points, and on few rows the fold models that judge C see
    // fewer examples per intent than the final model will.
    bool select_C = false;
    // Abstain threshold (see threshold.h): the precision of accepted answers
    // it aims for on out-of-fold predictions (in-scope rows right,
    // out-of-scope rows wrong), and the least calibrated probability of being
    // right an accepted answer may have (0.5: never serve an answer that is
    // more likely wrong than right).
    double target_precision = 0.9;
    double threshold_floor = 0.5;
    static constexpr double kMaxTargetPrecision = 1; // above 0 and at most this
    static constexpr double kMinThresholdFloor = 0;
    static constexpr double kMaxThresholdFloor = 1;
    // Coverage cap (threshold.h): when the rules above leave fewer than this
    // share of the in-scope out-of-fold answers accepted, the confidence
    // threshold is lowered (never raised) until they are, or as far as it
    // goes; the novelty rules below stand as learned. 0 (the default) turns
    // the cap off. Measured at 0.95 (bench/results/2026-11-29-vm-novelty-
    // targets.md): HWU64 coverage 0.914 -> 0.960, no probe lost, no other
    // public set worse; but on data/ecommerce_es.csv (30 rows per intent)
    // it lowered the threshold from 0.735 to 0.283, serving answers the
    // calibration calls more likely wrong than right, so it is not on by
    // default.
    double min_coverage = 0;
    static constexpr double kMinCoverage = 0;
    static constexpr double kMaxCoverage = 1;
    // Novelty (format 3, see novelty.h): a message whose evidence (how far
    // its own features move the labels' scores) is at most the evidence
    // floor is uncertain. The floor is this quantile of the evidence of the
    // right answers the confidence rule accepts out of fold (so about this
    // share of them turns uncertain), and never below 0: a message with no
    // known feature always abstains.
    double evidence_quantile = 0.01;
    // Unknown words (novelty.h): a message whose share of words the
    // vocabulary does not hold is above the limit is uncertain. The limit is
    // the (1 - this) quantile of that share over the right answers the other
    // rules accept out of fold (so about this share of them turns
    // uncertain); 0 turns the rule off.
    double unknown_word_quantile = 0.01;
    static constexpr double kMinQuantile = 0; // both quantiles' range
    static constexpr double kMaxQuantile = 0.5;
    // Evidence needed to abstain at all: out-of-fold predictions for the run,
    // and training rows for an intent (fewer: that intent never abstains).
    // Measured at 5 rows per intent (HWU64, val), a threshold chosen on
    // out-of-fold predictions for 0.9 precision gave 0.85 on new messages
    // while marking 31 % of the right answers uncertain: too little evidence.
    size_t min_threshold_rows = 100;
    size_t min_intent_rows = 10;
    static constexpr int kMinEvidenceRows = 0; // both counts' range
    static constexpr int kMaxEvidenceRows = 100000000;
    // The reserved label of out-of-scope examples, and what they do. Class
    // is the default: on CLINC150 with oos_train it caught 2-3 points more
    // out-of-scope messages than Negatives at the same in-scope accuracy
    // (val + oos_val; 100 out-of-scope rows, so 2-3 messages).
    std::string out_of_scope_intent = "out_of_scope";
    OutOfScopeMode out_of_scope_mode = OutOfScopeMode::Class;
    // Deploy-gate evidence: fewer fresh rows than this is "not sufficient";
    // fresh folds (0 = by size, see gate.h).
    size_t min_gate_rows = 50;
    int gate_folds = 0;                    // cv_folds' range (EvaluationOptions::kMinFolds, kMaxFolds)
    static constexpr int kMinGateRows = 1; // min_gate_rows' range: the parser's and validate()'s
    static constexpr int kMaxGateRows = 100000000;
    // Synthetic typo variants per training row (see typos.h). Off by default:
    // measured, they help misspelt messages (up to +3.5 points) but cost
    // clean accuracy on some data (-1.5 points at 2 examples per intent,
    // -0.4 on HWU64) and double the training time (bench/results).
    int typo_variants = 0;
    static constexpr int kMinTypoVariants = 0; // its range: the parser's and validate()'s
    static constexpr int kMaxTypoVariants = 4;
    double typo_weight = 0.5;                   // a variant's sample weight relative to its row's
    static constexpr double kMaxTypoWeight = 1; // above 0 and at most this
    size_t max_misclassified = 200;             // cap on misclassified rows listed in the report
    static constexpr int kMinMisclassified = 0; // its range
    static constexpr int kMaxMisclassified = 1000000;
    // A partition's own model that abstains lets the classifier's fallback
    // answer (issue 34, point 2; classifier_cache.h), and a partition's first
    // model is weighed against the fallback with that deferral. Off: the
    // partition's model answers alone, abstentions included. Stored with the
    // model only when off (a default model's bytes are 0.3.2's first ones).
    bool defer_to_fallback = true;
    // A label whose misses cost more than its false alarms (label_recall.h):
    // its decision score is raised until its out-of-fold recall reaches
    // recall_target, and it never abstains for low confidence. "" (the
    // default): no label has a recall rule. Stored with the model only when
    // set.
    std::string recall_label;
    double recall_target = 0.9;
    static constexpr double kMaxRecallTarget = 1; // above 0 and at most this
    // Subword skipgram vectors (subword_vectors.h, issue 34, point 1),
    // trained on the run's texts (never their labels): each row gets
    // subword_weight x the text's unit sentence vector after its TF-IDF
    // values, in cross-validation, refit, calibration and at serving. Off by
    // default. The defaults are the cheap configuration of
    // bench/results/2026-11-29-vm-subword-features.md (dim 16, 5 epochs,
    // 2^16 buckets, learning rate 0.25, n-grams 3-6). subword_weight 0 (the
    // default): the weight is chosen out of fold from kSubwordWeightGrid
    // (training.cpp), 0 included, which trains the model the option off
    // would; a weight given (above 0) is used as given. Stored with the
    // model only when on, with the weight it serves with.
    bool subword_vectors = false;
    // "auto" (the default from 0.3.2, subword_vectors false): the run turns
    // the vectors on by subword_auto.h's rule (many texts without a label,
    // thin labels), with subword_auto_settings(). true, false or an object
    // given: subword_auto false, the option as given. Never stored with a
    // model: a model stores what the run trained.
    bool subword_auto = true;
    // Whether the run's option is "auto": subword_auto.h's rule decides.
    bool subword_auto_mode() const { return subword_auto && !subword_vectors; }
    SubwordOptions subword;
    double subword_weight = 0.0;
    // A weight given: above 0 and at most this (0, the field's default:
    // chosen out of fold).
    static constexpr double kMaxSubwordWeight = 100;
    // The texts without a label a SQL run adds to the vectors' (rows that do
    // not train: read_unlabelled_texts() in src/pg/train_reader.h, and a
    // classifier source's rows whose label is NULL), which any role that may log
    // messages writes: at most this many, the newest, and this many bytes
    // of them together. Read only when subword_vectors is on.
    static constexpr int64_t kMinUnlabelled = 0; // both counts' lower bound
    static constexpr int64_t kMaxUnlabelledRows = 1000000;
    static constexpr int64_t kMaxUnlabelledBytes = int64_t{256} << 20;
    int64_t subword_unlabelled_rows = 20000;
    int64_t subword_unlabelled_bytes = int64_t{4} << 20;

    // Applies a flat JSON object of options, e.g.
    // {"algorithm":"logistic_regression","C":0.5,"char_ngrams":false}.
    // Keys: algorithm, C, class_weight ("balanced"|"none"), tolerance,
    // max_iterations, word_ngram_min, word_ngram_max, char_ngrams,
    // char_ngram_min, char_ngram_max, max_features, max_char_features, min_df,
    // sublinear_tf, smooth_idf, lowercase, accent_folding, evaluation,
    // cv_folds, val_fraction, test_fraction, seed, select_C,
    // target_precision, threshold_floor, min_coverage, evidence_quantile, unknown_word_quantile,
    // min_threshold_rows, min_intent_rows, out_of_scope_intent, out_of_scope_mode, min_gate_rows, gate_folds,
    // typo_variants, typo_weight, max_misclassified, threads,
    // normalize_digits, min_feature_partitions, defer_to_fallback,
    // recall_label, recall_target, subword_vectors (true, false, "auto", or an
    // object of dim, epochs, buckets, learning_rate, min_n, max_n, weight,
    // unlabelled_rows, unlabelled_bytes).
    // An unknown key or a bad value throws Error(InvalidArgument) naming the key.
    void apply_json(std::string_view json_object);
    void validate() const;
    Json as_json() const;        // every option with its effective value (threads excepted)
    std::string to_json() const; // as_json(), written
};

// What train_intent_model() does with a trained model.
enum class DeployMode : uint8_t {
    Auto = 0,   // the deploy rule of the training policy
    Never = 1,  // keep it as a candidate
    Always = 2, // deploy it whatever it scored (needs the deploy privilege)
};
const char *deploy_mode_name(DeployMode m); // "auto", "never", "always"

// The options of a training run that are not the model's: which rows of
// ai_training_data it reads (the rules of get_training_dataset()) and what
// it does with the model. They are never stored in a model blob.
struct RunOptions {
    DeployMode deploy = DeployMode::Auto;
    int min_confidence = 0; // unreviewed rows whose detector confidence is lower are not read
    static constexpr int kMinConfidence = 0; // its range: a detector's confidence_score
    static constexpr int kMaxConfidence = 100;
    bool only_reviewed = false; // read reviewed rows only
    // Read at most `limit` rows: reviewed first, then the newest. Its
    // range: 1 (the parser's message says "positive") to int4's largest.
    static constexpr int64_t kMinLimit = 1;
    static constexpr int64_t kMaxLimit = 2147483647;
    int64_t limit = kMaxLimit;
};

// A training run's options as train_intent_model() takes them: one flat
// JSON object holding the run's keys (deploy, min_confidence,
// only_reviewed, limit) and the model's (every key of ModelOptions). This is
// the one parser of that object; intent_training_options() shows its result.
struct TrainingRequest {
    ModelOptions model;
    RunOptions run;

    // Applies a flat JSON object atomically; an unknown key or a bad value
    // throws Error(InvalidArgument) naming the key.
    void apply_json(std::string_view json_object);
    Json as_json() const;        // the model's options, then the run's
    std::string to_json() const; // as_json(), written

    // The options set away from `base` (the defaults, or the options a
    // classifier's owner stored, which every run of it starts from) that
    // the deploy rule cannot weigh, in key order: which rows the run reads (limit, min_confidence,
    // only_reviewed) and how its figures are obtained (evaluation, cv_folds,
    // val_fraction, gate_folds) change what the rule compares (a few rows, a
    // small holdout, retried with other seeds until one scores high), and
    // the abstain rule (target_precision, threshold_floor,
    // min_threshold_rows, min_intent_rows) is not compared at all (a
    // threshold of 1 makes every answer uncertain; recall_label exempts its
    // label from it). A run that sets one may
    // be deployed by the rule only for a caller that may deploy any model.
    // Set back to its default, an option the owner set is set too: that
    // also changes what the owner's rule lets serve.
    std::vector<std::string> unweighed_options(const TrainingRequest &base) const;
    std::vector<std::string> unweighed_options() const { return unweighed_options(TrainingRequest()); }
};

} // namespace intent
