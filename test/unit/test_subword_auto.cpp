// subword_vectors "auto", the default (subword_auto.h): the vectors only for
// a run with many texts without a label and thin labels, and the option
// off's bytes everywhere else.
#include "errors.h"
#include "json.h"
#include "model.h"
#include "options.h"
#include "spanish_rows.h"
#include "subword_auto.h"
#include "training.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

using namespace intent;

namespace {

// `per_label` rows of each of three labels.
std::vector<LabeledText> rows(size_t per_label) {
    return test::spanish_rows(per_label);
}

std::vector<std::string> texts(size_t n) {
    const char *forms[] = {"mi pedido de %zu no llega", "quiero devolver %zu botas",
                           "la tarjeta %zu fue rechazada", "dónde está el paquete %zu",
                           "cobro doble en la compra %zu"};
    std::vector<std::string> out;
    char buf[120];
    for (size_t i = 0; i < n; ++i) {
        std::snprintf(buf, sizeof buf, forms[i % 5], i);
        out.push_back(buf);
    }
    return out;
}

ModelOptions with(const std::string &json) {
    ModelOptions o;
    o.apply_json(json);
    return o;
}

} // namespace

TEST(SubwordAutoRule, ThinLabelsAndManyTextsTurnItOn) {
    // 10 rows per label is not thin (min_intent_rows); 9.99 is.
    EXPECT_FALSE(subword_auto_labels_thin(1500, 150, 10));
    EXPECT_TRUE(subword_auto_labels_thin(1499, 150, 10));
    EXPECT_TRUE(subword_auto_labels_thin(750, 150, 10));
    EXPECT_FALSE(subword_auto_labels_thin(0, 0, 10));

    // CLINC150 5-shot through a server: 750 rows, 150 labels, 14,250 texts.
    SubwordAutoDecision d = decide_subword_auto(750, 150, true, 14250, 10);
    EXPECT_TRUE(d.used);
    EXPECT_TRUE(d.on);
    EXPECT_STREQ(subword_auto_reason_code(d.reason), "many_texts_without_label_thin_labels");
    EXPECT_EQ(d.unlabelled_texts, 14250u);
    // The ratio's edge: 10 x the labelled rows.
    EXPECT_TRUE(decide_subword_auto(750, 150, true, 7500, 10).on);
    d = decide_subword_auto(750, 150, true, 7499, 10);
    EXPECT_FALSE(d.on);
    EXPECT_EQ(d.reason, SubwordAutoReason::TooFewUnlabelled);
    // No texts read (a partitioned classifier's runs, the CLI without them).
    d = decide_subword_auto(750, 150, false, 0, 10);
    EXPECT_FALSE(d.on);
    EXPECT_EQ(d.reason, SubwordAutoReason::TextsNotGiven);
    // Full data (CLINC150: 100 rows per label), however many texts.
    d = decide_subword_auto(15000, 150, true, 1000000, 10);
    EXPECT_FALSE(d.on);
    EXPECT_EQ(d.reason, SubwordAutoReason::LabelsNotThin);
    EXPECT_NE(d.reason_text().find("15000 labelled rows for 150 labels"), std::string::npos)
        << d.reason_text();
    // min_intent_rows 0: never thin.
    EXPECT_FALSE(decide_subword_auto(3, 3, true, 1000, 0).on);
}

TEST(SubwordAutoOption, TheDefaultAndItsValues) {
    EXPECT_TRUE(ModelOptions{}.subword_auto);
    EXPECT_FALSE(ModelOptions{}.subword_vectors);
    const ModelOptions a = with(R"({"subword_vectors": "auto"})");
    EXPECT_TRUE(a.subword_auto);
    EXPECT_FALSE(a.subword_vectors);
    for (const char *explicit_value : {R"({"subword_vectors": true})", R"({"subword_vectors": false})",
                                       R"({"subword_vectors": {"dim": 8}})"})
        EXPECT_FALSE(with(explicit_value).subword_auto) << explicit_value;
    EXPECT_THROW(with(R"({"subword_vectors": "automatic"})"), Error);
    // A model never stores the mode; the run's options show it.
    EXPECT_EQ(ModelOptions{}.as_json().count("subword_vectors"), 0u);
    EXPECT_EQ(TrainingRequest{}.as_json().at("subword_vectors"), "auto");
    TrainingRequest off;
    off.apply_json(R"({"subword_vectors": false})");
    EXPECT_EQ(off.as_json().count("subword_vectors"), 0u);
}

