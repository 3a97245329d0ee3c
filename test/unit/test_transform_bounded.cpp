// Vectorizer::transform_one in bounded memory: bit-identical to the 0.1.0
// algorithm (legacy_transform.h) on ordinary, long and hostile texts under
// many option sets; the same errors at the same offsets; memory independent
// of the input length; the cancel hook.
#include "bundled_data.h"
#include "errors.h"
#include "legacy_transform.h"
#include "odd_texts.h"
#include "vectorizer.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

using intent::Error;
using intent::ErrorKind;
using intent::FeatureOptions;
using intent::SparseVector;
using intent::Vectorizer;
using intent::VectorizerScratch;
using Strings = std::vector<std::string>;

namespace {

// Option sets that change what is enumerated and how it is weighed.
std::vector<FeatureOptions> option_sets() {
    std::vector<FeatureOptions> sets;
    sets.emplace_back(); // the defaults: words 1-3, chars 2-5, sublinear, smooth, L2
    FeatureOptions o;
    o.word_ngram_min = 2;
    o.word_ngram_max = 4;
    o.char_ngram_min = 1;
    o.char_ngram_max = 10;
    o.sublinear_tf = false;
    sets.push_back(o);
    o = FeatureOptions{};
    o.char_ngrams = false;
    o.word_ngram_max = 8;
    o.l2_normalize = false;
    sets.push_back(o);
    o = FeatureOptions{};
    o.char_ngram_min = 4;
    o.char_ngram_max = 4; // padded tokens shorter than 4 are emitted whole
    o.text.lowercase = false;
    o.text.fold_accents = false;
    o.smooth_idf = false;
    sets.push_back(o);
    o = FeatureOptions{};
    o.word_ngram_min = 1;
    o.word_ngram_max = 1;
    o.char_ngram_min = 5;
    o.char_ngram_max = 9;
    o.max_features = 50;
    o.max_char_features = 200;
    sets.push_back(o);
    return sets;
}

// Same indices and the same value bits.
void expect_same_row(const SparseVector &expected, const SparseVector &got, size_t text) {
    ASSERT_EQ(expected.index, got.index) << "text " << text;
    ASSERT_EQ(expected.value.size(), got.value.size()) << "text " << text;
    if (!expected.value.empty()) // (memcmp of empty vectors' null pointers is undefined)
        ASSERT_EQ(0,
                  std::memcmp(expected.value.data(), got.value.data(), expected.value.size() * sizeof(float)))
            << "text " << text;
}

// The error transform_one throws for `text`, as "kind|detail", or "" when none.
template <class Fn> std::string error_of(Fn fn) {
    try {
        fn();
    } catch (const Error &e) {
        return std::to_string(static_cast<int>(e.kind())) + "|" + e.what() + "|" + e.detail();
    }
    return "";
}

void expect_matches_legacy(const Vectorizer &v, const Strings &texts) {
    legacy::Transformer old(v);
    VectorizerScratch scratch; // reused across texts, as the backend does
    SparseVector a, b;
    for (size_t i = 0; i < texts.size(); ++i) {
        old.transform_one(texts[i], a);
        v.transform_one(texts[i], b, scratch);
        expect_same_row(a, b, i);
        if (::testing::Test::HasFatalFailure()) return;
    }
}

} // namespace

TEST(TransformBounded, MatchesLegacyOnBundledAndOddTexts) {
    const Strings data = bundled::texts();
    ASSERT_GT(data.size(), 1000u);
    Strings all = data;
    const Strings odd_ones = odd::texts(2024, 300);
    all.insert(all.end(), odd_ones.begin(), odd_ones.end());
    for (const FeatureOptions &o : option_sets()) {
        // A vocabulary from ordinary data, and one that also knows the odd
        // texts' n-grams (so long runs hit features many times).
        expect_matches_legacy(Vectorizer::fit(data, o), all);
        expect_matches_legacy(Vectorizer::fit(all, o), all);
    }
}

TEST(TransformBounded, MatchesLegacyWithEmptyVocabulary) {
    Vectorizer empty = Vectorizer::from_parts(FeatureOptions{}, {}, {}, {});
    expect_matches_legacy(empty, odd::texts(7, 20));
}

