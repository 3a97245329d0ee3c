// The ranges of the training options are stated once (issue 33, point 3):
// the constants of LearnerOptions (linear.h), FeatureOptions (vectorizer.h)
// and ModelOptions (options.h: min_gate_rows, typo_variants), which the
// option parser (options.cpp) and each struct's validate() read. At each
// bound of each ranged option, and one step past it, the parser and
// validate() must agree, and the parser's error states the bound: a range
// copied back into either side as a literal that differs from the constant
// fails here.
#include "errors.h"
#include "options.h"

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

std::function<bool(int64_t)> model(const std::function<void(ModelOptions &, int)> &set) {
    return [set](int64_t v) {
        return validates<ModelOptions>([&](ModelOptions &o) { set(o, static_cast<int>(v)); });
    };
}

} // namespace

TEST(OptionRanges, IntegerOptionsAgreeAtEachBound) {
    using F = FeatureOptions;
    using L = LearnerOptions;
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
         model([](ModelOptions &o, int v) { o.min_gate_rows = static_cast<size_t>(v); })},
        {"typo_variants", ModelOptions::kMinTypoVariants, ModelOptions::kMaxTypoVariants, "",
         model([](ModelOptions &o, int v) { o.typo_variants = v; })},
    };
    for (const IntegerRange &r : ranges) {
        for (const int64_t v : {r.lo - 1, r.lo, r.hi, r.hi + 1}) {
            const bool inside = v >= r.lo && v <= r.hi;
            const Parsed p = parse(r.base_json, r.key, std::to_string(v));
            const std::string where = std::string(r.key) + " = " + std::to_string(v);
            EXPECT_EQ(p.accepted, inside) << where << " (parser): " << p.detail;
            EXPECT_EQ(r.validate_takes(v), inside) << where << " (validate())";
            // The parser's error states the range it checks (min_df's says
            // "a positive integer", min_feature_partitions' "1 or 2").
            if (!inside && p.detail.find("positive") == std::string::npos)
                EXPECT_NE(p.detail.find(std::to_string(r.hi)), std::string::npos)
                    << where << ": " << p.detail;
        }
    }
}

TEST(OptionRanges, NumberOptionsAgreeAtEachBound) {
    using L = LearnerOptions;
    struct NumberRange {
        const char *key;
        double hi; // above 0 and at most hi
        std::function<void(L &, double)> set;
    };
    const std::vector<NumberRange> ranges = {
        {"C", L::kMaxC, [](L &o, double v) { o.C = v; }},
        {"tolerance", L::kMaxTolerance, [](L &o, double v) { o.tolerance = v; }},
    };
    const double past = std::numeric_limits<double>::infinity();
    for (const NumberRange &r : ranges) {
        for (const double v : {0.0, 1e-300, r.hi, std::nextafter(r.hi, past)}) {
            const bool inside = v > 0 && v <= r.hi;
            const Parsed p = parse("", r.key, json_number(v));
            const std::string where = std::string(r.key) + " = " + json_number(v);
            EXPECT_EQ(p.accepted, inside) << where << " (parser): " << p.detail;
            EXPECT_EQ(validates<L>([&](L &o) { r.set(o, v); }), inside) << where << " (validate())";
            if (!inside)
                EXPECT_EQ(p.detail, std::string(r.key) + " must be a number greater than 0 and at most " +
                                        number_arg(r.hi) + ".")
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
    EXPECT_EQ(number_arg(1e6), "1000000");
    EXPECT_EQ(number_arg(10), "10");
    EXPECT_EQ(number_arg(0.9), "0.9");
    EXPECT_EQ(number_arg(0.5), "0.5");
}
