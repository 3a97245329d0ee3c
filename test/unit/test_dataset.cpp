// Dataset preparation: de-duplication, conflict rules, the out-of-scope
// label, fresh rows; the evaluation plan (stratified folds, holdout, the size
// rule); typo variants; and the portable generator behind them.
#include "dataset.h"
#include "errors.h"
#include "folds.h"
#include "typos.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <map>
#include <set>

using namespace intent;

namespace {

LabeledText row(const std::string &text, const std::string &label, float weight = 1.0f,
                bool corrected = false, bool fresh = false) {
    return LabeledText{text, label, weight, corrected, fresh};
}

PreparedDataset prepare(const std::vector<LabeledText> &rows) {
    return prepare_dataset(rows, TextOptions{}, "out_of_scope");
}

} // namespace

// splitmix64 reference outputs for seed 0 (Vigna's splitmix64.c).
TEST(Rng, MatchesSplitmix64Reference) {
    Rng r(0);
    EXPECT_EQ(r.next(), 0xE220A8397B1DCDAFULL);
    EXPECT_EQ(r.next(), 0x6E789E6AA1B965F4ULL);
    EXPECT_EQ(r.next(), 0x06C45D188009454FULL);
}

TEST(Rng, BelowStaysInRangeAndCoversIt) {
    Rng r(5);
    std::vector<int> seen(7, 0);
    for (int i = 0; i < 7000; ++i) {
        const uint64_t v = r.below(7);
        ASSERT_LT(v, 7u);
        ++seen[v];
    }
    for (int c : seen)
        EXPECT_GT(c, 800); // about 1000 each
    EXPECT_EQ(r.below(1), 0u);
}

// Texts equal after normalisation (case, accents, punctuation) merge into the
// first one seen; the raw first text and its row are kept.
TEST(Dataset, DeduplicatesNormalisedTexts) {
    const std::vector<LabeledText> rows = {
        row("¿Dónde está mi pedido?", "shipping"), row("Quiero devolver", "return"),
        row("donde esta mi PEDIDO", "shipping"), row("  DÓNDE   está mi pedido!! ", "shipping", 2.0f)};
    const PreparedDataset d = prepare(rows);
    EXPECT_EQ(d.input_rows, 4u);
    EXPECT_EQ(d.duplicates_removed, 2u);
    EXPECT_EQ(d.conflicts_resolved, 0u);
    ASSERT_EQ(d.texts.size(), 2u);
    EXPECT_EQ(d.texts[0], "¿Dónde está mi pedido?");
    EXPECT_EQ(d.source_row[0], 0u);
    EXPECT_EQ(d.source_row[1], 1u);
    EXPECT_EQ(d.labels, (std::vector<std::string>{"return", "shipping"}));
    EXPECT_EQ(d.y, (std::vector<int>{1, 0}));
    EXPECT_FLOAT_EQ(d.weight[0], 2.0f); // max weight among its voters
    EXPECT_EQ(d.entry_of_row, (std::vector<int32_t>{0, 1, 0, 0}));
    EXPECT_EQ(d.intent_rows, (std::vector<size_t>{1, 1}));
}

// Majority wins even against a corrected minority.
TEST(Dataset, ConflictMajorityWins) {
    const std::vector<LabeledText> rows = {row("x y", "a", 1.0f, true), row("X Y!", "b", 1.5f),
                                           row("x y", "b", 3.0f)};
    const PreparedDataset d = prepare(rows);
    ASSERT_EQ(d.texts.size(), 1u);
    EXPECT_EQ(d.labels, (std::vector<std::string>{"b"}));
    EXPECT_EQ(d.y[0], 0);
    EXPECT_EQ(d.conflicts_resolved, 1u);
    EXPECT_EQ(d.duplicates_removed, 2u);
    EXPECT_FLOAT_EQ(d.weight[0], 3.0f); // only rows voting for b count
    EXPECT_FALSE(d.corrected[0]);
    EXPECT_EQ(d.texts[0], "x y");
}

// A tie goes to the label backed by a corrected row, else to the smallest.
TEST(Dataset, ConflictTieRules) {
    const std::vector<LabeledText> rows = {
        row("uno", "zeta"),
        row("uno", "alfa"), // tie, nobody corrected -> alfa
        row("dos", "zeta", 2.0f, true),
        row("dos", "alfa"), // tie, corrected zeta -> zeta
        row("tres", "zeta", 1.0f, true),
        row("tres", "alfa", 1.0f, true), // both corrected -> alfa
    };
    const PreparedDataset d = prepare(rows);
    ASSERT_EQ(d.texts.size(), 3u);
    EXPECT_EQ(d.conflicts_resolved, 3u);
    EXPECT_EQ(d.labels, (std::vector<std::string>{"alfa", "zeta"}));
    EXPECT_EQ(d.labels[static_cast<size_t>(d.y[0])], "alfa");
    EXPECT_EQ(d.labels[static_cast<size_t>(d.y[1])], "zeta");
    EXPECT_TRUE(d.corrected[1]);
    EXPECT_FLOAT_EQ(d.weight[1], 2.0f);
    EXPECT_EQ(d.labels[static_cast<size_t>(d.y[2])], "alfa");
}

