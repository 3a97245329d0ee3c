// The subword_vectors training option: parsing and its errors, the block in
// the trained model's rows, and format 4 (the vectors stored with the
// model, so serving computes the block training did). With the option off,
// nothing changes: format 3, the same bytes.
#include "crc32c.h"
#include "errors.h"
#include "model.h"
#include "options.h"
#include "training.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

using namespace intent;

namespace {

std::vector<LabeledText> rows() {
    const char *objects[] = {"la camiseta", "el pantalón", "las zapatillas", "el abrigo",  "la mochila",
                             "el vestido",  "la gorra",    "el reloj",       "la bufanda", "el bolso"};
    const char *returns[] = {"quiero devolver %s", "cómo devuelvo %s", "necesito devolver %s ya"};
    const char *shipping[] = {"dónde está %s que pedí", "%s no ha llegado", "el envío de %s va con retraso"};
    const char *payment[] = {"me cobraron dos veces %s", "no puedo pagar %s con tarjeta",
                             "el pago de %s fue rechazado"};
    const std::pair<const char *const *, const char *> intents[] = {
        {returns, "return_process"}, {shipping, "shipping_problem"}, {payment, "payment_issue"}};
    std::vector<LabeledText> out;
    char buf[160];
    for (size_t i = 0; i < 30; ++i)
        for (const auto &in : intents) {
            std::snprintf(buf, sizeof buf, in.first[i % 3], objects[(i / 3 + i) % 10]);
            LabeledText t;
            t.text = buf;
            t.label = in.second;
            out.push_back(t);
        }
    return out;
}

ModelOptions with(const std::string &json) {
    ModelOptions o;
    o.apply_json(json);
    return o;
}

std::string option_error(const std::string &json) {
    try {
        with(json);
    } catch (const Error &e) {
        EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
        return std::string(e.what()) + " | " + e.detail();
    }
    return "no error";
}

IntentModel load(const std::string &blob) {
    return IntentModel::deserialize(reinterpret_cast<const uint8_t *>(blob.data()), blob.size());
}

} // namespace

TEST(SubwordOption, ParsesTrueFalseAndObjects) {
    EXPECT_FALSE(ModelOptions{}.subword_vectors);
    EXPECT_TRUE(with(R"({"subword_vectors": true})").subword_vectors);
    EXPECT_FALSE(with(R"({"subword_vectors": false})").subword_vectors);
    const ModelOptions o = with(R"({"subword_vectors": {"dim": 8, "epochs": 2, "buckets": 4096,
        "learning_rate": 0.1, "min_n": 2, "max_n": 4, "weight": 1.5}})");
    EXPECT_TRUE(o.subword_vectors);
    EXPECT_EQ(o.subword.dim, 8u);
    EXPECT_EQ(o.subword.epochs, 2u);
    EXPECT_EQ(o.subword.buckets, 4096u);
    EXPECT_EQ(o.subword.learning_rate, 0.1);
    EXPECT_EQ(o.subword.min_n, 2u);
    EXPECT_EQ(o.subword.max_n, 4u);
    EXPECT_EQ(o.subword_weight, 1.5);
    // Written back only when on, and read back the same.
    EXPECT_EQ(ModelOptions{}.as_json().count("subword_vectors"), 0u);
    const ModelOptions back = with(o.to_json());
    EXPECT_EQ(back.subword, o.subword);
    EXPECT_EQ(back.subword_weight, o.subword_weight);
}

TEST(SubwordOption, BadValuesNameTheOption) {
    for (const char *bad :
         {R"({"subword_vectors": 1})", R"({"subword_vectors": "yes"})",
          R"({"subword_vectors": {"dimension": 8}})", R"({"subword_vectors": {"dim": 0}})",
          R"({"subword_vectors": {"dim": 8.5}})", R"({"subword_vectors": {"epochs": 101}})",
          R"({"subword_vectors": {"learning_rate": 0}})", R"({"subword_vectors": {"min_n": 5, "max_n": 4}})",
          R"({"subword_vectors": {"weight": -1}})",
          R"({"subword_vectors": {"dim": 256, "buckets": 4194304}})"}) {
        const std::string e = option_error(bad);
        EXPECT_NE(e.find("invalid value for training option \"subword_vectors\""), std::string::npos)
            << bad << ": " << e;
    }
    EXPECT_NE(option_error(R"({"subword_vectors": {"dim": 256, "buckets": 4194304}})").find("64 MiB"),
              std::string::npos);
}

