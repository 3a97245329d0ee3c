// MemoryBudget and MemoryCharge; FeatureMatrix (narrow and wide entries,
// conversions, charges); the vectoriser's fit under a budget: identical
// results when the budget is ample, deterministic pruning when it is tight,
// Error(ResourceLimit) when nothing fits.
#include "bundled_data.h"
#include "errors.h"
#include "linear.h"
#include "memory_budget.h"
#include "sparse.h"
#include "vectorizer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

using namespace intent;

namespace {

// The bundled texts repeated with a distinct suffix per row: many n-grams
// seen once (the suffix, and the n-grams across it), like real traffic.
std::vector<std::string> many_texts(size_t n) {
    const std::vector<std::string> base = bundled::texts();
    std::vector<std::string> out(n);
    for (size_t i = 0; i < n; ++i)
        out[i] = base[i % base.size()] + " ref " + std::to_string(i * 7919);
    return out;
}

template <class Fn> std::string resource_error(Fn fn) {
    try {
        fn();
    } catch (const Error &e) {
        EXPECT_EQ(e.kind(), ErrorKind::ResourceLimit) << e.what();
        EXPECT_FALSE(e.hint().empty());
        return e.detail();
    }
    ADD_FAILURE() << "no ResourceLimit error";
    return "";
}

} // namespace

TEST(MemoryBudget, ChargesReleasesAndRefusesBeyondTheLimit) {
    MemoryBudget b(1000);
    b.charge(600, "the first thing");
    EXPECT_EQ(b.used(), 600u);
    EXPECT_EQ(b.available(), 400u);
    const std::string detail = resource_error([&] { b.charge(500, "the feature matrix"); });
    EXPECT_NE(detail.find("the feature matrix"), std::string::npos) << detail;
    EXPECT_EQ(b.used(), 600u) << "a refused charge adds nothing";
    EXPECT_FALSE(b.try_charge(401));
    EXPECT_TRUE(b.try_charge(400));
    b.release(1000);
    EXPECT_EQ(b.used(), 0u);
    EXPECT_EQ(b.peak(), 1000u);

    MemoryBudget unlimited;
    EXPECT_TRUE(unlimited.unlimited());
    unlimited.charge(size_t{1} << 50, "anything");
    EXPECT_EQ(unlimited.peak(), size_t{1} << 50);
}

TEST(MemoryBudget, ChargesAreReleasedOnScopeExitAndUnwinding) {
    MemoryBudget b(100);
    {
        MemoryCharge c(&b, 60, "x");
        c.add(20, "x");
        EXPECT_EQ(b.used(), 80u);
        MemoryCharge moved(std::move(c));
        EXPECT_EQ(moved.bytes(), 80u);
        EXPECT_EQ(c.bytes(), 0u);
    }
    EXPECT_EQ(b.used(), 0u);
    try {
        MemoryCharge c(&b, 70, "x");
        c.add(70, "y"); // throws
        ADD_FAILURE();
    } catch (const Error &) {
    }
    EXPECT_EQ(b.used(), 0u);
    MemoryCharge none(nullptr, 1u << 30, "no budget"); // a null budget charges nothing
    EXPECT_EQ(none.bytes(), 1u << 30);
}

TEST(FeatureMatrix, NarrowAndWideRoundTrip) {
    for (size_t cols : {size_t{30}, size_t{70000}}) {
        SparseMatrix m;
        m.cols = cols;
        m.append_row(SparseVector{{0, 5, static_cast<uint32_t>(cols - 1)}, {0.5f, -1.25f, 3.0f}});
        m.append_row(SparseVector{});
        m.append_row(SparseVector{{7}, {1e-30f}});
        FeatureMatrix f = FeatureMatrix::from_sparse(m);
        EXPECT_EQ(f.narrow(), cols <= 65536);
        EXPECT_EQ(f.rows(), 3u);
        EXPECT_EQ(f.nnz(), 4u);
        SparseMatrix back = f.to_sparse();
        EXPECT_EQ(back.row_ptr, m.row_ptr);
        EXPECT_EQ(back.col, m.col);
        EXPECT_EQ(back.val, m.val);
        FeatureMatrix picked = f.select_rows({2, 0});
        SparseVector row;
        picked.row(0, row);
        EXPECT_EQ(row.index, (std::vector<uint32_t>{7}));
        picked.row(1, row);
        EXPECT_EQ(row.value, (std::vector<float>{0.5f, -1.25f, 3.0f}));
    }
    FeatureMatrix f(10);
    EXPECT_THROW(f.append_row(SparseVector{{3, 10}, {1, 1}}), Error);
}

