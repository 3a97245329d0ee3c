// The training memory budget end to end: train_model charges its large
// buffers to callbacks.memory, fails with Error(ResourceLimit) before
// allocating what would not fit, releases every charge, and a budget that
// fits gives the same model bytes as no budget.
#include "errors.h"
#include "memory_budget.h"
#include "training.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

using namespace intent;

namespace {

std::vector<LabeledText> budget_rows(size_t per) {
    const char *templates[][3] = {{"quiero devolver %s", "cómo devuelvo %s", "devolución de %s"},
                                  {"dónde está %s", "%s no ha llegado", "el envío de %s va tarde"},
                                  {"me cobraron dos veces %s", "no puedo pagar %s", "el pago de %s falló"},
                                  {"tenéis %s en talla m", "hay stock de %s", "queda %s en azul"},
                                  {"quiero cambiar %s", "cambio de talla de %s", "puedo cambiar %s"}};
    const char *labels[] = {"return", "shipping", "payment", "stock", "exchange"};
    const char *objects[] = {"la camiseta", "el pantalón", "las zapatillas", "el abrigo", "la mochila",
                             "el vestido",  "la gorra",    "el reloj",       "el bolso",  "la falda"};
    std::vector<LabeledText> rows;
    char buf[160];
    for (size_t i = 0; i < per; ++i)
        for (size_t c = 0; c < 5; ++c) {
            std::snprintf(buf, sizeof buf, templates[c][i % 3], objects[i % 10]);
            LabeledText r;
            r.text = std::string(buf) + " pedido " + std::to_string(i);
            r.label = labels[c];
            r.fresh = i % 4 == 0;
            rows.push_back(std::move(r));
        }
    return rows;
}

std::string train_bytes(const std::vector<LabeledText> &rows, const ModelOptions &o, MemoryBudget *budget,
                        const IntentModel *active = nullptr) {
    TrainCallbacks cb;
    cb.memory = budget;
    return train_model(rows, o, cb, active).model.serialize();
}

} // namespace

TEST(TrainingBudget, TooSmallFailsWithResourceLimitAndReleasesEverything) {
    const auto rows = budget_rows(200);
    ModelOptions o;
    o.learner.threads = 2;
    MemoryBudget roomy(size_t{2048} << 20);
    train_bytes(rows, o, &roomy);
    for (size_t limit : {size_t{1} << 10, size_t{64} << 10, roomy.peak() / 4}) {
        MemoryBudget budget(limit);
        try {
            train_bytes(rows, o, &budget);
            FAIL() << "a " << limit << "-byte budget should not hold a training run";
        } catch (const Error &e) {
            EXPECT_EQ(e.kind(), ErrorKind::ResourceLimit) << e.what();
            EXPECT_NE(e.detail().find("limit"), std::string::npos) << e.detail();
        }
        EXPECT_EQ(budget.used(), 0u) << "every charge is released when the run fails";
        EXPECT_LE(budget.peak(), limit);
    }
}

TEST(TrainingBudget, AdequateBudgetGivesTheSameModelBytes) {
    const auto rows = budget_rows(200);
    for (int typos : {0, 1}) {
        ModelOptions o;
        o.learner.threads = 2;
        o.typo_variants = typos;
        const std::string free_bytes = train_bytes(rows, o, nullptr);
        MemoryBudget roomy(size_t{2048} << 20);
        EXPECT_EQ(train_bytes(rows, o, &roomy), free_bytes);
        EXPECT_EQ(roomy.used(), 0u);
        EXPECT_GT(roomy.peak(), size_t{1} << 20) << "the run charged its buffers";
        // Charges are deterministic: a budget of exactly the peak holds the
        // same run again.
        MemoryBudget exact(roomy.peak());
        EXPECT_EQ(train_bytes(rows, o, &exact), free_bytes);
        EXPECT_EQ(exact.peak(), roomy.peak());
    }
}