TEST(SubwordTraining, OffKeepsFormat3AndTheSameBytes) {
    const TrainedModel a = train_model(rows(), ModelOptions{}, TrainCallbacks{});
    const TrainedModel b = train_model(rows(), with(R"({"subword_vectors": false})"), TrainCallbacks{});
    EXPECT_EQ(a.model.format_version(), IntentModel::kFormatVersion);
    EXPECT_EQ(a.model.serialize(), b.model.serialize());
    EXPECT_EQ(a.model.vectorizer().subword(), nullptr);
}

TEST(SubwordTraining, OnAddsTheBlockAndStoresTheVectors) {
    const ModelOptions options = with(R"({"subword_vectors": {"buckets": 4096}})");
    const TrainedModel t = train_model(rows(), options, TrainCallbacks{});
    const IntentModel &m = t.model;
    ASSERT_NE(m.vectorizer().subword(), nullptr);
    EXPECT_EQ(m.format_version(), IntentModel::kSubwordFormatVersion);
    EXPECT_EQ(m.num_features(), m.vectorizer().tfidf_features() + 16);

    // A row ends with the block: weight 2 x a unit vector.
    PredictScratch scratch;
    m.probabilities("quiero devolver la gorra", scratch);
    double block = 0;
    for (size_t j = 0; j < scratch.row.nnz(); ++j)
        if (scratch.row.index[j] >= m.vectorizer().tfidf_features())
            block += double(scratch.row.value[j]) * scratch.row.value[j];
    EXPECT_NEAR(block, 4.0, 1e-4);

    // Stored and loaded: the same predictions, and the same bytes again.
    const std::string blob = m.serialize();
    const IntentModel back = load(blob);
    EXPECT_EQ(back.format_version(), IntentModel::kSubwordFormatVersion);
    EXPECT_EQ(back.serialize(), blob);
    PredictScratch s2;
    for (const char *text :
         {"quiero devolver la gorra", "el pago fue rechazdo", "no ha llegado mi bolso", ""}) {
        m.probabilities(text, scratch);
        back.probabilities(text, s2);
        EXPECT_EQ(scratch.probs, s2.probs) << text;
        EXPECT_EQ(m.predict(text, 1, scratch).label, back.predict(text, 1, s2).label) << text;
    }
    // The same rows and options train the same bytes.
    EXPECT_EQ(train_model(rows(), options, TrainCallbacks{}).model.serialize(), blob);

    // An explanation names the block's columns.
    const Explanation e = m.explain("quiero devolver la gorra", -1, 1000, scratch);
    bool named = false;
    for (const TermContribution &c : e.terms)
        if (c.kind == FeatureKind::Subword) named = named || c.term.rfind("subword:", 0) == 0;
    EXPECT_TRUE(named);
}

TEST(SubwordTraining, UnlabelledTextsOnlyFeedTheVectors) {
    const ModelOptions options = with(R"({"subword_vectors": {"buckets": 4096}})");
    const std::vector<std::string> more = {"mi pedido no llega", "devolver unas botas", "tarjeta rechazada"};
    const TrainedModel a = train_model(rows(), options, TrainCallbacks{});
    const TrainedModel b = train_model(rows(), options, TrainCallbacks{}, nullptr, &more);
    EXPECT_EQ(a.model.vectorizer().terms(), b.model.vectorizer().terms()); // the TF-IDF vocabulary
    EXPECT_GT(b.model.vectorizer().subword()->words().size(), a.model.vectorizer().subword()->words().size());
}

TEST(SubwordTraining, Format4BlobsRefuseCorruption) {
    const TrainedModel t =
        train_model(rows(), with(R"({"subword_vectors": {"buckets": 4096}})"), TrainCallbacks{});
    std::string blob = t.model.serialize();
    // A flipped byte in the table fails the checksum; a truncated blob too.
    std::string flipped = blob;
    flipped[blob.size() - 40] ^= 0x5A;
    EXPECT_THROW(load(flipped), Error);
    EXPECT_THROW(load(blob.substr(0, blob.size() - 100)), Error);
    // Relabelled format 3 (checksum made right): its options ask for
    // subword vectors, which format 3 cannot hold.
    std::string as3 = blob;
    as3[8] = 3;
    const size_t body = as3.size() - 4;
    const uint32_t crc = crc32c(reinterpret_cast<const uint8_t *>(as3.data()), body);
    for (int i = 0; i < 4; ++i)
        as3[body + i] = static_cast<char>((crc >> (8 * i)) & 0xFF);
    try {
        load(as3);
        FAIL() << "loaded";
    } catch (const Error &e) {
        EXPECT_EQ(e.kind(), ErrorKind::CorruptModel);
        EXPECT_NE(e.detail().find("subword"), std::string::npos) << e.detail();
    }
}
