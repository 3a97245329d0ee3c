// Subword skipgram vectors: determinism, similarity sanity, the empty text,
// the table cap, and rebuilding from parts.
#include "errors.h"
#include "subword_vectors.h"

#include <algorithm>
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

using intent::Error;
using intent::ErrorKind;
using intent::SubwordOptions;
using intent::SubwordVectors;
using intent::TextOptions;

namespace {

const TextOptions kText{true, false};

// Two families of contexts: fruit words share "i ate a ... for lunch",
// vehicle words share "i drove the ... to work". Nothing else.
std::vector<std::string> corpus() {
    const char *fruits[] = {"apple", "banana", "mango", "cherry", "peach"};
    const char *vehicles[] = {"truck", "bicycle", "tractor", "scooter", "van"};
    const char *fruit_ctx[] = {"i ate a {} for lunch", "this {} tastes sweet and fresh",
                               "peel the ripe {} slowly", "a juicy {} from the market"};
    const char *vehicle_ctx[] = {"i drove the {} to work", "park the {} in the garage",
                                 "the {} needs new tyres", "fuel for the {} engine"};
    std::vector<std::string> out;
    for (int rep = 0; rep < 20; ++rep)
        for (int i = 0; i < 5; ++i)
            for (int c = 0; c < 4; ++c) {
                std::string f = fruit_ctx[c], v = vehicle_ctx[c];
                f.replace(f.find("{}"), 2, fruits[(i + rep) % 5]);
                v.replace(v.find("{}"), 2, vehicles[(i + rep) % 5]);
                out.push_back(f);
                out.push_back(v);
            }
    return out;
}

SubwordOptions small() {
    SubwordOptions o;
    o.dim = 16;
    o.epochs = 10;
    o.buckets = 1u << 12;
    o.learning_rate = 0.1;
    o.sample = 0; // a tiny corpus: keep every word
    return o;
}

double cosine(const std::vector<float> &a, const std::vector<float> &b) {
    double ab = 0, aa = 0, bb = 0;
    for (size_t k = 0; k < a.size(); ++k) {
        ab += double(a[k]) * b[k];
        aa += double(a[k]) * a[k];
        bb += double(b[k]) * b[k];
    }
    return ab / std::sqrt(aa * bb);
}

std::vector<float> text_vec(const SubwordVectors &v, const std::string &t) {
    std::vector<float> out(v.dim());
    v.text_vector(t, out.data());
    return out;
}

} // namespace

TEST(SubwordVectors, SameTextsAndSeedGiveTheSameFloats) {
    const auto texts = corpus();
    const SubwordVectors a = SubwordVectors::train(texts, small(), kText);
    const SubwordVectors b = SubwordVectors::train(texts, small(), kText);
    EXPECT_EQ(a.words(), b.words());
    EXPECT_EQ(a.input_table(), b.input_table()); // bit for bit
    SubwordOptions other = small();
    other.seed = 7;
    const SubwordVectors c = SubwordVectors::train(texts, other, kText);
    EXPECT_NE(a.input_table(), c.input_table());
}

// The vectors are a function of the texts, not of the order they come in:
// a server reads texts logged together in no order of theirs.
TEST(SubwordVectors, TheTextsOrderDoesNotMatter) {
    auto texts = corpus();
    const SubwordVectors a = SubwordVectors::train(texts, small(), kText);
    std::reverse(texts.begin(), texts.end());
    std::rotate(texts.begin(), texts.begin() + static_cast<std::ptrdiff_t>(texts.size() / 3), texts.end());
    const SubwordVectors b = SubwordVectors::train(texts, small(), kText);
    EXPECT_EQ(a.words(), b.words());
    EXPECT_EQ(a.input_table(), b.input_table()); // bit for bit
}

TEST(SubwordVectors, WordsInTheSameContextsAreCloser) {
    const SubwordVectors v = SubwordVectors::train(corpus(), small(), kText);
    ASSERT_TRUE(v.trained());
    const auto apple = text_vec(v, "apple"), banana = text_vec(v, "banana"), mango = text_vec(v, "mango");
    const auto truck = text_vec(v, "truck"), tractor = text_vec(v, "tractor");
    EXPECT_GT(cosine(apple, banana), cosine(apple, truck));
    EXPECT_GT(cosine(apple, mango), cosine(apple, tractor));
    EXPECT_GT(cosine(truck, tractor), cosine(truck, banana));
    // A word never seen gets a vector from its n-grams: a typo of a fruit
    // is closer to that fruit than to a vehicle.
    const auto typo = text_vec(v, "bananna");
    EXPECT_GT(cosine(typo, banana), cosine(typo, truck));
}

TEST(SubwordVectors, TextVectorIsUnitOrZero) {
    const SubwordVectors v = SubwordVectors::train(corpus(), small(), kText);
    const auto t = text_vec(v, "I ate a MANGO!");
    double norm = 0;
    for (float x : t)
        norm += double(x) * x;
    EXPECT_NEAR(norm, 1.0, 1e-5);
    // Case and punctuation do not matter (the text is normalised).
    EXPECT_EQ(t, text_vec(v, "i ate a mango"));
    for (const char *empty : {"", "   ", "?!¿¡ ..."})
        for (float x : text_vec(v, empty))
            EXPECT_EQ(x, 0.f) << empty;
}

