// TF-IDF vectoriser: hand-computed values, n-gram enumeration, vocabulary
// selection, option validation, from_parts round trip and rejection.
#include "errors.h"
#include "vectorizer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>
#include <vector>

using intent::Error;
using intent::ErrorKind;
using intent::FeatureKind;
using intent::FeatureOptions;
using intent::SparseVector;
using intent::Vectorizer;
using intent::VectorizerScratch;
using Strings = std::vector<std::string>;

namespace {

// Word unigrams only, no char n-grams, raw tf: the simplest setting to compute by hand.
FeatureOptions words_only() {
    FeatureOptions o;
    o.word_ngram_min = 1;
    o.word_ngram_max = 1;
    o.char_ngrams = false;
    o.sublinear_tf = false;
    return o;
}

// Char n-grams only in effect: the word part is there but we look at Char terms.
Strings char_terms(const Vectorizer &v) {
    Strings out;
    for (size_t i = 0; i < v.num_features(); ++i)
        if (v.kinds()[i] == FeatureKind::Char) out.push_back(v.terms()[i]);
    return out;
}

SparseVector row_of(const Vectorizer &v, const std::string &text) {
    SparseVector row;
    VectorizerScratch scratch;
    v.transform_one(text, row, scratch);
    return row;
}

// Expects `e` to carry `kind` and mention `needle` in its message.
template <class Fn> void expect_error(Fn fn, ErrorKind kind, const std::string &needle) {
    try {
        fn();
        ADD_FAILURE() << "no error thrown, expected one mentioning " << needle;
    } catch (const Error &e) {
        EXPECT_EQ(e.kind(), kind) << e.what();
        EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
}

const Strings kCorpus = {"red apple", "red red car", "blue car"};

} // namespace

// Corpus: d0 = "red apple", d1 = "red red car", d2 = "blue car"; n = 3.
// Document frequencies: apple 1, blue 1, car 2, red 2.
// Smooth idf = ln((1 + n) / (1 + df)) + 1:
//   df 1: ln(4/2) + 1 = 1.6931472    df 2: ln(4/3) + 1 = 1.2876821
TEST(TfIdf, SmoothIdfByHand) {
    Vectorizer v = Vectorizer::fit(kCorpus, words_only());
    ASSERT_EQ(v.terms(), (Strings{"apple", "blue", "car", "red"}));
    EXPECT_NEAR(v.idf()[0], 1.6931472, 1e-6);
    EXPECT_NEAR(v.idf()[1], 1.6931472, 1e-6);
    EXPECT_NEAR(v.idf()[2], 1.2876821, 1e-6);
    EXPECT_NEAR(v.idf()[3], 1.2876821, 1e-6);

    // d0: apple 1.6931472, red 1.2876821; norm = sqrt(1.6931472^2 + 1.2876821^2) = 2.1271681
    //   -> apple 0.7959605, red 0.6053485
    SparseVector r0 = row_of(v, "red apple");
    ASSERT_EQ(r0.index, (std::vector<uint32_t>{0, 3}));
    EXPECT_NEAR(r0.value[0], 0.7959605, 1e-6);
    EXPECT_NEAR(r0.value[1], 0.6053485, 1e-6);

    // d1 raw tf: red 2 * 1.2876821, car 1 * 1.2876821 -> both share the idf,
    //   so the row is (1, 2) / sqrt(5): car 0.4472136, red 0.8944272
    SparseVector r1 = row_of(v, "red red car");
    ASSERT_EQ(r1.index, (std::vector<uint32_t>{2, 3}));
    EXPECT_NEAR(r1.value[0], 0.4472136, 1e-6);
    EXPECT_NEAR(r1.value[1], 0.8944272, 1e-6);
}

// Plain idf = ln(n / df) + 1: df 1: ln 3 + 1 = 2.0986123, df 2: ln 1.5 + 1 = 1.4054651.
TEST(TfIdf, PlainIdfByHand) {
    FeatureOptions o = words_only();
    o.smooth_idf = false;
    Vectorizer v = Vectorizer::fit(kCorpus, o);
    EXPECT_NEAR(v.idf()[0], 2.0986123, 1e-6);
    EXPECT_NEAR(v.idf()[2], 1.4054651, 1e-6);

    // d0: apple 2.0986123, red 1.4054651; norm 2.5257987 -> 0.8308807, 0.5564505
    SparseVector r0 = row_of(v, "red apple");
    EXPECT_NEAR(r0.value[0], 0.8308807, 1e-6);
    EXPECT_NEAR(r0.value[1], 0.5564505, 1e-6);

    // Without l2: d1 = car 1 * 1.4054651, red 2 * 1.4054651 = 2.8109302
    o.l2_normalize = false;
    Vectorizer raw = Vectorizer::fit(kCorpus, o);
    SparseVector r1 = row_of(raw, "red red car");
    EXPECT_NEAR(r1.value[0], 1.4054651, 1e-6);
    EXPECT_NEAR(r1.value[1], 2.8109302, 1e-6);
}

// Sublinear tf: tf 2 -> 1 + ln 2 = 1.6931472; tf 1 stays 1.
// d1: car 1.2876821, red 1.6931472 * 1.2876821 = 2.1802353;
// norm = 1.2876821 * sqrt(1 + 1.6931472^2) = 1.2876821 * 1.9663994
//   -> car 1 / 1.9663994 = 0.5085423, red 1.6931472 / 1.9663994 = 0.8610370
TEST(TfIdf, SublinearTfByHand) {
    FeatureOptions o = words_only();
    o.sublinear_tf = true;
    Vectorizer v = Vectorizer::fit(kCorpus, o);
    SparseVector r1 = row_of(v, "red red car");
    ASSERT_EQ(r1.index, (std::vector<uint32_t>{2, 3}));
    EXPECT_NEAR(r1.value[0], 0.5085423, 1e-6);
    EXPECT_NEAR(r1.value[1], 0.8610370, 1e-6);

    o.l2_normalize = false;
    SparseVector raw = row_of(Vectorizer::fit(kCorpus, o), "red red car");
    EXPECT_NEAR(raw.value[0], 1.2876821, 1e-6);
    EXPECT_NEAR(raw.value[1], 2.1802353, 1e-6);
}

// min_df 2 keeps car and red; idf still uses n = 3 documents.
TEST(TfIdf, MinDf) {
    FeatureOptions o = words_only();
    o.min_df = 2;
    Vectorizer v = Vectorizer::fit(kCorpus, o);
    EXPECT_EQ(v.terms(), (Strings{"car", "red"}));
    EXPECT_NEAR(v.idf()[0], 1.2876821, 1e-6);
    // "red apple" now has only red: a unit row.
    SparseVector r0 = row_of(v, "red apple");
    ASSERT_EQ(r0.index, (std::vector<uint32_t>{1}));
    EXPECT_FLOAT_EQ(r0.value[0], 1.0f);

    o.min_df = 4; // more than the number of texts: nothing survives
    expect_error([&] { Vectorizer::fit(kCorpus, o); }, ErrorKind::InsufficientData, "no features");
}

// max_features keeps the highest document frequencies; ties go to the smaller bytes.
TEST(TfIdf, MaxFeaturesTieBreaking) {
    FeatureOptions o = words_only();
    o.max_features = 1; // car and red both have df 2: "car" < "red"
    EXPECT_EQ(Vectorizer::fit(kCorpus, o).terms(), Strings{"car"});
    o.max_features = 3; // car, red, then apple beats blue (df 1 each)
    EXPECT_EQ(Vectorizer::fit(kCorpus, o).terms(), (Strings{"apple", "car", "red"}));
    o.max_features = 100;
    EXPECT_EQ(Vectorizer::fit(kCorpus, o).terms().size(), 4u);
}

// Char cap: " a" has df 2; "ab", "ac", "b ", "c " have df 1 and "ab" sorts first.
TEST(TfIdf, MaxCharFeaturesTieBreaking) {
    FeatureOptions o = words_only();
    o.char_ngrams = true;
    o.char_ngram_min = 2;
    o.char_ngram_max = 2;
    o.max_char_features = 2;
    Vectorizer v = Vectorizer::fit({"ab", "ac"}, o);
    EXPECT_EQ(v.terms(), (Strings{"ab", "ac", " a", "ab"}));
    EXPECT_EQ(v.kinds(), (std::vector<FeatureKind>{FeatureKind::Word, FeatureKind::Word, FeatureKind::Char,
                                                   FeatureKind::Char}));
}

// " hola " has 6 code points: 5 bigrams, 4 trigrams, 3 four-grams, 2 five-grams,
// listed here sorted by bytes (space 0x20 sorts first).
TEST(NGrams, CharWbOfOneWord) {
    FeatureOptions o = words_only();
    o.char_ngrams = true;
    Vectorizer v = Vectorizer::fit({"Hola"}, o);
    EXPECT_EQ(char_terms(v), (Strings{" h", " ho", " hol", " hola", "a ", "ho", "hol", "hola", "hola ", "la",
                                      "la ", "ol", "ola", "ola "}));
    EXPECT_EQ(v.terms()[0], "hola"); // the word unigram comes first
}

// n counts code points: " ñu " has 4, so 3 bigrams, 2 trigrams, the whole
// padded word once as its 4-gram, and no 5-gram.
TEST(NGrams, CharWbCountsCodePoints) {
    FeatureOptions o = words_only();
    o.char_ngrams = true;
    o.text.fold_accents = false;
    Vectorizer v = Vectorizer::fit({"ñu"}, o);
    EXPECT_EQ(char_terms(v), (Strings{" ñ", " ñu", " ñu ", "u ", "ñu", "ñu "}));
}

// As in scikit-learn's char_wb, a padded word shorter than char_ngram_min is kept whole.
TEST(NGrams, CharWbShortWordKeptWhole) {
    FeatureOptions o = words_only();
    o.char_ngrams = true;
    o.char_ngram_min = 4;
    o.char_ngram_max = 5;
    Vectorizer v = Vectorizer::fit({"a bc"}, o);
    EXPECT_EQ(char_terms(v), (Strings{" a ", " bc "}));
}

TEST(NGrams, WordOneToThree) {
    FeatureOptions o = words_only();
    o.word_ngram_max = 3;
    Vectorizer v = Vectorizer::fit({"a b c d"}, o);
    EXPECT_EQ(v.terms(), (Strings{"a", "a b", "a b c", "b", "b c", "b c d", "c", "c d", "d"}));
    o.word_ngram_min = 2;
    EXPECT_EQ(Vectorizer::fit({"a b c d"}, o).terms(), (Strings{"a b", "a b c", "b c", "b c d", "c d"}));
}

// Word "ab" and char "ab" are different features (separate hash spaces).
TEST(NGrams, WordAndCharSpacesAreSeparate) {
    FeatureOptions o = words_only();
    o.char_ngrams = true;
    o.char_ngram_min = 2;
    o.char_ngram_max = 2;
    o.l2_normalize = false;
    Vectorizer v = Vectorizer::fit({"ab"}, o);
    ASSERT_EQ(v.terms(), (Strings{"ab", " a", "ab", "b "}));
    SparseVector r = row_of(v, "ab");
    EXPECT_EQ(r.index, (std::vector<uint32_t>{0, 1, 2, 3}));
    // One document: smooth idf = ln(2/2) + 1 = 1 for every term.
    for (float x : r.value)
        EXPECT_FLOAT_EQ(x, 1.0f);
}

TEST(Transform, UnknownAndEmptyTextsGiveEmptyRows) {
    Vectorizer v = Vectorizer::fit(kCorpus, words_only());
    EXPECT_EQ(row_of(v, "green banana").nnz(), 0u);
    EXPECT_EQ(row_of(v, "").nnz(), 0u);
    EXPECT_EQ(row_of(v, "¿? 😀").nnz(), 0u);
    EXPECT_EQ(row_of(Vectorizer(), "red").nnz(), 0u);
}

TEST(Transform, InvalidUtf8Throws) {
    Vectorizer v = Vectorizer::fit(kCorpus, words_only());
    expect_error([&] { row_of(v, "red \xC3"); }, ErrorKind::InvalidText, "invalid UTF-8");
    expect_error(
        [&] {
            Vectorizer::fit({"ok", "bad \xED\xA0\x80"}, words_only());
        },
        ErrorKind::InvalidText, "invalid UTF-8");
}

TEST(Transform, MatrixMatchesRowsAndScratchReuse) {
    FeatureOptions o; // defaults: word 1-3, char 2-5, sublinear, smooth, l2
    Strings texts = {"¿Dónde está mi pedido?", "quiero devolver el pedido", "el envío no llega",
                     "devolver un producto dañado", "¿cuándo llega mi envío 48h?"};
    Vectorizer v = Vectorizer::fit(texts, o);
    intent::SparseMatrix m = v.transform(texts);
    ASSERT_EQ(m.rows(), texts.size());
    EXPECT_EQ(m.cols, v.num_features());
    VectorizerScratch scratch;
    SparseVector row;
    for (size_t r = 0; r < texts.size(); ++r) {
        v.transform_one(texts[r], row, scratch);
        std::vector<uint32_t> cols(m.col.begin() + m.row_ptr[r], m.col.begin() + m.row_ptr[r + 1]);
        std::vector<float> vals(m.val.begin() + m.row_ptr[r], m.val.begin() + m.row_ptr[r + 1]);
        EXPECT_EQ(row.index, cols);
        EXPECT_EQ(row.value, vals);
        double norm = 0;
        for (size_t k = 0; k < row.nnz(); ++k) {
            if (k > 0) EXPECT_LT(row.index[k - 1], row.index[k]);
            norm += double(row.value[k]) * row.value[k];
        }
        EXPECT_NEAR(norm, 1.0, 1e-5);
    }
}

// Same rows in any order give byte-identical vocabularies and idf.
TEST(Determinism, FitIsOrderIndependentAndRepeatable) {
    Strings texts = {"mi pedido no llega", "quiero devolver mi pedido", "¿dónde está el envío?",
                     "pedido 123",         "devolución del pedido",     "el envío llega tarde"};
    FeatureOptions o;
    o.max_features = 7;
    o.max_char_features = 25;
    Vectorizer a = Vectorizer::fit(texts, o);
    Vectorizer b = Vectorizer::fit(texts, o);
    Strings reversed(texts.rbegin(), texts.rend());
    Vectorizer c = Vectorizer::fit(reversed, o);
    EXPECT_EQ(a.terms(), b.terms());
    EXPECT_EQ(a.terms(), c.terms());
    EXPECT_EQ(a.kinds(), c.kinds());
    ASSERT_EQ(a.idf().size(), c.idf().size());
    for (size_t i = 0; i < a.idf().size(); ++i)
        EXPECT_EQ(a.idf()[i], c.idf()[i]);
    EXPECT_EQ(a.num_features(), 32u);
}

TEST(Options, ValidateNamesTheOption) {
    auto bad = [](auto mutate, const std::string &name) {
        FeatureOptions o;
        mutate(o);
        expect_error([&] { o.validate(); }, ErrorKind::InvalidArgument,
                     "invalid value for option \"" + name + "\"");
    };
    EXPECT_NO_THROW(FeatureOptions{}.validate());
    bad([](FeatureOptions &o) { o.word_ngram_min = 0; }, "word_ngram_min");
    bad([](FeatureOptions &o) { o.word_ngram_max = 9; }, "word_ngram_max");
    bad([](FeatureOptions &o) { o.word_ngram_min = 3, o.word_ngram_max = 2; }, "word_ngram_max");
    bad([](FeatureOptions &o) { o.char_ngram_min = 0; }, "char_ngram_min");
    bad([](FeatureOptions &o) { o.char_ngram_max = 11; }, "char_ngram_max");
    bad([](FeatureOptions &o) { o.char_ngram_min = 6; }, "char_ngram_max");
    bad([](FeatureOptions &o) { o.min_df = 0; }, "min_df");
    bad([](FeatureOptions &o) { o.max_features = 0; }, "max_features");
    bad([](FeatureOptions &o) { o.max_char_features = 10000001; }, "max_char_features");
    FeatureOptions edge;
    edge.word_ngram_min = edge.word_ngram_max = 8;
    edge.char_ngram_min = edge.char_ngram_max = 10;
    edge.max_features = edge.max_char_features = 10000000;
    EXPECT_NO_THROW(edge.validate());
    // fit validates too.
    FeatureOptions o;
    o.word_ngram_max = 0;
    expect_error([&] { Vectorizer::fit(kCorpus, o); }, ErrorKind::InvalidArgument, "word_ngram_max");
    expect_error([] { Vectorizer::fit({}, FeatureOptions{}); }, ErrorKind::InsufficientData, "no texts");
}

TEST(FromParts, RoundTripGivesIdenticalRows) {
    Strings texts = {"¿Dónde está mi pedido #123?", "quiero devolver el pedido", "el envío no llega",
                     "Where is my order?", "I want a refund for order 123"};
    FeatureOptions o;
    Vectorizer v = Vectorizer::fit(texts, o);
    Vectorizer w = Vectorizer::from_parts(v.options(), v.terms(), v.kinds(), v.idf());
    EXPECT_EQ(w.terms(), v.terms());
    Strings probes = texts;
    probes.push_back("pedido devuelto, refund please");
    for (const std::string &t : probes) {
        SparseVector a = row_of(v, t), b = row_of(w, t);
        EXPECT_EQ(a.index, b.index) << t;
        EXPECT_EQ(a.value, b.value) << t;
        EXPECT_GT(a.nnz(), 0u);
    }
}

TEST(FromParts, RejectsCorruptVocabularies) {
    using K = FeatureKind;
    const FeatureOptions o;
    auto corrupt = [&](Strings terms, std::vector<K> kinds, std::vector<float> idf,
                       const std::string &needle) {
        expect_error([&] { Vectorizer::from_parts(o, terms, kinds, idf); }, ErrorKind::CorruptModel, needle);
    };
    corrupt({"a", "a"}, {K::Word, K::Word}, {1, 1}, "duplicate term");
    corrupt({"a", "b"}, {K::Word}, {1, 1}, "sizes disagree");
    corrupt({"a", "b"}, {K::Word, K::Word}, {1}, "sizes disagree");
    corrupt({"a"}, {K::Word}, {std::numeric_limits<float>::quiet_NaN()}, "idf");
    corrupt({"a"}, {K::Word}, {std::numeric_limits<float>::infinity()}, "idf");
    corrupt({"a"}, {K::Word}, {-1.0f}, "idf");
    corrupt({"a"}, {static_cast<K>(7)}, {1}, "kind");
    corrupt({""}, {K::Word}, {1}, "invalid term");
    corrupt({"\xC3"}, {K::Char}, {1}, "invalid term");
    FeatureOptions bad;
    bad.char_ngram_max = 0;
    expect_error([&] { Vectorizer::from_parts(bad, {"a"}, {K::Word}, {1}); }, ErrorKind::CorruptModel,
                 "invalid feature options");
    // The same bytes as a word and as a char n-gram are not duplicates.
    EXPECT_EQ(Vectorizer::from_parts(o, {"ab", "ab"}, {K::Word, K::Char}, {1, 1}).num_features(), 2u);
    EXPECT_EQ(Vectorizer::from_parts(o, {}, {}, {}).num_features(), 0u);
}

// A long, repetitive message puts many indices into few sort buckets (the
// case that used to be quadratic): its row must equal the row of the same
// counts computed from a short text, scaled, since tf-idf with raw tf and L2
// normalisation depends only on count ratios.
TEST(TfIdf, LongRepetitiveTextMatchesShortText) {
    FeatureOptions o;
    o.sublinear_tf = false;
    Vectorizer v = Vectorizer::fit({"devolver mi pedido", "donde esta mi pedido", "hola"}, o);
    std::string shorter = "devolver mi pedido donde esta";
    std::string longer;
    for (int i = 0; i < 5000; ++i)
        longer += shorter + " ";
    VectorizerScratch scratch;
    SparseVector a, b;
    v.transform_one(shorter, a, scratch);
    v.transform_one(longer, b, scratch);
    // The long text also has n-grams spanning the repetition boundary
    // ("esta devolver"), so compare only the features both rows share.
    ASSERT_GT(b.nnz(), 0u);
    for (size_t i = 1; i < b.nnz(); ++i)
        ASSERT_LT(b.index[i - 1], b.index[i]) << "indices must be strictly sorted";
    size_t shared = 0;
    for (size_t i = 0; i < a.nnz(); ++i)
        for (size_t j = 0; j < b.nnz(); ++j)
            if (a.index[i] == b.index[j]) ++shared;
    EXPECT_EQ(shared, a.nnz()) << "every feature of the short text appears in the long one";
}

namespace {

// Expects fit_transform(texts, o) to give exactly fit(texts, o) and its
// transform(texts): same terms, kinds and idf bits, same row indices and
// bit-identical values.
void expect_fit_transform_matches(const Strings &texts, const FeatureOptions &o) {
    Vectorizer a = Vectorizer::fit(texts, o);
    intent::SparseMatrix ma = a.transform(texts);
    intent::SparseMatrix mb;
    mb.cols = 12345; // overwritten
    mb.col = {7};
    Vectorizer b = Vectorizer::fit_transform(texts, o, mb);
    ASSERT_EQ(a.terms(), b.terms());
    ASSERT_EQ(a.kinds(), b.kinds());
    ASSERT_EQ(a.idf().size(), b.idf().size());
    for (size_t i = 0; i < a.idf().size(); ++i)
        ASSERT_EQ(a.idf()[i], b.idf()[i]) << "idf of term " << i;
    ASSERT_EQ(mb.cols, a.num_features());
    ASSERT_EQ(ma.row_ptr, mb.row_ptr);
    ASSERT_EQ(ma.col, mb.col);
    ASSERT_EQ(ma.val.size(), mb.val.size());
    for (size_t k = 0; k < ma.val.size(); ++k) // exact float equality, not NEAR
        ASSERT_EQ(ma.val[k], mb.val[k]) << "value " << k;
    // The fitted vectoriser from fit_transform must also transform new text alike.
    EXPECT_EQ(row_of(a, "red car pedido").index, row_of(b, "red car pedido").index);
    EXPECT_EQ(row_of(a, "red car pedido").value, row_of(b, "red car pedido").value);
}

// The "text" field of every row of a split,text,intent CSV (RFC 4180: quoted
// fields, doubled quotes, CRLF or LF), header skipped.
Strings csv_texts(const std::string &path, size_t limit) {
    std::ifstream in(path, std::ios::binary);
    std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    Strings texts;
    std::string field;
    size_t column = 0, line = 0;
    bool quoted = false;
    for (size_t i = 0; i < data.size() && texts.size() < limit; ++i) {
        const char c = data[i];
        if (quoted) {
            if (c != '"')
                field += c;
            else if (i + 1 < data.size() && data[i + 1] == '"')
                field += data[++i];
            else
                quoted = false;
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',' || c == '\n') {
            if (column == 1 && line > 0) texts.push_back(field);
            field.clear();
            ++column;
            if (c == '\n') {
                column = 0;
                ++line;
            }
        } else if (c != '\r') {
            field += c;
        }
    }
    return texts;
}

} // namespace

// Hand corpus: fit_transform gives the hand-computed SmoothIdfByHand rows
// (d0: apple 0.7959605, red 0.6053485; d1: car 0.4472136, red 0.8944272;
// d2 = "blue car": blue 1.6931472, car 1.2876821, norm 2.1271681 ->
// 0.7959605, 0.6053485) and exactly what fit + transform give.
TEST(FitTransform, HandCorpusByHand) {
    intent::SparseMatrix m;
    Vectorizer v = Vectorizer::fit_transform(kCorpus, words_only(), m);
    ASSERT_EQ(v.terms(), (Strings{"apple", "blue", "car", "red"}));
    EXPECT_NEAR(v.idf()[0], 1.6931472, 1e-6);
    EXPECT_NEAR(v.idf()[2], 1.2876821, 1e-6);
    ASSERT_EQ(m.rows(), 3u);
    EXPECT_EQ(m.cols, 4u);
    EXPECT_EQ(m.row_ptr, (std::vector<size_t>{0, 2, 4, 6}));
    EXPECT_EQ(m.col, (std::vector<uint32_t>{0, 3, 2, 3, 1, 2}));
    const double want[] = {0.7959605, 0.6053485, 0.4472136, 0.8944272, 0.7959605, 0.6053485};
    for (size_t k = 0; k < 6; ++k)
        EXPECT_NEAR(m.val[k], want[k], 1e-6) << k;
    expect_fit_transform_matches(kCorpus, words_only());
}

// Option grid: char n-grams on/off, min_df > 1, caps that cut through ties,
// sublinear and l2 on/off, plain idf, empty and unknown-only texts.
TEST(FitTransform, MatchesFitThenTransformAcrossOptions) {
    const Strings texts = {"¿Dónde está mi pedido?",
                           "quiero devolver el pedido",
                           "el envío no llega",
                           "devolver un producto dañado",
                           "¿cuándo llega mi envío 48h?",
                           "",
                           "!!! ???",
                           "pedido pedido pedido pedido",
                           "red red car",
                           "a",
                           "envío envío llega",
                           "ÑANDÚ Ñandú ñandu"};
    for (bool chars : {false, true})
        for (bool sublinear : {false, true})
            for (int min_df : {1, 2})
                for (int cap : {1, 3, 10000}) {
                    FeatureOptions o;
                    o.char_ngrams = chars;
                    o.sublinear_tf = sublinear;
                    o.min_df = min_df;
                    o.max_features = cap;
                    o.max_char_features = cap == 1 ? 2 : cap * 5;
                    SCOPED_TRACE("chars " + std::to_string(chars) + " sublinear " +
                                 std::to_string(sublinear) + " min_df " + std::to_string(min_df) + " cap " +
                                 std::to_string(cap));
                    expect_fit_transform_matches(texts, o);
                }
    FeatureOptions o;
    o.smooth_idf = false;
    o.l2_normalize = false;
    o.word_ngram_min = 2;
    o.char_ngram_min = 3;
    o.char_ngram_max = 3;
    o.text.fold_accents = false;
    expect_fit_transform_matches(texts, o);
}

// A few hundred real Spanish support messages with the default options and
// with tight caps.
TEST(FitTransform, MatchesFitThenTransformOnEcommerceData) {
    const Strings texts = csv_texts(INTENT_SOURCE_DIR "/data/ecommerce_es.csv", 400);
    ASSERT_GE(texts.size(), 300u);
    EXPECT_EQ(texts[0], "quiero devolver un producto");
    expect_fit_transform_matches(texts, FeatureOptions{});
    FeatureOptions o;
    o.max_features = 50;
    o.max_char_features = 200;
    o.min_df = 2;
    expect_fit_transform_matches(texts, o);
}

// Errors are those of fit: no texts, nothing surviving min_df, invalid UTF-8.
TEST(FitTransform, ErrorsLikeFit) {
    intent::SparseMatrix m;
    expect_error([&] { Vectorizer::fit_transform({}, FeatureOptions{}, m); }, ErrorKind::InsufficientData,
                 "no texts");
    FeatureOptions o = words_only();
    o.min_df = 4;
    expect_error([&] { Vectorizer::fit_transform(kCorpus, o, m); }, ErrorKind::InsufficientData,
                 "no features");
    expect_error(
        [&] {
            Vectorizer::fit_transform({"ok", "bad \xED\xA0\x80"}, words_only(), m);
        },
        ErrorKind::InvalidText, "invalid UTF-8");
}

// Loading a vocabulary of many terms polls for cancel while it validates and
// indexes them (a 20-million-term model took seconds to index, deaf to
// statement_timeout).
TEST(Vectorizer, FromPartsPollsForCancel) {
    const size_t n = 200000;
    Strings terms(n);
    for (size_t i = 0; i < n; ++i)
        terms[i] = "t" + std::to_string(i);
    std::vector<FeatureKind> kinds(n, FeatureKind::Word);
    std::vector<float> idf(n, 1.0f);
    size_t polls = 0;
    try {
        Vectorizer::from_parts(words_only(), terms, kinds, idf, [&] { return ++polls == 4; });
        FAIL() << "no cancel";
    } catch (const Error &e) {
        EXPECT_EQ(e.kind(), ErrorKind::Cancelled);
    }
    EXPECT_EQ(polls, 4u); // 3 while validating the 200,000 terms, the 4th while indexing them
    const Vectorizer v = Vectorizer::from_parts(words_only(), terms, kinds, idf, [] { return false; });
    EXPECT_EQ(v.num_features(), n);
}