TEST(SubwordAutoTraining, OnForThinLabelsWithManyTexts) {
    const std::vector<LabeledText> thin = rows(9); // 27 rows, 3 labels
    const std::vector<std::string> many = texts(270);
    const TrainedModel t = train_model(thin, ModelOptions{}, TrainCallbacks{}, nullptr, &many);
    EXPECT_TRUE(t.report.subword_auto.used);
    EXPECT_TRUE(t.report.subword_auto.on);
    EXPECT_TRUE(t.report.subword_weight.used); // the vectors were learned, their weight chosen
    EXPECT_EQ(t.report.subword_auto.unlabelled_texts, 270u);
    // What a caller asks before training is the decision the run takes.
    EXPECT_TRUE(subword_auto_decision(thin, ModelOptions{}, &many).on);
    const Json report = parse_json(t.report.to_json(t.model), "report");
    EXPECT_EQ(report.at("subword_auto").at("reason_code"), "many_texts_without_label_thin_labels");
    EXPECT_EQ(report.at("subword_auto").at("on"), true);
    // As given by the option with the automatic mode's settings: the same bytes.
    const TrainedModel given = train_model(thin, with(R"({"subword_vectors": {"dim": 32, "epochs": 10}})"),
                                           TrainCallbacks{}, nullptr, &many);
    EXPECT_EQ(t.model.serialize(), given.model.serialize());
}

// A caller that counted the labels (the glue, train_entry.cpp) passes the
// count, and the run takes its decision on it, never on a count of its own
// (one count per run): the report states the count given, and the true
// count trains the run the rows give.
TEST(SubwordAutoTraining, RunTakesTheCallersLabelCount) {
    const std::vector<LabeledText> thin = rows(9); // 27 rows, 3 labels
    const std::vector<std::string> many = texts(270);
    const TrainedModel counted =
        train_model(thin, ModelOptions{}, TrainCallbacks{}, nullptr, &many, size_t{3});
    const TrainedModel uncounted = train_model(thin, ModelOptions{}, TrainCallbacks{}, nullptr, &many);
    EXPECT_EQ(counted.report.subword_auto.labels, 3u);
    EXPECT_TRUE(counted.report.subword_auto.on);
    EXPECT_EQ(counted.model.serialize(), uncounted.model.serialize());
    // A count the rows do not give (2 labels for 27 rows: not thin) is the
    // one the run decides on: off, and the option off's bytes.
    const TrainedModel given = train_model(thin, ModelOptions{}, TrainCallbacks{}, nullptr, &many, size_t{2});
    EXPECT_EQ(given.report.subword_auto.labels, 2u);
    EXPECT_FALSE(given.report.subword_auto.on);
    EXPECT_EQ(given.report.subword_auto.reason, SubwordAutoReason::LabelsNotThin);
    EXPECT_EQ(given.model.serialize(),
              train_model(thin, with(R"({"subword_vectors": false})"), TrainCallbacks{}).model.serialize());
}