// Rows that normalise to nothing are dropped and counted; bad input throws.
TEST(Dataset, EmptyRowsAndBadInput) {
    const PreparedDataset d = prepare({row("¿?¡!", "a"), row("   ", "a"), row("hola", "a")});
    EXPECT_EQ(d.empty_removed, 2u);
    EXPECT_EQ(d.texts.size(), 1u);
    EXPECT_EQ(d.source_row[0], 2u);
    EXPECT_EQ(d.entry_of_row, (std::vector<int32_t>{-1, -1, 0}));
    try {
        prepare({row("ok", "a"), row(std::string("bad \xC3", 5), "a")});
        FAIL() << "expected InvalidText";
    } catch (const Error &e) {
        EXPECT_EQ(e.kind(), ErrorKind::InvalidText);
        EXPECT_NE(e.detail().find("row 1"), std::string::npos) << e.detail();
    }
    EXPECT_THROW(prepare({row("hola", "")}), Error);
    EXPECT_THROW(prepare({row("hola", "a", 0.0f)}), Error);
    EXPECT_THROW(prepare({row("hola", std::string("a\0b", 3))}), Error);
    const PreparedDataset none = prepare({});
    EXPECT_TRUE(none.texts.empty());
    EXPECT_TRUE(none.labels.empty());
}

// Out-of-scope rows become kOutOfScope entries and never an intent.
TEST(Dataset, OutOfScopeLabelIsNoIntent) {
    const PreparedDataset d = prepare({row("hola", "greeting"), row("el clima de hoy", "out_of_scope"),
                                       row("adios", "bye"), row("qué hora es", "out_of_scope")});
    EXPECT_EQ(d.labels, (std::vector<std::string>{"bye", "greeting"}));
    EXPECT_EQ(d.y, (std::vector<int>{1, kOutOfScope, 0, kOutOfScope}));
    EXPECT_EQ(d.out_of_scope_entries, 2u);
    EXPECT_EQ(d.out_of_scope_intent, "out_of_scope");
    // Another reserved label makes "out_of_scope" an ordinary intent.
    const PreparedDataset e =
        prepare_dataset({row("hola", "greeting"), row("clima", "out_of_scope")}, TextOptions{}, "oos");
    EXPECT_EQ(e.labels, (std::vector<std::string>{"greeting", "out_of_scope"}));
    EXPECT_EQ(e.out_of_scope_entries, 0u);
}

// A text is fresh only when every row merged into it is: the active model saw
// it otherwise.
TEST(Dataset, FreshNeedsEveryDuplicateFresh) {
    const PreparedDataset d = prepare({row("uno", "a", 1, false, true), row("dos", "a", 1, false, false),
                                       row("UNO!", "a", 1, false, true), row("tres", "b", 1, false, true),
                                       row("Tres", "b", 1, false, false)});
    ASSERT_EQ(d.texts.size(), 3u);
    EXPECT_EQ(d.fresh, (std::vector<bool>{true, false, false}));
}

// ------------------------------------------------------------ folds

// Every entry in exactly one fold; folds within one of each other in size;
// each stratum spread evenly; seeded.
TEST(Folds, StratifiedFoldsAreBalancedAndSeeded) {
    std::vector<int> strata;
    for (int c = 0; c < 4; ++c)
        for (int i = 0; i < 10 + 3 * c; ++i)
            strata.push_back(c);
    strata.push_back(kOutOfScope);
    strata.push_back(kOutOfScope);
    const std::vector<int> f = stratified_folds(strata, 5, 42);
    ASSERT_EQ(f.size(), strata.size());
    std::map<int, size_t> size;
    std::map<std::pair<int, int>, size_t> per;
    for (size_t i = 0; i < f.size(); ++i) {
        ASSERT_GE(f[i], 0);
        ASSERT_LT(f[i], 5);
        ++size[f[i]];
        ++per[std::make_pair(strata[i], f[i])];
    }
    size_t lo = SIZE_MAX, hi = 0;
    for (auto &kv : size) {
        lo = std::min(lo, kv.second);
        hi = std::max(hi, kv.second);
    }
    EXPECT_LE(hi - lo, 1u);
    for (int c = 0; c < 4; ++c) { // 10 + 3c rows over 5 folds: 2..4 per fold
        for (int k = 0; k < 5; ++k) {
            EXPECT_GE(per[std::make_pair(c, k)], size_t(2 + (3 * c) / 5)) << c << "/" << k;
            EXPECT_LE(per[std::make_pair(c, k)], size_t(2 + (3 * c + 4) / 5)) << c << "/" << k;
        }
    }
    EXPECT_EQ(stratified_folds(strata, 5, 42), f);
    EXPECT_NE(stratified_folds(strata, 5, 7), f);
}

