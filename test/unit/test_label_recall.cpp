// A label's recall target (label_recall.h): the offset is the smallest that
// reaches the target out of fold, the trained model carries it in its bias,
// the label never abstains for low confidence, and the report says so.
#include "errors.h"
#include "label_recall.h"
#include "model.h"
#include "options.h"
#include "training.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

using namespace intent;

TEST(LabelRecall, OffsetIsTheSmallestThatReachesTheTarget) {
    // Ten rows of the label with margins -0.9 .. 0.0 and ten others below.
    std::vector<float> margin;
    std::vector<bool> is_label;
    for (int i = 0; i < 10; ++i) {
        margin.push_back(-0.1f * static_cast<float>(i));
        is_label.push_back(true);
        margin.push_back(-0.05f - 0.1f * static_cast<float>(i));
        is_label.push_back(false);
    }
    const RecallShift r = choose_recall_shift(0, margin, is_label, 0.8, 5);
    EXPECT_EQ(r.reason_code, RecallReason::Shifted) << r.reason;
    EXPECT_EQ(r.label, 0);
    EXPECT_TRUE(r.exempt);
    EXPECT_EQ(r.rows, 10u);
    EXPECT_DOUBLE_EQ(r.recall_before, 0.0); // a margin of 0 is a tie: the other label wins
    // Eight rows must pass: the eighth largest margin is -0.7.
    EXPECT_GT(-0.7f + r.offset, 0.0f);
    EXPECT_LE(-0.8f + r.offset, 0.0f);
    EXPECT_DOUBLE_EQ(r.recall_after, 0.8);
    // Others above -0.7 - offset: -0.05 .. -0.65, seven of them.
    EXPECT_DOUBLE_EQ(r.precision_after, 8.0 / 15.0);
    float scores[2] = {-0.7f, 0.0f};
    r.apply(scores);
    EXPECT_GT(scores[0], scores[1]);
}

TEST(LabelRecall, NoOffsetWhenTheTargetIsMetOrTheRowsAreTooFew) {
    const std::vector<float> margin = {1.0f, 0.5f, -0.2f, -1.0f};
    const std::vector<bool> is_label = {true, true, true, false};
    const RecallShift met = choose_recall_shift(1, margin, is_label, 0.6, 2);
    EXPECT_EQ(met.reason_code, RecallReason::TargetMet);
    EXPECT_EQ(met.offset, 0.0f);
    EXPECT_TRUE(met.exempt);
    const RecallShift few = choose_recall_shift(1, margin, is_label, 0.9, 10);
    EXPECT_EQ(few.reason_code, RecallReason::TooFewRows);
    EXPECT_EQ(few.label, -1);
    EXPECT_FALSE(few.exempt);
    const RecallShift absent = choose_recall_shift(-1, {}, {}, 0.9, 10);
    EXPECT_EQ(absent.reason_code, RecallReason::LabelAbsent);
    float scores[2] = {0.25f, 0.5f};
    absent.apply(scores);
    EXPECT_EQ(scores[0], 0.25f);
}

TEST(LabelRecall, OptionsValidateAndRoundTrip) {
    ModelOptions o;
    EXPECT_EQ(o.to_json().find("recall_"), std::string::npos); // a default model's options are unchanged
    o.apply_json(R"({"recall_label": "true", "recall_target": 0.85})");
    EXPECT_EQ(o.recall_label, "true");
    ModelOptions back;
    back.apply_json(o.to_json());
    EXPECT_EQ(back.recall_label, "true");
    EXPECT_DOUBLE_EQ(back.recall_target, 0.85);
    EXPECT_THROW(o.apply_json(R"({"recall_target": 0})"), Error);
    EXPECT_THROW(o.apply_json(R"({"recall_target": 1.5})"), Error);
    EXPECT_THROW(o.apply_json(R"({"recall_label": 3})"), Error);
    EXPECT_THROW(o.apply_json(R"({"recall_label": "out_of_scope"})"), Error);
    o.apply_json(R"({"recall_label": ""})");
    EXPECT_EQ(o.to_json().find("recall_"), std::string::npos);
}