TEST(SubwordAutoTraining, OffElsewhereTrainsTheOptionOffsBytes) {
    const ModelOptions off = with(R"({"subword_vectors": false})");
    struct Case {
        size_t per_label;
        size_t texts;
        bool given;
        SubwordAutoReason reason;
    };
    for (const Case c : {Case{9, 269, true, SubwordAutoReason::TooFewUnlabelled},
                         Case{9, 0, false, SubwordAutoReason::TextsNotGiven},
                         Case{10, 300, true, SubwordAutoReason::LabelsNotThin}}) {
        const std::vector<LabeledText> r = rows(c.per_label);
        const std::vector<std::string> u = texts(c.texts);
        const TrainedModel a =
            train_model(r, ModelOptions{}, TrainCallbacks{}, nullptr, c.given ? &u : nullptr);
        const TrainedModel b = train_model(r, off, TrainCallbacks{});
        EXPECT_FALSE(a.report.subword_auto.on) << c.per_label << " " << c.texts;
        EXPECT_EQ(a.report.subword_auto.reason, c.reason) << c.per_label << " " << c.texts;
        const SubwordAutoDecision before = subword_auto_decision(r, ModelOptions{}, c.given ? &u : nullptr);
        EXPECT_TRUE(before.used);
        EXPECT_FALSE(before.on);
        EXPECT_EQ(before.reason, c.reason) << c.per_label << " " << c.texts;
        EXPECT_FALSE(subword_auto_decision(r, off, &u).used); // the option given: no decision
        EXPECT_FALSE(a.report.subword_weight.used);
        EXPECT_EQ(a.model.serialize(), b.model.serialize()) << c.per_label << " " << c.texts;
        EXPECT_FALSE(b.report.subword_auto.used); // false: no decision, none reported
        EXPECT_EQ(parse_json(b.report.to_json(b.model), "report").count("subword_auto"), 0u);
    }
}

// A caller that counted the labels (the glue: train_entry.cpp) takes the
// decision on its counts: the same one the rows give, the same one
// decide_subword_auto() takes, and none when the option is not "auto".
TEST(SubwordAutoRule, DecisionOnCountsIsTheRowsDecision) {
    const ModelOptions off = with(R"({"subword_vectors": false})");
    const ModelOptions on = with(R"({"subword_vectors": true})");
    for (size_t per_label : {3u, 9u, 10u, 20u})
        for (size_t n : {0u, 26u, 27u, 269u, 270u, 600u})
            for (bool given : {false, true}) {
                const std::vector<LabeledText> r = rows(per_label);
                const std::vector<std::string> u = texts(n);
                const std::vector<std::string> *texts_given = given ? &u : nullptr;
                const size_t labels =
                    distinct_labels(r, [](const LabeledText &x) -> std::string_view { return x.label; });
                ASSERT_EQ(labels, 3u);
                const SubwordAutoDecision a = subword_auto_decision(r, ModelOptions{}, texts_given);
                const SubwordAutoDecision b =
                    subword_auto_decision(r.size(), labels, ModelOptions{}, texts_given);
                const SubwordAutoDecision c = decide_subword_auto(r.size(), labels, given, n, 10);
                for (const SubwordAutoDecision *d : {&b, &c}) {
                    EXPECT_EQ(a.used, d->used) << per_label << " " << n << " " << given;
                    EXPECT_EQ(a.on, d->on) << per_label << " " << n << " " << given;
                    EXPECT_EQ(a.reason, d->reason) << per_label << " " << n << " " << given;
                    EXPECT_EQ(a.labelled_rows, d->labelled_rows);
                    EXPECT_EQ(a.labels, d->labels);
                    EXPECT_EQ(a.unlabelled_texts, d->unlabelled_texts);
                    EXPECT_EQ(a.min_rows_per_label, d->min_rows_per_label);
                }
                EXPECT_FALSE(subword_auto_decision(r.size(), labels, off, texts_given).used);
                EXPECT_FALSE(subword_auto_decision(r.size(), labels, on, texts_given).used);
            }
    // Counts the rows cannot give: 150 labels, CLINC150 5-shot's shape.
    const std::vector<std::string> many = texts(7500);
    EXPECT_TRUE(subword_auto_decision(750, 150, ModelOptions{}, &many).on);
    EXPECT_FALSE(subword_auto_decision(1500, 150, ModelOptions{}, &many).on);
    EXPECT_EQ(subword_auto_decision(750, 150, ModelOptions{}, nullptr).reason,
              SubwordAutoReason::TextsNotGiven);
}

TEST(SubwordAutoRule, AutoModeIsTheOptionNotGiven) {
    EXPECT_TRUE(ModelOptions{}.subword_auto_mode());
    EXPECT_FALSE(with(R"({"subword_vectors": false})").subword_auto_mode());
    EXPECT_FALSE(with(R"({"subword_vectors": true})").subword_auto_mode());
    EXPECT_FALSE(with(R"({"subword_vectors": {"dim": 8}})").subword_auto_mode());
    EXPECT_TRUE(with(R"({"subword_vectors": "auto"})").subword_auto_mode());
}