// The holdout keeps one row of every stratum out of it.
TEST(Folds, HoldoutNeverTakesAnIntentsLastRow) {
    const std::vector<int> strata = {0, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2};
    const std::vector<int> f = stratified_holdout(strata, 0.5, 1);
    size_t held[3] = {0, 0, 0};
    for (size_t i = 0; i < f.size(); ++i)
        if (f[i] == 0) ++held[strata[i]];
    EXPECT_EQ(held[0], 0u); // 1 row: round(0.5) = 1, but one must stay
    EXPECT_EQ(held[1], 1u); // 2 rows: round(1) = 1
    EXPECT_EQ(held[2], 5u); // 10 rows: 5
}

// The size rule: 5 folds up to 0.25M work, 3 up to 1M, 2 beyond; options win.
TEST(Folds, SizeRuleChoosesFoldsByWork) {
    EvaluationOptions o;
    std::vector<int> strata(1000, 0);
    for (size_t i = 0; i < strata.size(); ++i)
        strata[i] = static_cast<int>(i % 10);
    EXPECT_EQ(fit_work(1000, 10), 1000.0 * 2 * 16); // 10 classes: two blocks
    EXPECT_EQ(fit_work(1000, 700), 1000.0 * 44 * 16);
    EXPECT_EQ(fit_work(1000, 3), 1000.0 * 16);
    EXPECT_EQ(plan_evaluation(strata, 1000, 10, o).folds, 5u);  // 32k
    EXPECT_EQ(plan_evaluation(strata, 1000, 700, o).folds, 3u); // 0.7M
    EXPECT_EQ(plan_evaluation(strata, 2000, 700, o).folds, 2u); // 1.4M with typo variants
    EXPECT_EQ(plan_evaluation(strata, 1000, 5000, o).method, EvaluationMethod::CrossValidation);
    // the report words the reason from its code (issue 36)
    EXPECT_EQ(plan_evaluation(strata, 1000, 10, o).reason_code, EvaluationReason::SizeRule);
    o.folds = 4;
    EXPECT_EQ(plan_evaluation(strata, 1000, 5000, o).folds, 4u);
    EXPECT_EQ(plan_evaluation(strata, 1000, 5000, o).reason_code, EvaluationReason::FoldsGiven);
    EXPECT_STREQ(evaluation_reason_code(EvaluationReason::FoldsGiven), "cv_folds");
    o.folds = 0;
    o.method = EvaluationMethod::Holdout;
    const EvaluationPlan h = plan_evaluation(strata, 1000, 10, o);
    EXPECT_EQ(h.reason_code, EvaluationReason::MethodGiven);
    EXPECT_EQ(h.method, EvaluationMethod::Holdout);
    EXPECT_EQ(h.folds, 1u);
    size_t held = 0;
    for (int f : h.fold)
        held += f == 0;
    EXPECT_EQ(held, 200u); // 20 % of every class
    // Never more folds than entries.
    o.method = EvaluationMethod::CrossValidation;
    o.folds = 10;
    EXPECT_EQ(plan_evaluation({0, 1, 1}, 3, 2, o).folds, 3u);
}

// ------------------------------------------------------------ typos

TEST(Typos, VariantsAreDeterministicSmallAndValidUtf8) {
    const std::string text = "¿Dónde está mi pedido número 48213? Quiero devolverlo";
    const std::string a = typo_variant(text, 42, 0);
    EXPECT_EQ(a, typo_variant(text, 42, 0));
    EXPECT_NE(a, text);
    EXPECT_NE(typo_variant(text, 42, 1), a); // another variant
    // Only letters change: the number and the punctuation stay.
    EXPECT_NE(a.find("48213"), std::string::npos) << a;
    EXPECT_NE(a.find("¿"), std::string::npos) << a;
    // At most two words differ, each by at most two characters of length.
    EXPECT_LE(std::abs(static_cast<long>(a.size()) - static_cast<long>(text.size())), 4) << a;
    EXPECT_NO_THROW(normalize_text(a, TextOptions{})) << a;
    // Many seeds: always valid UTF-8, never more than two words touched.
    for (uint64_t seed = 0; seed < 300; ++seed) {
        const std::string v = typo_variant(text, seed, 0);
        EXPECT_NO_THROW(normalize_text(v, TextOptions{})) << v;
        const auto tv = tokenize(v, TextOptions{}), tt = tokenize(text, TextOptions{});
        size_t differ = 0;
        for (size_t i = 0; i < std::min(tv.size(), tt.size()); ++i)
            differ += tv[i] != tt[i];
        EXPECT_EQ(tv.size(), tt.size()) << v;
        EXPECT_LE(differ, 2u) << v;
        EXPECT_GE(differ, 1u) << v;
    }
    // Nothing long enough to misspell: unchanged.
    EXPECT_EQ(typo_variant("ok sí 42", 1, 0), "ok sí 42");
}