TEST(SubwordVectors, NoWordsTrainsNothingAndGivesZero) {
    const SubwordVectors v = SubwordVectors::train({"", "!!", " "}, small(), kText);
    EXPECT_FALSE(v.trained());
    EXPECT_EQ(v.table_floats(), 0u);
    for (float x : text_vec(v, "apple"))
        EXPECT_EQ(x, 0.f);
    const SubwordVectors untrained;
    std::vector<float> out(untrained.dim(), 1.f);
    untrained.text_vector("apple", out.data());
    for (float x : out)
        EXPECT_EQ(x, 0.f);
}

TEST(SubwordVectors, TableIsCapped) {
    // Buckets x dim above the cap are refused before anything is allocated.
    SubwordOptions o = small();
    o.dim = 256;
    o.buckets = 1u << 16;
    try {
        SubwordVectors::validate(o);
        FAIL() << "no error";
    } catch (const Error &e) {
        EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
        EXPECT_NE(std::string(e.what()).find("cap"), std::string::npos) << e.what();
    }
    // Words are cut to the most frequent that fit: with buckets filling
    // the cap but for a few rows, only that many words are kept.
    o.dim = 16;
    o.buckets = static_cast<uint32_t>(SubwordVectors::kMaxTableFloats / 16 - 10); // room for 5 words
    o.epochs = 1;
    const SubwordVectors v = SubwordVectors::train(corpus(), o, kText);
    EXPECT_EQ(v.words().size(), 5u);
    EXPECT_LE(v.table_floats() + v.words().size() * v.dim(), SubwordVectors::kMaxTableFloats);
    EXPECT_EQ(v.words()[0], "the"); // the most frequent word of the corpus
}

TEST(SubwordVectors, BadOptionsAreRefused) {
    auto refused = [](SubwordOptions o) {
        try {
            SubwordVectors::validate(o);
        } catch (const Error &e) {
            return e.kind() == ErrorKind::InvalidArgument;
        }
        return false;
    };
    SubwordOptions o = small();
    EXPECT_FALSE(refused(o));
    o.dim = 0;
    EXPECT_TRUE(refused(o));
    o = small();
    o.learning_rate = 0;
    EXPECT_TRUE(refused(o));
    o = small();
    o.min_n = 5;
    o.max_n = 4;
    EXPECT_TRUE(refused(o));
    o = small();
    o.epochs = 0;
    EXPECT_TRUE(refused(o));
}

TEST(SubwordVectors, RebuiltFromPartsGivesTheSameVectors) {
    const SubwordVectors v = SubwordVectors::train(corpus(), small(), kText);
    const SubwordVectors w =
        SubwordVectors::from_parts(v.options(), v.text_options(), v.words(), v.input_table());
    EXPECT_EQ(text_vec(v, "peel the ripe cherri"), text_vec(w, "peel the ripe cherri"));
    std::vector<float> short_table = v.input_table();
    short_table.pop_back();
    EXPECT_THROW(SubwordVectors::from_parts(v.options(), v.text_options(), v.words(), short_table), Error);
    std::vector<std::string> twice = v.words();
    twice[1] = twice[0];
    EXPECT_THROW(SubwordVectors::from_parts(v.options(), v.text_options(), twice, v.input_table()), Error);
}

// Texts in several lists train the vectors one list of them all trains, and
// a budget given is charged for what training holds (at least both tables
// and the texts as word ids), all given back; one too small for them stops
// training with Error(ResourceLimit) and holds nothing after.
TEST(SubwordVectors, PartsTrainAsOneListAndAreCharged) {
    const std::vector<std::string> all = corpus();
    const std::vector<std::string> first(all.begin(), all.begin() + 150),
        second(all.begin() + 150, all.end());
    const SubwordVectors v = SubwordVectors::train(all, small(), kText);
    intent::MemoryBudget budget;
    const SubwordVectors w = SubwordVectors::train({&first, &second}, small(), kText, {}, &budget);
    EXPECT_EQ(w.words(), v.words());
    EXPECT_EQ(w.input_table(), v.input_table());
    EXPECT_EQ(budget.used(), 0u);
    size_t words = 0;
    for (const std::string &t : all)
        words += static_cast<size_t>(std::count(t.begin(), t.end(), ' ')) + 1;
    const size_t tables = (2 * v.words().size() + small().buckets) * small().dim * sizeof(float);
    EXPECT_GE(budget.peak(), tables + words * sizeof(int32_t));
    intent::MemoryBudget tight(budget.peak() - 1);
    try {
        SubwordVectors::train({&all}, small(), kText, {}, &tight);
        ADD_FAILURE() << "a budget below the peak held the training";
    } catch (const Error &e) {
        EXPECT_EQ(e.kind(), ErrorKind::ResourceLimit) << e.what();
    }
    EXPECT_EQ(tight.used(), 0u);
}