namespace {

// A support team's escalation flag: 15 % of the chats escalate; an
// escalating chat names the cue words only sometimes, and calm chats now
// and then do too, so a plain model misses many escalations.
std::vector<LabeledText> escalation_rows(size_t n) {
    const char *common[] = {"pedido", "envío", "hola",   "gracias", "talla", "color", "precio", "tienda",
                            "cuándo", "llega", "quiero", "saber",   "por",   "favor", "mi",     "el"};
    const char *cues[] = {"abogado", "denuncia", "inaceptable", "estafa", "harto", "reclamación"};
    uint64_t x = 0x9E3779B97F4A7C15ULL;
    auto next = [&x]() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        return x;
    };
    std::vector<LabeledText> rows;
    for (size_t i = 0; i < n; ++i) {
        const bool escalated = next() % 100 < 15;
        std::string text;
        for (int w = 0; w < 6; ++w)
            text += std::string(common[next() % 16]) + " ";
        const unsigned cue_chance = escalated ? 45 : 4;
        if (next() % 100 < cue_chance) text += cues[next() % 6];
        text += " " + std::to_string(i);
        LabeledText r;
        r.text = text;
        r.label = escalated ? "true" : "false";
        rows.push_back(r);
    }
    return rows;
}

double recall_of(const TrainReport &r, const std::string &label) {
    for (size_t c = 0; c < r.data.labels.size(); ++c)
        if (r.data.labels[c] == label) return r.oof.per_class[c].recall;
    return -1;
}

} // namespace

TEST(LabelRecall, TrainingReachesTheTargetOutOfFoldAndServesIt) {
    const std::vector<LabeledText> rows = escalation_rows(1200);
    ModelOptions plain;
    const TrainedModel p = train_model(rows, plain, TrainCallbacks{});
    const double before = recall_of(p.report, "true");
    ASSERT_LT(before, 0.8) << "the data must leave room for the rule";

    ModelOptions o;
    o.apply_json(R"({"recall_label": "true", "recall_target": 0.8})");
    const TrainedModel t = train_model(rows, o, TrainCallbacks{});
    const RecallShift &r = t.report.recall;
    EXPECT_EQ(r.reason_code, RecallReason::Shifted) << r.reason;
    EXPECT_GT(r.offset, 0.0f);
    EXPECT_GE(r.recall_after, 0.8);
    // The out-of-fold metrics are those of the shifted scores.
    EXPECT_GE(recall_of(t.report, "true"), 0.78);
    EXPECT_GT(recall_of(t.report, "true"), before);
    // The label never abstains for low confidence.
    const size_t label = static_cast<size_t>(r.label);
    EXPECT_EQ(t.model.thresholds()[label], 0.0f);
    // The served model carries the offset: it answers "true" more often
    // than the plain model on the same texts.
    PredictScratch scratch;
    size_t plain_true = 0, shifted_true = 0;
    for (const LabeledText &row : rows) {
        plain_true +=
            p.model.labels()[static_cast<size_t>(p.model.predict(row.text, 0, scratch).label)] == "true";
        shifted_true +=
            t.model.labels()[static_cast<size_t>(t.model.predict(row.text, 0, scratch).label)] == "true";
    }
    EXPECT_GT(shifted_true, plain_true);
    // The message's evidence does not include the offset: the empty message
    // still has none and abstains.
    EXPECT_TRUE(t.model.predict("", 0, scratch).uncertain);
    // It survives serialisation, options included.
    const std::string bytes = t.model.serialize();
    const IntentModel back =
        IntentModel::deserialize(reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size());
    EXPECT_EQ(back.options().recall_label, "true");
    EXPECT_EQ(back.predict(rows[0].text, 0, scratch).label, t.model.predict(rows[0].text, 0, scratch).label);
    // The report says what the rule did.
    const std::string json = t.report.to_json(t.model);
    EXPECT_NE(json.find("\"recall_rule\":{"), std::string::npos);
    EXPECT_NE(json.find("\"reason_code\":\"shifted\""), std::string::npos);
}

TEST(LabelRecall, AnAbsentLabelTrainsWithoutARule) {
    ModelOptions o;
    o.apply_json(R"({"recall_label": "never_seen"})");
    const TrainedModel t = train_model(escalation_rows(300), o, TrainCallbacks{});
    EXPECT_EQ(t.report.recall.reason_code, RecallReason::LabelAbsent);
    EXPECT_EQ(t.report.recall.offset, 0.0f);
}
