// Dataset preparation: de-duplication, conflict rules, the stratified split,
// and the portable generator behind it.
#include "dataset.h"
#include "errors.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <map>
#include <set>

using namespace intent;

namespace {

LabeledText row(const std::string &text, const std::string &label, float weight = 1.0f,
                bool corrected = false) {
    return LabeledText{text, label, weight, corrected};
}

SplitOptions no_split() {
    SplitOptions s;
    s.val_fraction = 0;
    s.test_fraction = 0;
    return s;
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
    const PreparedDataset d = prepare_dataset(rows, TextOptions{}, no_split());
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
    EXPECT_EQ(d.train, (std::vector<size_t>{0, 1}));
    EXPECT_TRUE(d.val.empty());
    EXPECT_TRUE(d.test.empty());
}

// Majority wins even against a corrected minority.
TEST(Dataset, ConflictMajorityWins) {
    const std::vector<LabeledText> rows = {row("x y", "a", 1.0f, true), row("X Y!", "b", 1.5f),
                                           row("x y", "b", 3.0f)};
    const PreparedDataset d = prepare_dataset(rows, TextOptions{}, no_split());
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
    const PreparedDataset d = prepare_dataset(rows, TextOptions{}, no_split());
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
    const PreparedDataset d =
        prepare_dataset({row("¿?¡!", "a"), row("   ", "a"), row("hola", "a")}, TextOptions{}, no_split());
    EXPECT_EQ(d.empty_removed, 2u);
    EXPECT_EQ(d.texts.size(), 1u);
    EXPECT_EQ(d.source_row[0], 2u);
    try {
        prepare_dataset({row("ok", "a"), row(std::string("bad \xC3", 5), "a")}, TextOptions{}, no_split());
        FAIL() << "expected InvalidText";
    } catch (const Error &e) {
        EXPECT_EQ(e.kind(), ErrorKind::InvalidText);
        EXPECT_NE(e.detail().find("row 1"), std::string::npos) << e.detail();
    }
    EXPECT_THROW(prepare_dataset({row("hola", "")}, TextOptions{}, no_split()), Error);
    EXPECT_THROW(prepare_dataset({row("hola", "a", 0.0f)}, TextOptions{}, no_split()), Error);
    const PreparedDataset none = prepare_dataset({}, TextOptions{}, SplitOptions{});
    EXPECT_TRUE(none.texts.empty());
    EXPECT_TRUE(none.labels.empty());
}

namespace {

// Class c gets sizes[c] distinct texts.
std::vector<LabeledText> sized_classes(const std::vector<size_t> &sizes) {
    std::vector<LabeledText> rows;
    for (size_t c = 0; c < sizes.size(); ++c)
        for (size_t i = 0; i < sizes[c]; ++i)
            rows.push_back(row("mensaje " + std::to_string(c) + " numero " + std::to_string(i),
                               "intent_" + std::string(1, static_cast<char>('a' + c))));
    return rows;
}

// Per class: {train, val, test} counts.
std::map<int, std::array<size_t, 3>> counts(const PreparedDataset &d) {
    std::map<int, std::array<size_t, 3>> m;
    for (size_t i : d.train)
        ++m[d.y[i]][0];
    for (size_t i : d.val)
        ++m[d.y[i]][1];
    for (size_t i : d.test)
        ++m[d.y[i]][2];
    return m;
}

} // namespace

// Sizes 1, 2, 3, 10, 20, 100 at 15/15: n < 3 stays in train (reported);
// 3 -> 1/1/1 (max(1, round(0.45))); 10 -> 6/2/2 (round(1.5) = 2);
// 20 -> 14/3/3; 100 -> 70/15/15.
TEST(Dataset, StratifiedSplitCounts) {
    const PreparedDataset d =
        prepare_dataset(sized_classes({1, 2, 3, 10, 20, 100}), TextOptions{}, SplitOptions{});
    const auto m = counts(d);
    using A = std::array<size_t, 3>;
    EXPECT_EQ(m.at(0), (A{1, 0, 0}));
    EXPECT_EQ(m.at(1), (A{2, 0, 0}));
    EXPECT_EQ(m.at(2), (A{1, 1, 1}));
    EXPECT_EQ(m.at(3), (A{6, 2, 2}));
    EXPECT_EQ(m.at(4), (A{14, 3, 3}));
    EXPECT_EQ(m.at(5), (A{70, 15, 15}));
    EXPECT_EQ(d.small_classes, (std::vector<std::string>{"intent_a", "intent_b"}));
    // Disjoint, complete, each sorted ascending.
    std::set<size_t> all;
    for (const auto *part : {&d.train, &d.val, &d.test}) {
        EXPECT_TRUE(std::is_sorted(part->begin(), part->end()));
        for (size_t i : *part)
            EXPECT_TRUE(all.insert(i).second) << "index " << i << " twice";
    }
    EXPECT_EQ(all.size(), d.texts.size());
}

// The seed alone decides the split.
TEST(Dataset, SplitIsSeeded) {
    const auto rows = sized_classes({30, 40, 50});
    SplitOptions s;
    const PreparedDataset a = prepare_dataset(rows, TextOptions{}, s);
    const PreparedDataset b = prepare_dataset(rows, TextOptions{}, s);
    EXPECT_EQ(a.train, b.train);
    EXPECT_EQ(a.val, b.val);
    EXPECT_EQ(a.test, b.test);
    s.seed = 7;
    const PreparedDataset c = prepare_dataset(rows, TextOptions{}, s);
    EXPECT_NE(a.test, c.test);
    EXPECT_EQ(counts(a), counts(c)); // same proportions, other rows
}

// Large fractions are cut back so one training row remains: n = 4 at
// 0.45/0.45 asks for 2 + 2; validation gives one back (test keeps 2).
// A zero fraction leaves that part empty.
TEST(Dataset, TrainKeepsAtLeastOneRow) {
    SplitOptions s;
    s.val_fraction = 0.45;
    s.test_fraction = 0.45;
    const PreparedDataset d = prepare_dataset(sized_classes({4, 3}), TextOptions{}, s);
    const auto m = counts(d);
    using A = std::array<size_t, 3>;
    EXPECT_EQ(m.at(0), (A{1, 1, 2}));
    EXPECT_EQ(m.at(1), (A{1, 1, 1}));
    s.val_fraction = 0;
    s.test_fraction = 0.2;
    const PreparedDataset e = prepare_dataset(sized_classes({10}), TextOptions{}, s);
    EXPECT_EQ(counts(e).at(0), (A{8, 0, 2}));
}

TEST(Dataset, SplitOptionsAreValidated) {
    SplitOptions s;
    s.val_fraction = 0.95;
    EXPECT_THROW(s.validate(), Error);
    s.val_fraction = 0.5;
    s.test_fraction = 0.5;
    EXPECT_THROW(s.validate(), Error);
    s.val_fraction = -0.1;
    s.test_fraction = 0.1;
    EXPECT_THROW(s.validate(), Error);
    s.val_fraction = 0.9;
    s.test_fraction = 0.0;
    EXPECT_NO_THROW(s.validate());
    EXPECT_THROW(prepare_dataset({row("a", "b")}, TextOptions{}, SplitOptions{0.6, 0.6, 1}), Error);
}
