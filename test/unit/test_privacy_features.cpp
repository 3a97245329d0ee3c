// What one tenant can learn of another's text (issue 31, item 9): digit
// normalisation, and the fallback's rule that a feature must be seen in two
// partitions.
#include "errors.h"
#include "model.h"
#include "options.h"
#include "text.h"
#include "training.h"
#include "vectorizer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

using namespace intent;

namespace {

TextOptions digits_on() {
    TextOptions t;
    t.normalize_digits = true;
    return t;
}

bool has_digit_other_than_zero(const std::string &s) {
    return std::any_of(s.begin(), s.end(), [](char c) { return c >= '1' && c <= '9'; });
}

} // namespace

TEST(NormalizeDigits, EveryRunBecomesOneZero) {
    const TextOptions t = digits_on();
    EXPECT_EQ(normalize_text("Card 4556-7788-9911 please", t), "card 0 0 0 please");
    EXPECT_EQ(normalize_text("refund in 48h", t), "refund in 0h");
    EXPECT_EQ(normalize_text("a1b22c333", t), "a0b0c0");
    EXPECT_EQ(normalize_text("2024", t), "0");
    EXPECT_EQ(normalize_text("x²³", t), "x0");
    EXPECT_EQ(normalize_text("４５５６ ٤٥", t), "0 0");      // fullwidth, Arabic-Indic
    EXPECT_EQ(normalize_text("45\xC2\xAD" "56", t), "0"); // a soft hyphen does not split the run
}

TEST(NormalizeDigits, OffByDefaultAndInStoredOptions) {
    EXPECT_FALSE(TextOptions{}.normalize_digits);
    EXPECT_EQ(normalize_text("Card 4556-7788", TextOptions{}), "card 4556 7788");
    ModelOptions o;
    o.apply_json(R"({"C": 1.0, "lowercase": true})"); // what a 0.3.1 model stores
    EXPECT_FALSE(o.features.text.normalize_digits);
    EXPECT_EQ(o.features.min_feature_partitions, 1);
    // Written only when on: a model trained without them stores 0.3.1's options.
    EXPECT_EQ(o.to_json().find("normalize_digits"), std::string::npos);
    EXPECT_EQ(o.to_json().find("min_feature_partitions"), std::string::npos);
    o.apply_json(R"({"normalize_digits": true, "min_feature_partitions": 2})");
    ModelOptions back;
    back.apply_json(o.to_json());
    EXPECT_TRUE(back.features.text.normalize_digits);
    EXPECT_EQ(back.features.min_feature_partitions, 2);
    EXPECT_THROW(o.apply_json(R"({"min_feature_partitions": 3})"), Error);
    EXPECT_THROW(o.apply_json(R"({"normalize_digits": 1})"), Error);
}

TEST(NormalizeDigits, PiecesNormaliseAsTheWhole) {
    const TextOptions t = digits_on();
    const std::string text = "order 12345678 and 9x9 then 77";
    const std::string whole = normalize_text(text, t);
    for (size_t cut = 1; cut < text.size(); ++cut) {
        NormalizeStream state;
        std::string out;
        normalize_piece(text.substr(0, cut), t, state, out);
        normalize_piece(text.substr(cut), t, state, out);
        EXPECT_EQ(out, whole) << "cut at " << cut;
    }
}

TEST(NormalizeDigits, NoDigitSpecificFeature) {
    FeatureOptions f;
    f.text.normalize_digits = true;
    const std::vector<std::string> texts = {"my card 4556-7788-9911 was charged", "call me at 5551234",
                                            "refund 48h please"};
    const Vectorizer v = Vectorizer::fit(texts, f);
    for (const std::string &term : v.terms())
        EXPECT_FALSE(has_digit_other_than_zero(term)) << term;
    // Two card numbers give the same row.
    SparseVector a, b;
    VectorizerScratch scratch;
    v.transform_one("card 4556-7788-9911", a, scratch);
    v.transform_one("card 1234-0000-5678", b, scratch);
    EXPECT_EQ(a.index, b.index);
    EXPECT_EQ(a.value, b.value);
}

