// The ranges of the training options are stated once (issue 33, point 3):
// the constants of LearnerOptions (linear.h), FeatureOptions (vectorizer.h),
// SubwordVectors (subword_vectors.h), EvaluationOptions, ModelOptions and
// RunOptions (options.h), which the option parser (options.cpp) and each
// struct's validate() read. At each
// bound of each ranged option, and one step past it, the parser and
// validate() must agree, and the parser's error states the bound: a range
// copied back into either side as a literal that differs from the constant
// fails here.
#include "errors.h"
#include "options.h"
#include "subword_vectors.h"

#include <cmath>
#include <cstdio>
#include <functional>
#include <gtest/gtest.h>
#include <limits>
#include <string>
#include <vector>

using namespace intent;

namespace {

// What the parser did with {"key": value} on top of `base_json`: accepted,
// or refused it with its own error ("invalid value for training option").
// An error of validate() (run by apply_json() after every key is applied)
// counts as accepted by the parser: then the two sides disagree.
struct Parsed {
    bool accepted = false;
    std::string detail;
};

Parsed parse(const std::string &base_json, const std::string &key, const std::string &value) {
    std::string json = base_json.empty() ? "{" : base_json.substr(0, base_json.size() - 1) + ",";
    json += "\"" + key + "\":" + value + "}";
    ModelOptions o;
    try {
        o.apply_json(json);
        return {true, {}};
    } catch (const Error &e) {
        const std::string own = "invalid value for training option \"" + key + "\"";
        if (e.what() != own) return {true, e.what()};
        return {false, e.detail()};
    }
}

std::string json_number(double v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

template <class Options> bool validates(const std::function<void(Options &)> &set) {
    Options o;
    set(o);
    try {
        o.validate();
        return true;
    } catch (const Error &) {
        return false;
    }
}

struct IntegerRange {
    const char *key;
    int64_t lo, hi;
    std::string base_json; // the other keys a bound needs (an n-gram maximum above its minimum)
    std::function<bool(int64_t)> validate_takes; // the field set directly, and the struct's validate()
    // The key's JSON value for v (a key of subword_vectors' object: the
    // object); none: v itself.
    std::function<std::string(int64_t)> value = {};
    std::string bound_words = {}; // how the parser's error states hi; "": hi's digits
};

std::function<bool(int64_t)> feature(const std::function<void(FeatureOptions &, int)> &set) {
    return [set](int64_t v) {
        return validates<FeatureOptions>([&](FeatureOptions &o) { set(o, static_cast<int>(v)); });
    };
}

std::function<bool(int64_t)> learner(const std::function<void(LearnerOptions &, int)> &set) {
    return [set](int64_t v) {
        return validates<LearnerOptions>([&](LearnerOptions &o) { set(o, static_cast<int>(v)); });
    };
}

std::function<bool(int64_t)> model(const std::function<void(ModelOptions &, int64_t)> &set) {
    return [set](int64_t v) { return validates<ModelOptions>([&](ModelOptions &o) { set(o, v); }); };
}

// A key of subword_vectors' object: the options with the vectors on.
std::function<bool(int64_t)> subword(const std::function<void(ModelOptions &, int64_t)> &set) {
    return model([set](ModelOptions &o, int64_t v) {
        o.subword_vectors = true;
        set(o, v);
    });
}

// subword_vectors' object holding `key`: v (and `rest`, the keys a bound
// needs: the table cap limits buckets x dim).
std::function<std::string(int64_t)> subword_value(const std::string &key, const std::string &rest) {
    return [key, rest](int64_t v) { return "{\"" + key + "\":" + std::to_string(v) + rest + "}"; };
}

} // namespace

TEST(OptionRanges, IntegerOptionsAgreeAtEachBound) {
    using F = FeatureOptions;
    using L = LearnerOptions;
    using M = ModelOptions;
    using SV = SubwordVectors;
    const std::string top_word = "{\"word_ngram_max\":" + std::to_string(F::kMaxWordNgram) + "}";
    const std::string top_char = "{\"char_ngram_max\":" + std::to_string(F::kMaxCharNgram) + "}";
    const std::vector<IntegerRange> ranges = {
        {"word_ngram_min", F::kMinNgram, F::kMaxWordNgram, top_word, feature([](F &o, int v) {
             o.word_ngram_min = v;
             o.word_ngram_max = F::kMaxWordNgram;
         })},
        {"word_ngram_max", F::kMinNgram, F::kMaxWordNgram, "{\"word_ngram_min\":1}", feature([](F &o, int v) {
             o.word_ngram_min = F::kMinNgram;
             o.word_ngram_max = v;
         })},
        {"char_ngram_min", F::kMinNgram, F::kMaxCharNgram, top_char, feature([](F &o, int v) {
             o.char_ngram_min = v;
             o.char_ngram_max = F::kMaxCharNgram;
         })},
        {"char_ngram_max", F::kMinNgram, F::kMaxCharNgram, "{\"char_ngram_min\":1}", feature([](F &o, int v) {
             o.char_ngram_min = F::kMinNgram;
             o.char_ngram_max = v;
         })},
        {"max_features", F::kMinFeatures, F::kMaxFeatures, "",
         feature([](F &o, int v) { o.max_features = v; })},
        {"max_char_features", F::kMinFeatures, F::kMaxFeatures, "",
         feature([](F &o, int v) { o.max_char_features = v; })},
        {"min_df", F::kMinDf, F::kMaxMinDf, "", feature([](F &o, int v) { o.min_df = v; })},
        {"min_feature_partitions", F::kMinFeaturePartitions, F::kMaxFeaturePartitions, "",
         feature([](F &o, int v) { o.min_feature_partitions = v; })},
        {"max_iterations", L::kMinMaxIterations, L::kMaxMaxIterations, "",
         learner([](L &o, int v) { o.max_iterations = v; })},
        {"threads", L::kMinThreads, L::kMaxThreadsOption, "", learner([](L &o, int v) { o.threads = v; })},
        // ModelOptions' own, which ModelOptions::validate() checks again
        {"min_gate_rows", ModelOptions::kMinGateRows, ModelOptions::kMaxGateRows, "",
         model([](ModelOptions &o, int64_t v) { o.min_gate_rows = static_cast<size_t>(v); })},
        {"typo_variants", ModelOptions::kMinTypoVariants, ModelOptions::kMaxTypoVariants, "",
         model([](ModelOptions &o, int64_t v) { o.typo_variants = static_cast<int>(v); })},
        // Checked by the parser only before (a direct caller's value
        // trained a model whose stored options no longer loaded).
        {"min_threshold_rows", M::kMinEvidenceRows, M::kMaxEvidenceRows, "",
         model([](ModelOptions &o, int64_t v) { o.min_threshold_rows = static_cast<size_t>(v); })},
        {"min_intent_rows", M::kMinEvidenceRows, M::kMaxEvidenceRows, "",
         model([](ModelOptions &o, int64_t v) { o.min_intent_rows = static_cast<size_t>(v); })},
        {"max_misclassified", M::kMinMisclassified, M::kMaxMisclassified, "",
         model([](ModelOptions &o, int64_t v) { o.max_misclassified = static_cast<size_t>(v); })},
        {"seed",
         0,
         EvaluationOptions::kMaxSeed,
         "",
         model([](ModelOptions &o, int64_t v) { o.evaluation.seed = static_cast<uint64_t>(v); }),
         {},
         "2^" + std::to_string(EvaluationOptions::kSeedBits)},
        // subword_vectors' object (the key of the error is subword_vectors)
        {"subword_vectors", SV::kMinDim, SV::kMaxDim, "", subword([](ModelOptions &o, int64_t v) {
             o.subword.dim = static_cast<uint32_t>(v);
             o.subword.buckets = 1;
         }),
         subword_value("dim", ",\"buckets\":1")},
        {"subword_vectors", SV::kMinEpochs, SV::kMaxEpochs, "",
         subword([](ModelOptions &o, int64_t v) { o.subword.epochs = static_cast<uint32_t>(v); }),
         subword_value("epochs", "")},
        {"subword_vectors", SV::kMinBuckets, SV::kMaxBuckets, "", subword([](ModelOptions &o, int64_t v) {
             o.subword.buckets = static_cast<uint32_t>(v);
             o.subword.dim = 1;
         }),
         subword_value("buckets", ",\"dim\":1")},
        {"subword_vectors", SV::kMinN, SV::kMaxN, "", subword([](ModelOptions &o, int64_t v) {
             o.subword.min_n = static_cast<uint32_t>(v);
             o.subword.max_n = SV::kMaxN;
         }),
         subword_value("min_n", ",\"max_n\":" + std::to_string(SV::kMaxN))},
        {"subword_vectors", SV::kMinN, SV::kMaxN, "", subword([](ModelOptions &o, int64_t v) {
             o.subword.min_n = SV::kMinN;
             o.subword.max_n = static_cast<uint32_t>(v);
         }),
         subword_value("max_n", ",\"min_n\":" + std::to_string(SV::kMinN))},
        {"subword_vectors", M::kMinUnlabelled, M::kMaxUnlabelledRows, "",
         subword([](ModelOptions &o, int64_t v) { o.subword_unlabelled_rows = v; }),
         subword_value("unlabelled_rows", "")},
        {"subword_vectors", M::kMinUnlabelled, M::kMaxUnlabelledBytes, "",
         subword([](ModelOptions &o, int64_t v) { o.subword_unlabelled_bytes = v; }),
         subword_value("unlabelled_bytes", "")},
    };
    for (const IntegerRange &r : ranges) {
        for (const int64_t v : {r.lo - 1, r.lo, r.hi, r.hi + 1}) {
            const bool inside = v >= r.lo && v <= r.hi;
            const std::string value = r.value ? r.value(v) : std::to_string(v);
            const Parsed p = parse(r.base_json, r.key, value);
            const std::string where = std::string(r.key) + " = " + value;
            EXPECT_EQ(p.accepted, inside) << where << " (parser): " << p.detail;
            EXPECT_EQ(r.validate_takes(v), inside) << where << " (validate())";
            // The parser's error states the range it checks (min_df's says
            // "a positive integer", min_feature_partitions' "1 or 2").
            const std::string bound = r.bound_words.empty() ? std::to_string(r.hi) : r.bound_words;
            if (!inside && p.detail.find("positive") == std::string::npos)
                EXPECT_NE(p.detail.find(bound), std::string::npos) << where << ": " << p.detail;
        }
    }
}

// cv_folds and gate_folds: 0 (by size) or kMinFolds..kMaxFolds.
TEST(OptionRanges, FoldsAgreeAtEachBound) {
    using E = EvaluationOptions;
    const std::string detail_end = " must be 0 (automatic) or an integer between " +
                                   std::to_string(E::kMinFolds) + " and " + std::to_string(E::kMaxFolds) +
                                   ".";
    const std::vector<std::pair<const char *, std::function<void(ModelOptions &, int)>>> keys = {
        {"cv_folds", [](ModelOptions &o, int v) { o.evaluation.folds = v; }},
        {"gate_folds", [](ModelOptions &o, int v) { o.gate_folds = v; }},
    };
    for (const auto &[key, set] : keys) {
        for (const int v : {-1, 0, 1, E::kMinFolds - 1, E::kMinFolds, E::kMaxFolds, E::kMaxFolds + 1}) {
            const bool inside = v == 0 || (v >= E::kMinFolds && v <= E::kMaxFolds);
            const Parsed p = parse("", key, std::to_string(v));
            const std::string where = std::string(key) + " = " + std::to_string(v);
            EXPECT_EQ(p.accepted, inside) << where << " (parser): " << p.detail;
            EXPECT_EQ(validates<ModelOptions>([&](ModelOptions &o) { set(o, v); }), inside)
                << where << " (validate())";
            if (!inside) EXPECT_EQ(p.detail, key + detail_end) << where;
        }
    }
}

// The run's own keys (RunOptions, which no validate() checks: they are
// never stored): the parser's range at each bound.
TEST(OptionRanges, RunOptionsAtEachBound) {
    struct RunRange {
        const char *key;
        int64_t lo, hi;
    };
    for (const RunRange &r :
         {RunRange{"min_confidence", RunOptions::kMinConfidence, RunOptions::kMaxConfidence},
          RunRange{"limit", RunOptions::kMinLimit, RunOptions::kMaxLimit}}) {
        for (const int64_t v : {r.lo - 1, r.lo, r.hi, r.hi + 1}) {
            const bool inside = v >= r.lo && v <= r.hi;
            const std::string where = std::string(r.key) + " = " + std::to_string(v);
            TrainingRequest t;
            try {
                t.apply_json("{\"" + std::string(r.key) + "\":" + std::to_string(v) + "}");
                EXPECT_TRUE(inside) << where;
            } catch (const Error &e) {
                EXPECT_FALSE(inside) << where << ": " << e.detail();
                EXPECT_EQ(e.what(), "invalid value for training option \"" + std::string(r.key) + "\"");
            }
        }
    }
}

TEST(OptionRanges, NumberOptionsAgreeAtEachBound) {
    using L = LearnerOptions;
    using E = EvaluationOptions;
    using M = ModelOptions;
    using SV = SubwordVectors;
    struct NumberRange {
        const char *key;
        std::string name; // as the detail names it
        double lo, hi;
        bool lo_open;                               // (0, hi]: lo is 0 and outside
        std::function<bool(double)> validate_takes; // the field set directly, and validate()
        std::function<std::string(double)> value = {};
        bool validate_takes_lo = false; // validate() takes lo: the field's default (subword weight 0)
    };
    auto learner_number = [](std::function<void(L &, double)> set) {
        return [set](double v) { return validates<L>([&](L &o) { set(o, v); }); };
    };
    auto model_number = [](std::function<void(M &, double)> set) {
        return [set](double v) { return validates<M>([&](M &o) { set(o, v); }); };
    };
    auto subword_number = [](const std::string &key) {
        return [key](double v) { return "{\"" + key + "\":" + json_number(v) + "}"; };
    };
    const std::vector<NumberRange> ranges = {
        {"C", "C", 0, L::kMaxC, true, learner_number([](L &o, double v) { o.C = v; })},
        {"tolerance", "tolerance", 0, L::kMaxTolerance, true,
         learner_number([](L &o, double v) { o.tolerance = v; })},
        {"target_precision", "target_precision", 0, M::kMaxTargetPrecision, true,
         model_number([](M &o, double v) { o.target_precision = v; })},
        {"recall_target", "recall_target", 0, M::kMaxRecallTarget, true,
         model_number([](M &o, double v) { o.recall_target = v; })},
        {"typo_weight", "typo_weight", 0, M::kMaxTypoWeight, true,
         model_number([](M &o, double v) { o.typo_weight = v; })},
        {"subword_vectors", "subword_vectors.learning_rate", 0, SV::kMaxLearningRate, true,
         model_number([](M &o, double v) {
             o.subword_vectors = true;
             o.subword.learning_rate = v;
         }),
         subword_number("learning_rate")},
        {"subword_vectors", "subword_vectors.weight", 0, M::kMaxSubwordWeight, true,
         model_number([](M &o, double v) {
             o.subword_vectors = true;
             o.subword_weight = v;
         }),
         subword_number("weight"), true},
        {"val_fraction", "val_fraction", E::kMinFraction, E::kMaxFraction, false,
         model_number([](M &o, double v) { o.evaluation.holdout_fraction = v; })},
        {"test_fraction", "test_fraction", E::kMinFraction, E::kMaxFraction, false,
         model_number([](M &o, double v) {
             o.evaluation.holdout_fraction = 0; // their sum stays below 1
             o.evaluation.test_fraction = v;
         })},
        {"threshold_floor", "threshold_floor", M::kMinThresholdFloor, M::kMaxThresholdFloor, false,
         model_number([](M &o, double v) { o.threshold_floor = v; })},
        {"min_coverage", "min_coverage", M::kMinCoverage, M::kMaxCoverage, false,
         model_number([](M &o, double v) { o.min_coverage = v; })},
        {"evidence_quantile", "evidence_quantile", M::kMinQuantile, M::kMaxQuantile, false,
         model_number([](M &o, double v) { o.evidence_quantile = v; })},
        {"unknown_word_quantile", "unknown_word_quantile", M::kMinQuantile, M::kMaxQuantile, false,
         model_number([](M &o, double v) { o.unknown_word_quantile = v; })},
    };
    const double past = std::numeric_limits<double>::infinity();
    for (const NumberRange &r : ranges) {
        // Just outside and just inside each bound: for (0, hi], 0 and a tiny
        // number; for [lo, hi], the doubles next to lo and hi.
        const std::vector<double> values =
            r.lo_open
                ? std::vector<double>{0.0, 1e-300, r.hi, std::nextafter(r.hi, past)}
                : std::vector<double>{std::nextafter(r.lo, -past), r.lo, r.hi, std::nextafter(r.hi, past)};
        const std::string base = std::string(r.key) == "test_fraction" ? "{\"val_fraction\":0}" : "";
        for (const double v : values) {
            const bool inside = r.lo_open ? v > r.lo && v <= r.hi : v >= r.lo && v <= r.hi;
            const std::string value = r.value ? r.value(v) : json_number(v);
            const Parsed p = parse(base, r.key, value);
            const std::string where = r.name + " = " + json_number(v);
            EXPECT_EQ(p.accepted, inside) << where << " (parser): " << p.detail;
            EXPECT_EQ(r.validate_takes(v), inside || (r.validate_takes_lo && v == r.lo))
                << where << " (validate())";
            if (!inside)
                EXPECT_EQ(p.detail, r.lo_open ? r.name + " must be a number greater than 0 and at most " +
                                                    number_arg(r.hi) + "."
                                              : r.name + " must be a number between " + number_arg(r.lo) +
                                                    " and " + number_arg(r.hi) + ".")
                    << where;
        }
    }
}

// The parser's error carries its detail as a pattern and the bounds as
// arguments, which the SQL glue words in the reader's language; detail() is
// the English rendering.
TEST(OptionRanges, TheDetailCarriesItsPatternAndBounds) {
    ModelOptions o;
    try {
        o.apply_json(R"({"word_ngram_max": 9})");
        ADD_FAILURE() << "accepted word_ngram_max 9";
    } catch (const Error &e) {
        EXPECT_STREQ(e.detail_message().pattern, "%s must be an integer between %s and %s.");
        EXPECT_EQ(e.detail_message().args, (std::vector<std::string>{"word_ngram_max", "1", "8"}));
        EXPECT_EQ(e.detail(), "word_ngram_max must be an integer between 1 and 8.");
    }
    try {
        o.apply_json(R"({"val_fraction": 0.95})");
        ADD_FAILURE() << "accepted val_fraction 0.95";
    } catch (const Error &e) {
        EXPECT_STREQ(e.detail_message().pattern, "%s must be a number between %s and %s.");
        EXPECT_EQ(e.detail_message().args, (std::vector<std::string>{"val_fraction", "0", "0.9"}));
        EXPECT_EQ(e.detail(), "val_fraction must be a number between 0 and 0.9.");
    }
    EXPECT_EQ(number_arg(1e6), "1000000");
    EXPECT_EQ(number_arg(10), "10");
    EXPECT_EQ(number_arg(0.9), "0.9");
    EXPECT_EQ(number_arg(0.5), "0.5");
}