TEST(TrainingBudget, GateFoldsAreChargedToo) {
    const auto rows = budget_rows(120);
    ModelOptions o;
    o.learner.threads = 2;
    const TrainedModel active = train_model(budget_rows(60), o, TrainCallbacks{});
    const std::string free_bytes = train_bytes(rows, o, nullptr, &active.model);
    MemoryBudget roomy(size_t{2048} << 20);
    EXPECT_EQ(train_bytes(rows, o, &roomy, &active.model), free_bytes);
    EXPECT_EQ(roomy.used(), 0u);
}

TEST(TrainingBudget, ThreadCountDoesNotChangeTheModel) {
    const auto rows = budget_rows(150);
    ModelOptions one, two;
    one.learner.threads = 1;
    two.learner.threads = 3;
    MemoryBudget b1(size_t{512} << 20), b2(size_t{512} << 20);
    const TrainedModel m1 = [&] {
        TrainCallbacks cb;
        cb.memory = &b1;
        return train_model(rows, one, cb);
    }();
    const TrainedModel m2 = [&] {
        TrainCallbacks cb;
        cb.memory = &b2;
        return train_model(rows, two, cb);
    }();
    // The stored options record the thread count asked for; the weights,
    // calibration and thresholds do not depend on it.
    EXPECT_EQ(m1.report.oof.accuracy, m2.report.oof.accuracy);
    EXPECT_EQ(m1.report.calibrator.scale, m2.report.calibrator.scale);
    EXPECT_EQ(m1.report.threshold.per_intent, m2.report.threshold.per_intent);
    for (size_t r = 0; r < rows.size(); ++r) {
        EXPECT_EQ(m1.report.rows[r].confidence, m2.report.rows[r].confidence);
        EXPECT_EQ(m1.report.rows[r].fold, m2.report.rows[r].fold);
    }
}

// The subword vectors' training holds more than the tables it keeps: the
// word counts, the vocabulary, every text as word ids (the texts without a
// label too) and each word's rows. It charges them while it runs, and reads
// the texts without a label where they are instead of copying the training
// rows' texts beside them. Texts without a label made of the training rows'
// own words leave the vocabulary and the tables kept as they are: only what
// training holds while it runs grows with them.
TEST(TrainingBudget, SubwordTrainingChargesTheTextsItHolds) {
    const auto rows = budget_rows(20);
    ModelOptions o;
    o.learner.threads = 1;
    o.apply_json(R"({"subword_vectors": {"epochs": 1, "dim": 8, "buckets": 1000, "weight": 1}})");
    std::vector<std::string> unlabelled;
    size_t unlabelled_words = 0;
    for (size_t i = 0; i < 40000; ++i) {
        std::string t;
        for (size_t j = 0; j < 3; ++j)
            t += (j ? " " : "") + rows[(i * 7 + j * 13) % rows.size()].text;
        unlabelled_words += static_cast<size_t>(std::count(t.begin(), t.end(), ' ')) + 1;
        unlabelled.push_back(std::move(t));
    }
    auto peak = [&](const std::vector<std::string> *more) {
        MemoryBudget roomy(size_t{2048} << 20);
        TrainCallbacks cb;
        cb.memory = &roomy;
        train_model(rows, o, cb, nullptr, more);
        EXPECT_EQ(roomy.used(), 0u);
        return roomy.peak();
    };
    const size_t without = peak(nullptr);
    const size_t with = peak(&unlabelled);
    // Each of their words is held as a 4-byte id while the vectors train.
    const size_t ids = unlabelled_words * sizeof(int32_t);
    ASSERT_GT(ids, without) << "enough texts without a label to tell";
    EXPECT_GE(with, ids) << "the texts' word ids are charged";
    // A budget that holds the run without them does not hold it with them.
    MemoryBudget tight(without);
    TrainCallbacks cb;
    cb.memory = &tight;
    try {
        train_model(rows, o, cb, nullptr, &unlabelled);
        ADD_FAILURE() << "a " << without << "-byte budget held the subword training of " << unlabelled.size()
                      << " more texts";
    } catch (const Error &e) {
        EXPECT_EQ(e.kind(), ErrorKind::ResourceLimit) << e.what();
    }
    EXPECT_EQ(tight.used(), 0u) << "every charge is released when the run fails";
}