// Invalid bytes anywhere, in particular next to the piece boundaries, fail
// with the same error and byte offset as the whole-text normaliser.
TEST(TransformBounded, InvalidUtf8FailsAtTheSameOffset) {
    Vectorizer v = Vectorizer::fit(bundled::texts(), FeatureOptions{});
    legacy::Transformer old(v);
    VectorizerScratch scratch;
    SparseVector a, b;
    const std::string base = odd::repeat("dónde está 😀 mi pedido ", 3 * Vectorizer::kPieceBytes + 100);
    const Strings bad = {"\x80", "\xC3",     "\xE2\x82",     "\xF0\x9F\x98",
                         "\xFF", "\xC0\xAF", "\xED\xA0\x80", "\x80\x80\x80\x80\x80"};
    std::vector<size_t> positions = {0, 1, base.size() - 1};
    for (size_t boundary = 1; boundary <= 3; ++boundary)
        for (size_t d = 0; d < 9; ++d)
            positions.push_back(boundary * Vectorizer::kPieceBytes + d - 4);
    odd::Rng rng{99};
    for (int i = 0; i < 20; ++i)
        positions.push_back(rng.below(base.size()));
    size_t checked = 0;
    for (size_t pos : positions)
        for (const std::string &seq : bad) {
            // Insert, or overwrite (which can also cut a valid sequence short).
            for (int overwrite = 0; overwrite < 2; ++overwrite) {
                std::string t = base;
                if (overwrite)
                    t.replace(pos, std::min(seq.size(), t.size() - pos), seq);
                else
                    t.insert(pos, seq);
                // (Overwriting can also make a valid sequence: then neither throws.)
                const std::string expected = error_of([&] { old.transform_one(t, a); });
                ASSERT_EQ(expected, error_of([&] { v.transform_one(t, b, scratch); })) << "position " << pos;
                checked += !expected.empty();
            }
        }
    EXPECT_GT(checked, 400u);
    // The scratch is still clean after all those failures.
    old.transform_one(base, a);
    v.transform_one(base, b, scratch);
    expect_same_row(a, b, 0);
}

// Memory held after an 8 MB message depends on the vocabulary, not the input.
TEST(TransformBounded, MemoryDoesNotGrowWithTheInput) {
    Vectorizer v = Vectorizer::fit(bundled::texts(), FeatureOptions{});
    const size_t nf = v.num_features();
    VectorizerScratch scratch;
    SparseVector row;
    odd::Rng rng{5};
    const std::string big = odd::random_text(rng, 8u << 20);
    v.transform_one(big, row, scratch);
    EXPECT_GT(row.nnz(), 100u);
    const size_t bound = Vectorizer::kPieceBytes * 3 / 2 + 64 + 3 * nf * sizeof(uint32_t);
    EXPECT_LE(scratch.capacity_bytes(), bound);
    EXPECT_LE(row.index.capacity(), nf);
    EXPECT_LE(row.value.capacity(), nf);
    EXPECT_LT(bound, big.size() / 4); // the bound is a real one
}

TEST(TransformBounded, CancelHookIsPolledOnLongInputsOnly) {
    Vectorizer v = Vectorizer::fit(bundled::texts(), FeatureOptions{});
    VectorizerScratch scratch;
    SparseVector row, expected;
    size_t polls = 0;
    scratch.cancelled = [&] {
        ++polls;
        return false;
    };
    v.transform_one("quiero devolver mi pedido", row, scratch);
    EXPECT_EQ(polls, 0u);
    const std::string long_text = odd::repeat("quiero devolver mi pedido ", 1u << 20);
    v.transform_one(long_text, expected, scratch);
    // One poll per started 64 KiB after the first, none after the last piece.
    EXPECT_GE(polls, long_text.size() / Vectorizer::kCancelPollBytes - 1);
    EXPECT_LE(polls, long_text.size() / Vectorizer::kCancelPollBytes);

    // Cancelled on the third poll: Error(Cancelled), and the scratch stays usable.
    polls = 0;
    scratch.cancelled = [&] { return ++polls == 3; };
    try {
        v.transform_one(long_text, row, scratch);
        ADD_FAILURE() << "not cancelled";
    } catch (const Error &e) {
        EXPECT_EQ(e.kind(), ErrorKind::Cancelled);
    }
    EXPECT_EQ(polls, 3u);
    scratch.cancelled = nullptr;
    v.transform_one(long_text, row, scratch);
    expect_same_row(expected, row, 0);
}

// A scratch shared by vectorisers of different sizes (one backend, several
// models) gives each its own exact rows.
TEST(TransformBounded, ScratchSharedAcrossVocabularies) {
    const Strings data = bundled::texts();
    Vectorizer big = Vectorizer::fit(data, FeatureOptions{});
    FeatureOptions small_options;
    small_options.max_features = 30;
    small_options.max_char_features = 40;
    Vectorizer small = Vectorizer::fit(data, small_options);
    legacy::Transformer old_big(big), old_small(small);
    VectorizerScratch scratch;
    SparseVector a, b;
    const Strings texts = odd::texts(11, 50);
    for (size_t i = 0; i < texts.size(); ++i) {
        const Vectorizer &v = i % 2 ? big : small;
        (i % 2 ? old_big : old_small).transform_one(texts[i], a);
        v.transform_one(texts[i], b, scratch);
        expect_same_row(a, b, i);
    }
}