TEST(FeatureMatrix, ChargesItsBuffersAndReleasesThemWhenDestroyed) {
    MemoryBudget b(1 << 20);
    {
        FeatureMatrix f(100, &b);
        SparseVector row{{1, 2, 3}, {1, 2, 3}};
        for (int i = 0; i < 1000; ++i)
            f.append_row(row);
        EXPECT_GE(b.used(), f.memory_bytes());
        EXPECT_LE(b.peak(), b.limit());
        FeatureMatrix moved = std::move(f);
        EXPECT_EQ(moved.nnz(), 3000u);
    }
    EXPECT_EQ(b.used(), 0u);
    FeatureMatrix f(100, &b);
    resource_error([&] { f.reserve(10, 1 << 20); });
}

// An ample budget changes nothing: same vocabulary and rows, no pruning,
// and every charge is returned when the counter and matrix are freed.
TEST(FitUnderBudget, AmpleBudgetGivesTheUnbudgetedResult) {
    const std::vector<std::string> texts = many_texts(3000);
    SparseMatrix plain;
    Vectorizer a = Vectorizer::fit_transform(texts, FeatureOptions{}, plain);
    MemoryBudget budget(size_t{1} << 30);
    TrainCallbacks cb;
    cb.memory = &budget;
    FeatureMatrix compact;
    Vectorizer b = Vectorizer::fit_transform(texts, FeatureOptions{}, compact, &cb);
    EXPECT_EQ(a.terms(), b.terms());
    EXPECT_EQ(a.idf(), b.idf());
    EXPECT_EQ(b.fit_stats().prunings, 0u);
    EXPECT_EQ(b.fit_stats().texts, texts.size());
    EXPECT_GT(b.fit_stats().distinct_ngrams, a.num_features());
    const SparseMatrix back = compact.to_sparse();
    EXPECT_EQ(back.row_ptr, plain.row_ptr);
    EXPECT_EQ(back.col, plain.col);
    EXPECT_EQ(back.val, plain.val);
    EXPECT_EQ(budget.used(), compact.memory_bytes()) << "only the live matrix stays charged";
    EXPECT_GT(budget.peak(), budget.used()) << "the counting tables were charged while they lived";
    compact = FeatureMatrix();
    EXPECT_EQ(budget.used(), 0u);
}

// A tight budget makes the counter prune: the fit stays within the limit,
// is deterministic, and keeps the frequent n-grams.
TEST(FitUnderBudget, TightBudgetPrunesDeterministically) {
    const std::vector<std::string> texts = many_texts(40000);
    FeatureOptions o;
    o.max_features = 2000;
    o.max_char_features = 3000;
    MemoryBudget ample;
    TrainCallbacks cb_ample;
    cb_ample.memory = &ample;
    Vectorizer exact = Vectorizer::fit(texts, o, &cb_ample);
    ASSERT_EQ(exact.fit_stats().prunings, 0u);
    const size_t limit = ample.peak() / 3;

    std::vector<Vectorizer> runs;
    for (int run = 0; run < 2; ++run) {
        MemoryBudget budget(limit);
        TrainCallbacks cb;
        cb.memory = &budget;
        runs.push_back(Vectorizer::fit(texts, o, &cb));
        EXPECT_LE(budget.peak(), limit);
        EXPECT_EQ(budget.used(), 0u);
    }
    const Vectorizer &pruned = runs[0];
    EXPECT_GT(pruned.fit_stats().prunings, 0u);
    EXPECT_GE(pruned.fit_stats().prune_threshold, 1u);
    EXPECT_EQ(runs[0].terms(), runs[1].terms());
    EXPECT_EQ(runs[0].idf(), runs[1].idf());
    // Frequent n-grams survive, most of them with their exact counts: a gram
    // is only ever dropped while it has been seen in at most t texts.
    size_t kept = 0, same_df = 0;
    for (size_t i = 0; i < exact.num_features(); ++i) {
        auto it = std::find(pruned.terms().begin(), pruned.terms().end(), exact.terms()[i]);
        if (it == pruned.terms().end()) continue;
        ++kept;
        same_df += pruned.idf()[static_cast<size_t>(it - pruned.terms().begin())] == exact.idf()[i];
    }
    EXPECT_GT(kept, exact.num_features() * 9 / 10) << kept << " of " << exact.num_features();
    EXPECT_GT(same_df, kept * 9 / 10) << same_df << " of " << kept;
    std::printf("pruned %zu times (t = %u): kept %zu of %zu terms, %zu with their exact df\n",
                pruned.fit_stats().prunings, pruned.fit_stats().prune_threshold, kept, exact.num_features(),
                same_df);
}

TEST(FitUnderBudget, NothingFitsIsResourceLimit) {
    MemoryBudget budget(100000); // below the counter's initial table
    TrainCallbacks cb;
    cb.memory = &budget;
    resource_error([&] { Vectorizer::fit(many_texts(10), FeatureOptions{}, &cb); });
    EXPECT_EQ(budget.used(), 0u);
}
