// Training options: parsing a JSON object, validating every value (the one
// place options are checked), and writing the effective values back.
#include "options.h"

#include "errors.h"
#include "json.h"
#include "option_values.h"

namespace intent {

namespace {

using namespace option_values;

// Folds (cv_folds, gate_folds): 0 (by size) or an integer within
// EvaluationOptions::kMinFolds..kMaxFolds.
bool folds_within(int64_t n) {
    return n == 0 || (n >= EvaluationOptions::kMinFolds && n <= EvaluationOptions::kMaxFolds);
}
[[noreturn]] void folds_out_of_range(const std::string &key) {
    bad_option(key, Message{N_("%s must be 0 (automatic) or an integer between %s and %s."),
                            {key, std::to_string(EvaluationOptions::kMinFolds),
                             std::to_string(EvaluationOptions::kMaxFolds)}});
}
int option_folds(const std::string &key, const Json &v) {
    int64_t n = 0;
    if (!integer_in_range(v, 0, EvaluationOptions::kMaxFolds, n) || !folds_within(n)) folds_out_of_range(key);
    return static_cast<int>(n);
}

// The seed: 0..2^kSeedBits.
[[noreturn]] void seed_out_of_range() {
    bad_option("seed", Message{N_("seed must be a non-negative integer of at most 2^%s."),
                               {std::to_string(EvaluationOptions::kSeedBits)}});
}

const char *const kOptionKeys[] = {
    "algorithm",
    "C",
    "class_weight",
    "tolerance",
    "max_iterations",
    "word_ngram_min",
    "word_ngram_max",
    "char_ngrams",
    "char_ngram_min",
    "char_ngram_max",
    "max_features",
    "max_char_features",
    "min_df",
    "sublinear_tf",
    "smooth_idf",
    "lowercase",
    "accent_folding",
    "evaluation",
    "cv_folds",
    "val_fraction",
    "test_fraction",
    "seed",
    "select_C",
    "target_precision",
    "threshold_floor",
    "min_coverage",
    "evidence_quantile",
    "unknown_word_quantile",
    "min_threshold_rows",
    "min_intent_rows",
    "out_of_scope_intent",
    "out_of_scope_mode",
    "min_gate_rows",
    "gate_folds",
    "typo_variants",
    "max_misclassified",
    "threads",
    "typo_weight",
    "normalize_digits",
    "min_feature_partitions",
    "defer_to_fallback",
    "recall_label",
    "recall_target",
    "subword_vectors",
    // train_intent_model()'s own (RunOptions)
    "deploy",
    "min_confidence",
    "only_reviewed",
    "limit",
};

std::string option_key_list() {
    std::string s;
    for (const char *k : kOptionKeys) {
        if (!s.empty()) s += ", ";
        s += k;
    }
    return s;
}

// Whether `s` can be an intent label: non-empty, no NUL (PostgreSQL text
// cannot hold one), no control characters, and at most kMaxLabelUtf8Bytes.
// The label rule is is_valid_intent_name() (src/sql/schema/00_intent_name.sql),
// which the policy row and a classifier's options are checked by; this
// check must accept every label that rule accepts, so that a stored value
// cannot fail every run. That rule allows 256 bytes in the database
// encoding, which is at most 3 UTF-8 bytes per server byte.
constexpr size_t kMaxLabelUtf8Bytes = 3 * 256;

bool plausible_label(const std::string &s) {
    if (s.empty() || s.size() > kMaxLabelUtf8Bytes) return false;
    for (unsigned char c : s)
        if (c < 0x20 || c == 0x7F) return false;
    return true;
}

// "subword_vectors": true, false, "auto" (the default: subword_auto.h), or an
// object of its settings (each optional; the others keep their defaults).
void apply_subword_option(ModelOptions &o, const std::string &key, const Json &v) {
    const char *shape = N_("subword_vectors must be true, false, \"auto\" or an object with the keys dim, "
                           "epochs, buckets, learning_rate, min_n, max_n, weight, unlabelled_rows and "
                           "unlabelled_bytes.");
    if (v.is_string() && v.get<std::string>() == "auto") {
        o.subword_vectors = false;
        o.subword_auto = true;
        return;
    }
    o.subword_auto = false;
    if (v.is_boolean()) {
        o.subword_vectors = v.get<bool>();
        return;
    }
    if (!v.is_object()) bad_option(key, shape);
    o.subword_vectors = true;
    for (auto it = v.begin(); it != v.end(); ++it) {
        const std::string &k = it.key();
        const Json &x = it.value();
        // The ranges are SubwordVectors' constants (subword_vectors.h, its
        // validate()'s) and ModelOptions' (validate()'s); the detail names
        // the key as subword_vectors.KEY.
        using SV = SubwordVectors;
        const std::string name = "subword_vectors." + k;
        if (k == "dim") {
            o.subword.dim = static_cast<uint32_t>(ranged_integer(key, name, x, SV::kMinDim, SV::kMaxDim));
        } else if (k == "epochs") {
            o.subword.epochs =
                static_cast<uint32_t>(ranged_integer(key, name, x, SV::kMinEpochs, SV::kMaxEpochs));
        } else if (k == "buckets") {
            o.subword.buckets =
                static_cast<uint32_t>(ranged_integer(key, name, x, SV::kMinBuckets, SV::kMaxBuckets));
        } else if (k == "learning_rate") {
            o.subword.learning_rate = option_positive_at_most(key, name, x, SV::kMaxLearningRate);
        } else if (k == "min_n") {
            o.subword.min_n = static_cast<uint32_t>(ranged_integer(key, name, x, SV::kMinN, SV::kMaxN));
        } else if (k == "max_n") {
            o.subword.max_n = static_cast<uint32_t>(ranged_integer(key, name, x, SV::kMinN, SV::kMaxN));
        } else if (k == "weight") {
            o.subword_weight = option_positive_at_most(key, name, x, ModelOptions::kMaxSubwordWeight);
        } else if (k == "unlabelled_rows") {
            o.subword_unlabelled_rows =
                ranged_integer(key, name, x, ModelOptions::kMinUnlabelled, ModelOptions::kMaxUnlabelledRows);
        } else if (k == "unlabelled_bytes") {
            o.subword_unlabelled_bytes =
                ranged_integer(key, name, x, ModelOptions::kMinUnlabelled, ModelOptions::kMaxUnlabelledBytes);
        } else {
            bad_option(key, shape);
        }
    }
}

// Applies `key` to `o` when it is an option of the learner (or the thread
// count): false for any other key; throws for a bad value.
bool apply_learner_option(ModelOptions &o, const std::string &key, const Json &v) {
    if (key == "algorithm") {
        if (!v.is_string() || (v.get<std::string>() != algorithm_name(Algorithm::LinearSVM) &&
                               v.get<std::string>() != algorithm_name(Algorithm::LogisticRegression)))
            bad_option(key, N_("algorithm must be \"linear_svm\" or \"logistic_regression\"."));
        o.learner.algorithm = parse_algorithm(v.get<std::string>());
    } else if (key == "C") {
        // The learner's own ranges (linear.h, LearnerOptions::validate()),
        // checked here so that the error is the option's, in the reader's
        // language.
        o.learner.C = option_positive_at_most(key, v, LearnerOptions::kMaxC);
    } else if (key == "class_weight") {
        if (!v.is_string() || (v.get<std::string>() != "balanced" && v.get<std::string>() != "none"))
            bad_option(key, N_("class_weight must be \"balanced\" or \"none\"."));
        o.learner.balanced_class_weight = v.get<std::string>() == "balanced";
    } else if (key == "tolerance") {
        o.learner.tolerance = option_positive_at_most(key, v, LearnerOptions::kMaxTolerance);
    } else if (key == "max_iterations") {
        o.learner.max_iterations =
            ranged_integer(key, v, LearnerOptions::kMinMaxIterations, LearnerOptions::kMaxMaxIterations);
    } else if (key == "threads") {
        // Execution detail, not a model property: applied but not stored by to_json().
        int64_t n = 0;
        if (!integer_in_range(v, LearnerOptions::kMinThreads, LearnerOptions::kMaxThreadsOption, n))
            bad_option(key, Message{N_("threads must be an integer between %s and %s (0 = automatic)."),
                                    {std::to_string(LearnerOptions::kMinThreads),
                                     std::to_string(LearnerOptions::kMaxThreadsOption)}});
        o.learner.threads = static_cast<int>(n);
    } else {
        return false;
    }
    return true;
}

// The same for the options of the features: n-grams, weighting,
// normalisation, typo variants.
bool apply_feature_option(ModelOptions &o, const std::string &key, const Json &v) {
    // The ranges are FeatureOptions' constants (vectorizer.h), which its
    // validate() reads too. word_ngram_max is at least word_ngram_min, and
    // char_ngram_max char_ngram_min: validate()'s check, once every key is
    // applied.
    using F = FeatureOptions;
    if (key == "word_ngram_min") {
        o.features.word_ngram_min = ranged_integer(key, v, F::kMinNgram, F::kMaxWordNgram);
    } else if (key == "word_ngram_max") {
        o.features.word_ngram_max = ranged_integer(key, v, F::kMinNgram, F::kMaxWordNgram);
    } else if (key == "char_ngrams") {
        o.features.char_ngrams = option_bool(key, v);
    } else if (key == "char_ngram_min") {
        o.features.char_ngram_min = ranged_integer(key, v, F::kMinNgram, F::kMaxCharNgram);
    } else if (key == "char_ngram_max") {
        o.features.char_ngram_max = ranged_integer(key, v, F::kMinNgram, F::kMaxCharNgram);
    } else if (key == "max_features") {
        o.features.max_features = ranged_integer(key, v, F::kMinFeatures, F::kMaxFeatures);
    } else if (key == "max_char_features") {
        o.features.max_char_features = ranged_integer(key, v, F::kMinFeatures, F::kMaxFeatures);
    } else if (key == "min_df") {
        static_assert(F::kMinDf == 1, "the message says \"positive\": a new lower bound needs its own words");
        o.features.min_df = static_cast<int>(
            option_integer(key, v, F::kMinDf, F::kMaxMinDf, N_("min_df must be a positive integer.")));
    } else if (key == "sublinear_tf") {
        o.features.sublinear_tf = option_bool(key, v);
    } else if (key == "smooth_idf") {
        o.features.smooth_idf = option_bool(key, v);
    } else if (key == "lowercase") {
        o.features.text.lowercase = option_bool(key, v);
    } else if (key == "accent_folding") {
        o.features.text.fold_accents = option_bool(key, v);
    } else if (key == "normalize_digits") {
        o.features.text.normalize_digits = option_bool(key, v);
    } else if (key == "defer_to_fallback") {
        o.defer_to_fallback = option_bool(key, v);
    } else if (key == "min_feature_partitions") {
        static_assert(F::kMaxFeaturePartitions == F::kMinFeaturePartitions + 1,
                      "the message names both values");
        int64_t n = 0;
        if (!integer_in_range(v, F::kMinFeaturePartitions, F::kMaxFeaturePartitions, n))
            bad_option(key, Message{N_("min_feature_partitions must be %s or %s."),
                                    {std::to_string(F::kMinFeaturePartitions),
                                     std::to_string(F::kMaxFeaturePartitions)}});
        o.features.min_feature_partitions = static_cast<int>(n);
    } else if (key == "typo_variants") {
        o.typo_variants =
            ranged_integer(key, v, ModelOptions::kMinTypoVariants, ModelOptions::kMaxTypoVariants);
    } else if (key == "typo_weight") {
        o.typo_weight = option_positive_at_most(key, v, ModelOptions::kMaxTypoWeight);
    } else {
        return false;
    }
    return true;
}

// The same for the options of the evaluation: method, folds, fractions,
// seed, the C grid, the deploy gate.
bool apply_evaluation_option(ModelOptions &o, const std::string &key, const Json &v) {
    if (key == "evaluation") {
        const char *detail = N_("evaluation must be \"auto\", \"cross_validation\" or \"holdout\".");
        if (!v.is_string()) bad_option(key, detail);
        const std::string s = v.get<std::string>();
        if (s == "auto")
            o.evaluation.method = EvaluationMethod::Auto;
        else if (s == "cross_validation")
            o.evaluation.method = EvaluationMethod::CrossValidation;
        else if (s == "holdout")
            o.evaluation.method = EvaluationMethod::Holdout;
        else
            bad_option(key, detail);
    } else if (key == "cv_folds") {
        o.evaluation.folds = option_folds(key, v);
    } else if (key == "val_fraction" || key == "test_fraction") {
        const double f =
            option_number_between(key, v, EvaluationOptions::kMinFraction, EvaluationOptions::kMaxFraction);
        (key == "val_fraction" ? o.evaluation.holdout_fraction : o.evaluation.test_fraction) = f;
    } else if (key == "seed") {
        int64_t n = 0;
        if (!integer_in_range(v, 0, EvaluationOptions::kMaxSeed, n)) seed_out_of_range();
        o.evaluation.seed = static_cast<uint64_t>(n);
        o.learner.seed = o.evaluation.seed;
    } else if (key == "select_C") {
        o.select_C = option_bool(key, v);
    } else if (key == "min_gate_rows") {
        o.min_gate_rows = static_cast<size_t>(
            ranged_integer(key, v, ModelOptions::kMinGateRows, ModelOptions::kMaxGateRows));
    } else if (key == "gate_folds") {
        o.gate_folds = option_folds(key, v);
    } else {
        return false;
    }
    return true;
}

// The same for the options of the thresholds, the out-of-scope label and
// the report.
bool apply_threshold_option(ModelOptions &o, const std::string &key, const Json &v) {
    // The ranges are ModelOptions' constants (options.h), which its
    // validate() reads too.
    using M = ModelOptions;
    if (key == "target_precision") {
        o.target_precision = option_positive_at_most(key, v, M::kMaxTargetPrecision);
    } else if (key == "threshold_floor") {
        o.threshold_floor = option_number_between(key, v, M::kMinThresholdFloor, M::kMaxThresholdFloor);
    } else if (key == "min_coverage") {
        o.min_coverage = option_number_between(key, v, M::kMinCoverage, M::kMaxCoverage);
    } else if (key == "evidence_quantile") {
        o.evidence_quantile = option_number_between(key, v, M::kMinQuantile, M::kMaxQuantile);
    } else if (key == "unknown_word_quantile") {
        o.unknown_word_quantile = option_number_between(key, v, M::kMinQuantile, M::kMaxQuantile);
    } else if (key == "min_threshold_rows") {
        o.min_threshold_rows =
            static_cast<size_t>(ranged_integer(key, v, M::kMinEvidenceRows, M::kMaxEvidenceRows));
    } else if (key == "min_intent_rows") {
        o.min_intent_rows =
            static_cast<size_t>(ranged_integer(key, v, M::kMinEvidenceRows, M::kMaxEvidenceRows));
    } else if (key == "out_of_scope_intent") {
        const char *detail =
            N_("out_of_scope_intent must be a non-empty label without control characters (see "
               "is_valid_intent_name()).");
        if (!v.is_string() || !plausible_label(v.get<std::string>())) bad_option(key, detail);
        o.out_of_scope_intent = v.get<std::string>();
    } else if (key == "out_of_scope_mode") {
        const char *detail = N_("out_of_scope_mode must be \"negatives\" or \"class\".");
        if (!v.is_string()) bad_option(key, detail);
        const std::string s = v.get<std::string>();
        if (s == "negatives")
            o.out_of_scope_mode = OutOfScopeMode::Negatives;
        else if (s == "class")
            o.out_of_scope_mode = OutOfScopeMode::Class;
        else
            bad_option(key, detail);
    } else if (key == "recall_label") {
        const char *detail =
            N_("recall_label must be \"\" (no label) or a label without control characters (see "
               "is_valid_intent_name()).");
        if (!v.is_string() || (!v.get<std::string>().empty() && !plausible_label(v.get<std::string>())))
            bad_option(key, detail);
        o.recall_label = v.get<std::string>();
    } else if (key == "recall_target") {
        o.recall_target = option_positive_at_most(key, v, M::kMaxRecallTarget);
    } else if (key == "subword_vectors") {
        apply_subword_option(o, key, v);
    } else if (key == "max_misclassified") {
        o.max_misclassified =
            static_cast<size_t>(ranged_integer(key, v, M::kMinMisclassified, M::kMaxMisclassified));
    } else {
        return false;
    }
    return true;
}

// Applies one key to `o`; throws for an unknown key or a bad value.
void apply_option(ModelOptions &o, const std::string &key, const Json &v) {
    if (apply_learner_option(o, key, v) || apply_feature_option(o, key, v) ||
        apply_evaluation_option(o, key, v) || apply_threshold_option(o, key, v))
        return;
    throw Error(ErrorKind::InvalidArgument, Message{N_("unknown training option \"%s\""), {key}}, {},
                "Valid options are: " + option_key_list() + ".");
}

// A flat JSON object of options, or an error that says what to pass.
Json parse_options_object(std::string_view json_object) {
    Json doc;
    try {
        doc = parse_json(json_object, "training options", {}, JsonNumbers::ExactIntegers);
    } catch (const Error &e) {
        throw Error(ErrorKind::InvalidArgument, Message{N_("invalid training options"), {}}, e.detail(),
                    N_("Pass a JSON object such as {\"C\": 0.5, \"char_ngrams\": false}."));
    }
    if (!doc.is_object())
        throw Error(ErrorKind::InvalidArgument, Message{N_("invalid training options"), {}},
                    N_("Training options must be a JSON object."),
                    N_("Pass a JSON object such as {\"C\": 0.5, \"char_ngrams\": false}."));
    return doc;
}

} // namespace

// ============================================================ ModelOptions

// Parses a flat JSON object and applies it atomically (all keys or none).
void ModelOptions::apply_json(std::string_view json_object) {
    const Json doc = parse_options_object(json_object);
    ModelOptions next = *this;
    for (const auto &kv : doc.items())
        apply_option(next, kv.key(), kv.value());
    next.validate();
    *this = std::move(next);
}

// Checks every option group, then the pipeline's own options.
void ModelOptions::validate() const {
    features.validate();
    learner.validate();
    // The ranges are the constants of options.h, which the parser reads:
    // validate() checks them again for a direct caller (training.cpp runs
    // it on the options it is given), and gives the parser's error.
    using E = EvaluationOptions;
    if (!number_within(evaluation.holdout_fraction, E::kMinFraction, E::kMaxFraction) ||
        (evaluation.holdout_fraction == 0 && evaluation.method == EvaluationMethod::Holdout))
        bad_option("val_fraction",
                   Message{N_("val_fraction must be a number between %s and %s, and above 0 for a holdout "
                              "evaluation."),
                           {number_arg(E::kMinFraction), number_arg(E::kMaxFraction)}});
    require_number_within("test_fraction", evaluation.test_fraction, E::kMinFraction, E::kMaxFraction);
    if (!(evaluation.holdout_fraction + evaluation.test_fraction < 1.0))
        throw Error(ErrorKind::InvalidArgument,
                    Message{N_("invalid value for training option \"val_fraction\""), {}},
                    N_("val_fraction + test_fraction must be below 1."));
    if (!folds_within(evaluation.folds)) folds_out_of_range("cv_folds");
    if (!integer_within(evaluation.seed, 0, E::kMaxSeed)) seed_out_of_range();
    if (!folds_within(gate_folds)) folds_out_of_range("gate_folds");
    require_positive_at_most("target_precision", target_precision, kMaxTargetPrecision);
    require_number_within("threshold_floor", threshold_floor, kMinThresholdFloor, kMaxThresholdFloor);
    require_number_within("min_coverage", min_coverage, kMinCoverage, kMaxCoverage);
    require_number_within("evidence_quantile", evidence_quantile, kMinQuantile, kMaxQuantile);
    require_number_within("unknown_word_quantile", unknown_word_quantile, kMinQuantile, kMaxQuantile);
    require_integer_within("min_threshold_rows", min_threshold_rows, kMinEvidenceRows, kMaxEvidenceRows);
    require_integer_within("min_intent_rows", min_intent_rows, kMinEvidenceRows, kMaxEvidenceRows);
    require_integer_within("max_misclassified", max_misclassified, kMinMisclassified, kMaxMisclassified);
    if (!plausible_label(out_of_scope_intent))
        throw Error(ErrorKind::InvalidArgument,
                    Message{N_("invalid value for training option \"out_of_scope_intent\""), {}},
                    N_("out_of_scope_intent must be a non-empty label without control characters (see "
                       "is_valid_intent_name())."));
    if (out_of_scope_mode != OutOfScopeMode::Negatives && out_of_scope_mode != OutOfScopeMode::Class)
        throw Error(ErrorKind::InvalidArgument,
                    Message{N_("invalid value for training option \"out_of_scope_mode\""), {}},
                    N_("out_of_scope_mode must be \"negatives\" or \"class\"."));
    if (!recall_label.empty() && !plausible_label(recall_label))
        throw Error(ErrorKind::InvalidArgument,
                    Message{N_("invalid value for training option \"recall_label\""), {}},
                    N_("recall_label must be \"\" (no label) or a label without control characters (see "
                       "is_valid_intent_name())."));
    if (recall_label == out_of_scope_intent)
        throw Error(
            ErrorKind::InvalidArgument, Message{N_("invalid value for training option \"recall_label\""), {}},
            N_("recall_label cannot be the out-of-scope label: out-of-scope answers are never served."));
    require_positive_at_most("recall_target", recall_target, kMaxRecallTarget);
    require_integer_within("min_gate_rows", min_gate_rows, kMinGateRows, kMaxGateRows);
    // subword_vectors' object: a weight given (0: chosen out of fold) and
    // the texts without a label; SubwordVectors::validate() checks the rest.
    if (subword_weight != 0)
        require_positive_at_most("subword_vectors", "subword_vectors.weight", subword_weight,
                                 kMaxSubwordWeight);
    require_integer_within("subword_vectors", "subword_vectors.unlabelled_rows", subword_unlabelled_rows,
                           kMinUnlabelled, kMaxUnlabelledRows);
    require_integer_within("subword_vectors", "subword_vectors.unlabelled_bytes", subword_unlabelled_bytes,
                           kMinUnlabelled, kMaxUnlabelledBytes);
    if (subword_vectors) {
        if (subword.min_n > subword.max_n)
            throw Error(ErrorKind::InvalidArgument,
                        Message{N_("invalid value for training option \"subword_vectors\""), {}},
                        N_("subword_vectors.min_n must not be above subword_vectors.max_n."));
        if ((size_t{subword.buckets} + 2) * subword.dim > SubwordVectors::kMaxTableFloats)
            bad_option("subword_vectors",
                       Message{N_("(subword_vectors.buckets + 2) times subword_vectors.dim must be at most %s "
                                  "(the table holds at most %s MiB)."),
                               {std::to_string(SubwordVectors::kMaxTableFloats),
                                std::to_string(SubwordVectors::kMaxTableFloats * sizeof(float) >> 20)}});
        SubwordVectors::validate(subword); // the rest is checked when parsed
    }
    require_positive_at_most("typo_weight", typo_weight, kMaxTypoWeight);
    require_integer_within("typo_variants", typo_variants, kMinTypoVariants, kMaxTypoVariants);
}

std::string ModelOptions::to_json() const {
    return dump_json(as_json());
}

// Every option with its effective value, in a fixed key order.
Json ModelOptions::as_json() const {
    Json w = Json::object();
    w["algorithm"] = algorithm_name(learner.algorithm);
    w["C"] = learner.C;
    w["class_weight"] = learner.balanced_class_weight ? "balanced" : "none";
    w["tolerance"] = learner.tolerance;
    w["max_iterations"] = learner.max_iterations;
    w["word_ngram_min"] = features.word_ngram_min;
    w["word_ngram_max"] = features.word_ngram_max;
    w["char_ngrams"] = features.char_ngrams;
    w["char_ngram_min"] = features.char_ngram_min;
    w["char_ngram_max"] = features.char_ngram_max;
    w["max_features"] = features.max_features;
    w["max_char_features"] = features.max_char_features;
    w["min_df"] = features.min_df;
    w["sublinear_tf"] = features.sublinear_tf;
    w["smooth_idf"] = features.smooth_idf;
    w["lowercase"] = features.text.lowercase;
    w["accent_folding"] = features.text.fold_accents;
    w["evaluation"] = evaluation_method_name(evaluation.method);
    w["cv_folds"] = evaluation.folds;
    w["val_fraction"] = evaluation.holdout_fraction;
    w["test_fraction"] = evaluation.test_fraction;
    w["seed"] = evaluation.seed;
    w["select_C"] = select_C;
    w["target_precision"] = target_precision;
    w["threshold_floor"] = threshold_floor;
    w["min_coverage"] = min_coverage;
    w["evidence_quantile"] = evidence_quantile;
    w["unknown_word_quantile"] = unknown_word_quantile;
    w["min_threshold_rows"] = min_threshold_rows;
    w["min_intent_rows"] = min_intent_rows;
    w["out_of_scope_intent"] = out_of_scope_intent;
    w["out_of_scope_mode"] = out_of_scope_mode_name(out_of_scope_mode);
    w["min_gate_rows"] = min_gate_rows;
    w["gate_folds"] = gate_folds;
    w["typo_variants"] = typo_variants;
    w["typo_weight"] = typo_weight;
    w["max_misclassified"] = max_misclassified;
    // The privacy options of a partitioned classifier (issue 31, item 9) are
    // written only when on: a model trained without them stores the options
    // (and so the bytes) 0.3.1 stored, and one stored without them reads
    // back with both off, predicting as it did.
    if (features.text.normalize_digits) w["normalize_digits"] = true;
    if (features.min_feature_partitions != 1) w["min_feature_partitions"] = features.min_feature_partitions;
    if (!defer_to_fallback) w["defer_to_fallback"] = false;
    if (!recall_label.empty()) {
        w["recall_label"] = recall_label;
        w["recall_target"] = recall_target;
    }
    if (subword_vectors) {
        Json sv = Json::object();
        sv["dim"] = subword.dim;
        sv["epochs"] = subword.epochs;
        sv["buckets"] = subword.buckets;
        sv["learning_rate"] = subword.learning_rate;
        sv["min_n"] = subword.min_n;
        sv["max_n"] = subword.max_n;
        if (subword_weight > 0) sv["weight"] = subword_weight; // absent: chosen out of fold
        sv["unlabelled_rows"] = subword_unlabelled_rows;
        sv["unlabelled_bytes"] = subword_unlabelled_bytes;
        w["subword_vectors"] = sv;
    }
    return w;
}

// ========================================================= TrainingRequest

const char *deploy_mode_name(DeployMode m) {
    switch (m) {
    case DeployMode::Auto:
        return "auto";
    case DeployMode::Never:
        return "never";
    case DeployMode::Always:
        return "always";
    }
    return "auto";
}

namespace {

// Applies one run key to `r`; false when `key` is not a run key.
bool apply_run_option(RunOptions &r, const std::string &key, const Json &v) {
    if (key == "deploy") {
        const char *detail = N_("deploy must be \"auto\", \"never\" or \"always\".");
        if (!v.is_string()) bad_option(key, detail);
        const std::string mode = v.get<std::string>();
        if (mode == "auto")
            r.deploy = DeployMode::Auto;
        else if (mode == "never")
            r.deploy = DeployMode::Never;
        else if (mode == "always")
            r.deploy = DeployMode::Always;
        else
            bad_option(key, detail);
    } else if (key == "min_confidence") {
        int64_t n = 0;
        if (!integer_in_range(v, RunOptions::kMinConfidence, RunOptions::kMaxConfidence, n))
            bad_option(key, Message{N_("min_confidence must be an integer between %s and %s (a detector "
                                       "confidence score)."),
                                    {std::to_string(RunOptions::kMinConfidence),
                                     std::to_string(RunOptions::kMaxConfidence)}});
        r.min_confidence = static_cast<int>(n);
    } else if (key == "only_reviewed") {
        r.only_reviewed = option_bool(key, v);
    } else if (key == "limit") {
        static_assert(RunOptions::kMinLimit == 1,
                      "the message says \"positive\": a new lower bound needs its own words");
        r.limit = option_integer(key, v, RunOptions::kMinLimit, RunOptions::kMaxLimit,
                                 N_("limit must be a positive integer number of rows."));
    } else {
        return false;
    }
    return true;
}

} // namespace

void TrainingRequest::apply_json(std::string_view json_object) {
    const Json doc = parse_options_object(json_object);
    TrainingRequest next = *this;
    for (const auto &kv : doc.items())
        if (!apply_run_option(next.run, kv.key(), kv.value())) apply_option(next.model, kv.key(), kv.value());
    next.model.validate();
    *this = std::move(next);
}

std::vector<std::string> TrainingRequest::unweighed_options(const TrainingRequest &d) const {
    const ModelOptions &m = model, &dm = d.model;
    std::vector<std::string> keys;
    auto check = [&keys](bool changed, const char *key) {
        if (changed) keys.emplace_back(key);
    };
    check(m.evaluation.folds != dm.evaluation.folds, "cv_folds");
    check(m.evaluation.method != dm.evaluation.method, "evaluation");
    check(m.defer_to_fallback != dm.defer_to_fallback, "defer_to_fallback");
    check(m.evidence_quantile != dm.evidence_quantile, "evidence_quantile");
    check(m.unknown_word_quantile != dm.unknown_word_quantile, "unknown_word_quantile");
    check(m.gate_folds != dm.gate_folds, "gate_folds");
    check(run.limit != d.run.limit, "limit");
    check(run.min_confidence != d.run.min_confidence, "min_confidence");
    check(m.min_intent_rows != dm.min_intent_rows, "min_intent_rows");
    check(m.min_threshold_rows != dm.min_threshold_rows, "min_threshold_rows");
    check(run.only_reviewed != d.run.only_reviewed, "only_reviewed");
    check(m.recall_label != dm.recall_label, "recall_label");
    check(!m.recall_label.empty() && m.recall_target != dm.recall_target, "recall_target");
    check(m.target_precision != dm.target_precision, "target_precision");
    check(m.threshold_floor != dm.threshold_floor, "threshold_floor");
    check(m.min_coverage != dm.min_coverage, "min_coverage");
    check(m.evaluation.holdout_fraction != dm.evaluation.holdout_fraction, "val_fraction");
    return keys;
}

Json TrainingRequest::as_json() const {
    Json w = model.as_json();
    // The automatic mode is the run's, never the model's (as_json() is
    // what a model stores).
    if (model.subword_auto_mode()) w["subword_vectors"] = "auto";
    w["deploy"] = deploy_mode_name(run.deploy);
    w["min_confidence"] = run.min_confidence;
    w["only_reviewed"] = run.only_reviewed;
    w["limit"] = run.limit;
    return w;
}

std::string TrainingRequest::to_json() const {
    return dump_json(as_json());
}

const char *evaluation_method_name(EvaluationMethod m) {
    switch (m) {
    case EvaluationMethod::Auto:
        return "auto";
    case EvaluationMethod::CrossValidation:
        return "cross_validation";
    case EvaluationMethod::Holdout:
        return "holdout";
    }
    return "unknown";
}

const char *out_of_scope_mode_name(OutOfScopeMode m) {
    switch (m) {
    case OutOfScopeMode::Negatives:
        return "negatives";
    case OutOfScopeMode::Class:
        return "class";
    }
    return "unknown";
}

} // namespace intent