TEST(FeaturePartitions, FallbackKeepsOnlyNgramsOfTwoPartitions) {
    FeatureOptions f;
    f.min_feature_partitions = 2;
    f.char_ngrams = true;
    // "zqxj" only in partition 1 (twice), "shared" in both, "vvkk" in a text
    // two partitions both have (merged: several groups).
    const std::vector<std::string> texts = {"zqxj shared", "zqxj shared again", "shared words", "vvkk"};
    const std::vector<uint32_t> groups = {1, 1, 2, kSeveralGroups};
    const Vectorizer v = Vectorizer::fit(texts, f, nullptr, &groups);
    std::set<std::string> terms(v.terms().begin(), v.terms().end());
    EXPECT_TRUE(terms.count("shared"));
    EXPECT_TRUE(terms.count("vvkk"));
    EXPECT_TRUE(terms.count("sh"));
    for (const std::string &t : v.terms()) {
        EXPECT_EQ(t.find("zq"), std::string::npos) << t;
        EXPECT_EQ(t.find("again"), std::string::npos) << t;
        EXPECT_EQ(t.find("words"), std::string::npos) << t;
    }
    EXPECT_GT(v.fit_stats().single_group_dropped, 0u);
    // Without the rule the same texts keep them.
    FeatureOptions plain = f;
    plain.min_feature_partitions = 1;
    const Vectorizer all = Vectorizer::fit(texts, plain);
    EXPECT_NE(std::find(all.terms().begin(), all.terms().end(), "zqxj"), all.terms().end());
    // The order of the texts does not matter.
    const std::vector<std::string> reordered = {"shared words", "zqxj shared", "vvkk", "zqxj shared again"};
    const std::vector<uint32_t> regroups = {2, 1, kSeveralGroups, 1};
    EXPECT_EQ(Vectorizer::fit(reordered, f, nullptr, &regroups).terms(), v.terms());
}

TEST(FeaturePartitions, NeedsTheGroups) {
    FeatureOptions f;
    f.min_feature_partitions = 2;
    try {
        Vectorizer::fit({"a b", "c d"}, f);
        ADD_FAILURE() << "no error";
    } catch (const Error &e) {
        EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
    }
    // One partition only: nothing is shared, so nothing to learn from.
    const std::vector<uint32_t> one = {7, 7};
    try {
        Vectorizer::fit({"a b", "a c"}, f, nullptr, &one);
        ADD_FAILURE() << "no error";
    } catch (const Error &e) {
        EXPECT_EQ(e.kind(), ErrorKind::InsufficientData);
    }
}

TEST(FeaturePartitions, TrainedFallbackHasNoOnePartitionString) {
    std::vector<LabeledText> rows;
    const char *billing[] = {"I want a refund", "refund my order please", "charge on my card",
                             "money back for the order", "why was I charged twice"};
    const char *shipping[] = {"where is my parcel", "track my order please", "delivery is late",
                              "parcel not delivered", "when will it arrive"};
    for (uint32_t p = 1; p <= 3; ++p)
        for (int i = 0; i < 5; ++i) {
            rows.push_back(LabeledText{std::string(billing[i]) + (p == 2 ? " zorblax 4556-7788-9911" : ""),
                                       "billing", 1.0f, false, false, p});
            rows.push_back(LabeledText{shipping[i], "shipping", 1.0f, false, false, p});
        }
    ModelOptions o;
    o.apply_json(R"({"normalize_digits": true, "min_feature_partitions": 2})");
    TrainCallbacks cb;
    const TrainedModel t = train_model(rows, o, cb);
    for (const std::string &term : t.model.vectorizer().terms()) {
        EXPECT_EQ(term.find("zorb"), std::string::npos) << term;
        EXPECT_EQ(term.find("blax"), std::string::npos) << term;
        EXPECT_FALSE(has_digit_other_than_zero(term)) << term;
    }
    // Stored and loaded, it keeps both options.
    const std::string blob = t.model.serialize();
    const IntentModel back =
        IntentModel::deserialize(reinterpret_cast<const uint8_t *>(blob.data()), blob.size());
    EXPECT_TRUE(back.options().features.text.normalize_digits);
    EXPECT_EQ(back.options().features.min_feature_partitions, 2);
}
