// The evidence floor (novelty.h): the quantile of the accepted right
// out-of-fold answers' evidence, never below 0, and 0 when there is too
// little to choose it on; and the limit on unknown words.
#include "bundled_data.h"
#include "crc32c.h"
#include "crossval.h"
#include "errors.h"
#include "memory_budget.h"
#include "model.h"
#include "novelty.h"
#include "training.h"
#include "vectorizer.h"

#include <gtest/gtest.h>

#include <cstring>
#include <limits>
#include <string>
#include <vector>

using namespace intent;

TEST(Novelty, NoEvidenceAlwaysLacksEvidence) {
    EXPECT_TRUE(lacks_evidence(0.0f, 0.0f));
    EXPECT_TRUE(lacks_evidence(-0.3f, 0.0f));
    EXPECT_TRUE(lacks_evidence(std::numeric_limits<float>::quiet_NaN(), 0.0f));
    EXPECT_FALSE(lacks_evidence(0.01f, 0.0f));
    EXPECT_TRUE(lacks_evidence(0.5f, 0.5f));
    EXPECT_FALSE(lacks_evidence(0.51f, 0.5f));
}

TEST(Novelty, EvidenceIsTheLargestMovementOfAnyLabel) {
    const float bias[3] = {0.5f, -0.5f, 0.25f};
    const float none[3] = {0.5f, -0.5f, 0.25f};
    EXPECT_EQ(message_evidence(true, none, bias, 3), 0.0f);
    // The served label (the first) moves by 0.1; another label is pushed
    // down by 1.5: the message moves the scores, it is evidence.
    const float pushed[3] = {0.6f, -2.0f, 0.0f};
    EXPECT_FLOAT_EQ(message_evidence(true, pushed, bias, 3), 1.5f);
    // Only the first k labels count (a model's internal out-of-scope column
    // is not evidence of a label).
    EXPECT_FLOAT_EQ(message_evidence(true, pushed, bias, 1), 0.1f);
    const float nan[3] = {0.5f, std::numeric_limits<float>::quiet_NaN(), 0.25f};
    EXPECT_TRUE(lacks_evidence(message_evidence(true, nan, bias, 3), 0.0f));
}

TEST(Novelty, AMessageTheVocabularyDoesNotRecogniseHasNoEvidence) {
    const float bias[3] = {0.5f, -0.5f, 0.25f};
    const float pushed[3] = {0.6f, -2.0f, 0.0f};
    EXPECT_EQ(message_evidence(false, pushed, bias, 3), 0.0f);
    EXPECT_TRUE(lacks_evidence(message_evidence(false, pushed, bias, 3), 0.0f));
}

TEST(Novelty, WordsAndLongerCharGramsRecogniseShortCharGramsDoNot) {
    FeatureOptions o;
    o.char_ngram_min = 2;
    o.char_ngram_max = 5;
    const Vectorizer v = Vectorizer::fit({"quiero devolver el pedido", "donde esta mi paquete"}, o);
    const Recognition r(v);
    auto recognised = [&](const char *text) {
        SparseVector row;
        VectorizerScratch scratch;
        v.transform_one(text, row, scratch);
        return r.recognises(row);
    };
    EXPECT_TRUE(recognised("pedido"));      // a word n-gram
    EXPECT_TRUE(recognised("devolvemos"));  // " dev", "devo", "evol" are pieces of "devolver"
    EXPECT_TRUE(recognised("xq paquetes")); // one recognised word is enough
    EXPECT_FALSE(recognised("qu de"));      // " qu", "qu ", " de", "de ": known, but short
    EXPECT_FALSE(recognised("asdf qwer"));  // no known n-gram of four code points
    EXPECT_FALSE(recognised(""));
    // "ué": a 2-code-point gram of 3 bytes is still short.
    const Vectorizer w = Vectorizer::fit({"qué tal"}, [] {
        FeatureOptions f;
        f.text.fold_accents = false;
        return f;
    }());
    const Recognition rw(w);
    SparseVector row;
    VectorizerScratch scratch;
    w.transform_one("zué", row, scratch);
    EXPECT_GT(row.nnz(), 0u);
    EXPECT_FALSE(rw.recognises(row));
}

TEST(Novelty, FloorIsTheQuantileAndTurnsAtMostThatShareUncertain) {
    std::vector<float> e;
    for (int i = 1; i <= 1000; ++i)
        e.push_back(static_cast<float>(i) / 100.0f); // 0.01 .. 10.00
    const EvidenceFloor f = choose_evidence_floor(e, 0.01, 100);
    EXPECT_TRUE(f.learned);
    EXPECT_EQ(f.rows, 1000u);
    EXPECT_FLOAT_EQ(f.floor, 0.10f); // the 10th smallest: 10 answers at or below it
    size_t below = 0;
    for (float x : e)
        below += lacks_evidence(x, f.floor);
    EXPECT_EQ(below, 10u);
    EXPECT_NE(f.reason.find("0.010 quantile"), std::string::npos) << f.reason;
}

TEST(Novelty, TiesNeverTurnMoreThanTheQuantileUncertain) {
    // 950 answers at 1.0 and 50 at 2.0: a floor of 1.0 would turn 95 %
    // uncertain, so the floor steps down to 0.
    std::vector<float> e(950, 1.0f);
    e.insert(e.end(), 50, 2.0f);
    const EvidenceFloor f = choose_evidence_floor(e, 0.01, 100);
    EXPECT_EQ(f.floor, 0.0f);
    std::vector<float> g(5, 0.2f);
    for (int i = 0; i < 995; ++i)
        g.push_back(3.0f);
    EXPECT_FLOAT_EQ(choose_evidence_floor(g, 0.01, 100).floor, 0.2f); // 5 <= 10 at or below it
}

TEST(Novelty, NeverBelowZeroAndZeroWithoutEnoughRows) {
    std::vector<float> e(1000, -1.0f);
    EXPECT_EQ(choose_evidence_floor(e, 0.01, 100).floor, 0.0f);
    const EvidenceFloor few = choose_evidence_floor(std::vector<float>(99, 5.0f), 0.01, 100);
    EXPECT_FALSE(few.learned);
    EXPECT_EQ(few.floor, 0.0f);
    const EvidenceFloor off = choose_evidence_floor(std::vector<float>(1000, 5.0f), 0.0, 100);
    EXPECT_FALSE(off.learned);
    EXPECT_EQ(off.floor, 0.0f);
    // Non-finite evidence takes no part.
    std::vector<float> nan(1000, std::numeric_limits<float>::quiet_NaN());
    EXPECT_EQ(choose_evidence_floor(nan, 0.01, 100).rows, 0u);
}

// Unknown words (novelty.h): the vectoriser counts a message's words and
// the ones its vocabulary does not hold, on the one pass that builds the row.
TEST(UnknownWords, TheRowCountsWordsAndUnknownWords) {
    FeatureOptions o;
    const Vectorizer v = Vectorizer::fit({"quiero devolver el pedido", "donde esta mi paquete"}, o);
    SparseVector row;
    VectorizerScratch scratch;
    v.transform_one("quiero pizza pizza", row, scratch);
    EXPECT_EQ(scratch.words.words, 3u);
    EXPECT_EQ(scratch.words.unknown, 2u); // each occurrence counts
    v.transform_one("", row, scratch);
    EXPECT_EQ(scratch.words.words, 0u);
    EXPECT_EQ(unknown_word_share(scratch.words.words, scratch.words.unknown), 0.0f);
    v.transform_one("¿dónde está mi paquete?", row, scratch);
    EXPECT_EQ(scratch.words.words, 4u);
    EXPECT_EQ(scratch.words.unknown, 0u);
    // Without word unigram features no message has words: the rule is silent.
    FeatureOptions bigrams;
    bigrams.word_ngram_min = 2;
    const Vectorizer b = Vectorizer::fit({"quiero devolver el pedido"}, bigrams);
    b.transform_one("quiero pizza", row, scratch);
    EXPECT_EQ(scratch.words.words, 0u);
    // A long text streamed in pieces counts the same words.
    std::string long_text;
    for (int i = 0; i < 5000; ++i)
        long_text += i % 2 ? "pedido " : "pizza ";
    v.transform_one(long_text, row, scratch);
    EXPECT_EQ(scratch.words.words, 5000u);
    EXPECT_EQ(scratch.words.unknown, 2500u);
}

TEST(UnknownWords, LimitIsTheQuantileAndTurnsAtMostThatShareUncertain) {
    std::vector<float> s(980, 0.6f);
    for (int i = 0; i < 10; ++i)
        s.push_back(0.75f);
    for (int i = 0; i < 10; ++i)
        s.push_back(0.8f);
    const UnknownWordLimit l = choose_unknown_word_limit(s, 0.01, 100);
    EXPECT_TRUE(l.learned);
    EXPECT_EQ(l.rows, 1000u);
    EXPECT_EQ(l.limit, 0.75f); // the ten at 0.8 are above it: 10 <= 1 % of 1000
    s.push_back(0.8f);         // eleven: the limit rises to them, none is above
    EXPECT_EQ(choose_unknown_word_limit(s, 0.01, 100).limit, 0.8f);
    size_t above = 0;
    const float limit = choose_unknown_word_limit(s, 0.03, 100).limit;
    EXPECT_EQ(limit, 0.6f);
    for (float x : s)
        above += too_many_unknown_words(x, limit);
    EXPECT_LE(above, static_cast<size_t>(0.03 * static_cast<double>(s.size())));
}

// On rows that repeat their words the quantile is 0; the limit stays at one
// half, so a message with a new word among known ones still answers.
TEST(UnknownWords, LimitIsNeverBelowOneHalf) {
    const UnknownWordLimit l = choose_unknown_word_limit(std::vector<float>(1000, 0.0f), 0.01, 100);
    EXPECT_TRUE(l.learned);
    EXPECT_EQ(l.limit, kLeastUnknownWordLimit);
    EXPECT_FALSE(too_many_unknown_words(unknown_word_share(4, 1), l.limit)); // quiero devolver la chaqueta
    EXPECT_FALSE(too_many_unknown_words(unknown_word_share(2, 1), l.limit)); // half: not most
    EXPECT_TRUE(too_many_unknown_words(unknown_word_share(4, 3), l.limit));  // el paquete llegó roto
}

// Where the labels are thin, a message at least half of whose words are
// unknown abstains ("quiero pizza" answered on `pizza` alone with 5 rows per
// label): the floor of one half is stored as the float just below it. A
// limit the quantile sets above the floor, and every limit of labels that
// are not thin, keep their rule.
TEST(UnknownWords, ThinLabelsMakeTheFloorOfOneHalfInclusive) {
    const UnknownWordLimit thin =
        choose_unknown_word_limit(std::vector<float>(1000, 0.0f), 0.01, 100, UnknownWordRule::Global, true);
    EXPECT_TRUE(thin.learned);
    EXPECT_EQ(thin.limit, kHalfInclusiveLimit);
    EXPECT_LT(thin.limit, 0.5f);
    EXPECT_TRUE(too_many_unknown_words(unknown_word_share(2, 1), thin.limit));  // quiero pizza
    EXPECT_FALSE(too_many_unknown_words(unknown_word_share(5, 2), thin.limit)); // 2 of 5: fewer than half
    EXPECT_NE(thin.reason.find("thin labels"), std::string::npos);
    // The quantile at one half: one half is the floor, made inclusive too.
    std::vector<float> at_half(1000, 0.5f);
    EXPECT_EQ(choose_unknown_word_limit(at_half, 0.01, 100, UnknownWordRule::Global, true).limit,
              kHalfInclusiveLimit);
    // Above the floor the quantile's limit stands.
    EXPECT_EQ(
        choose_unknown_word_limit(std::vector<float>(1000, 0.6f), 0.01, 100, UnknownWordRule::Global, true)
            .limit,
        0.6f);
    // The label-word limit likewise; not learned stays 1.
    EXPECT_EQ(
        choose_unknown_word_limit(std::vector<float>(1000, 0.0f), 0.01, 100, UnknownWordRule::Label, true)
            .limit,
        kHalfInclusiveLimit);
    EXPECT_EQ(
        choose_unknown_word_limit(std::vector<float>(99, 0.0f), 0.01, 100, UnknownWordRule::Global, true)
            .limit,
        1.0f);
    // Labels that are not thin: one half, not inclusive.
    const UnknownWordLimit full =
        choose_unknown_word_limit(std::vector<float>(1000, 0.0f), 0.01, 100, UnknownWordRule::Global, false);
    EXPECT_EQ(full.limit, kLeastUnknownWordLimit);
    EXPECT_FALSE(too_many_unknown_words(unknown_word_share(2, 1), full.limit));
    EXPECT_EQ(full.reason.find("thin labels"), std::string::npos);
}

TEST(UnknownWords, OffWithoutEnoughRowsOrQuantileZeroAndOneNeverHolds) {
    const UnknownWordLimit few = choose_unknown_word_limit(std::vector<float>(99, 0.0f), 0.01, 100);
    EXPECT_FALSE(few.learned);
    EXPECT_EQ(few.limit, 1.0f);
    const UnknownWordLimit off = choose_unknown_word_limit(std::vector<float>(1000, 0.0f), 0.0, 100);
    EXPECT_FALSE(off.learned);
    EXPECT_EQ(off.limit, 1.0f);
    EXPECT_FALSE(too_many_unknown_words(1.0f, 1.0f)); // every word unknown, rule off
    EXPECT_TRUE(too_many_unknown_words(0.25f, 0.2f));
    EXPECT_FALSE(too_many_unknown_words(0.2f, 0.2f));
    // Shares outside [0, 1] (NaN) take no part.
    std::vector<float> nan(1000, std::numeric_limits<float>::quiet_NaN());
    EXPECT_EQ(choose_unknown_word_limit(nan, 0.01, 100).rows, 0u);
}

// Out of fold a word is known when a row outside the row's fold holds it:
// the vocabulary, fitted on every row, knows every word of every row.
TEST(UnknownWords, OutOfFoldAWordOnlyTheRowsFoldHoldsIsUnknown) {
    FeatureOptions o;
    o.word_ngram_max = 2;
    o.char_ngrams = false;
    const std::vector<std::string> texts = {"hola pizza", "hola mundo", "pizza mundo", "adios"};
    TrainingSet set;
    set.entries = FeatureMatrix(0, nullptr);
    const Vectorizer v = Vectorizer::fit_transform(texts, o, set.entries, nullptr, nullptr, &set.words);
    ASSERT_EQ(set.words.size(), 4u);
    EXPECT_EQ(set.words[0].words, 2u);
    EXPECT_EQ(set.words[0].unknown, 0u);
    for (size_t j = 0; j < v.num_features(); ++j)
        set.unigram.push_back(v.kinds()[j] == FeatureKind::Word &&
                              v.terms()[j].find(' ') == std::string::npos);
    // "hola pizza" and "pizza mundo" are held out by fold 0, "hola mundo"
    // by fold 1; "adios" is in every fold's training rows.
    const std::vector<int> fold = {0, 1, 0, -1};
    const FoldWords words(set, fold, 2, nullptr);
    SparseVector row;
    EXPECT_FLOAT_EQ(words.unknown_share(0, row), 0.5f); // "pizza": only fold 0 holds it
    EXPECT_FLOAT_EQ(words.unknown_share(1, row), 0.0f); // "hola" and "mundo" are in fold 0
    EXPECT_FLOAT_EQ(words.unknown_share(2, row), 0.5f); // "pizza" again
}

// A format 3 model serves the rule, explains it, and stores its limit; a
// format 3 blob whose evidence section has no limit (written before the
// rule) loads with limit 1 and writes back the same bytes.
TEST(UnknownWords, TheModelServesExplainsAndStoresItsLimit) {
    ModelOptions o;
    o.features.word_ngram_max = 1;
    o.features.char_ngrams = false;
    Vectorizer v = Vectorizer::from_parts(o.features, {"hola", "pedido"},
                                          {FeatureKind::Word, FeatureKind::Word}, {1.0f, 1.0f});
    LinearWeights w;
    w.num_features = 2;
    w.num_classes = 2;
    w.w = {2.0f, -2.0f, -2.0f, 2.0f};
    w.bias = {0.0f, 0.0f};
    const IntentModel m = IntentModel::assemble(o, v, {"greeting", "order"}, w, ScoreCalibrator{}, 0.0f,
                                                {0.0f, 0.0f}, false, 0.0f, 0.5f);
    EXPECT_EQ(m.unknown_word_limit(), 0.5f);
    PredictScratch scratch;
    EXPECT_FALSE(m.predict("mi pedido", 0, scratch).uncertain); // 1 of 2 unknown: at the limit
    EXPECT_TRUE(m.predict("mi pedido no llega", 0, scratch).uncertain);
    EXPECT_FALSE(m.predict("pedido", 0, scratch).uncertain);
    const Explanation e = m.explain("mi pedido no llega", -1, 3, scratch);
    EXPECT_EQ(e.uncertain_reason, UncertainReason::UnknownWords);
    EXPECT_STREQ(uncertain_reason_name(e.uncertain_reason), "unknown_words");
    EXPECT_FLOAT_EQ(e.unknown_word_share, 0.75f);
    EXPECT_EQ(e.unknown_word_limit, 0.5f);

    const std::string bytes = m.serialize();
    const IntentModel back =
        IntentModel::deserialize(reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size());
    EXPECT_EQ(back.unknown_word_limit(), 0.5f);
    EXPECT_EQ(back.serialize(), bytes);
    EXPECT_TRUE(back.predict("mi pedido no llega", 0, scratch).uncertain);

    // The same model as the 0.3.2 line wrote it before these rules: its
    // evidence section (tag 13) is the floor alone, or the floor and the
    // limit. Each loads with the rules it has and writes back its bytes.
    for (const uint64_t payload : {uint64_t{4}, uint64_t{8}}) {
        std::string old = bytes.substr(0, bytes.size() - 4); // without the CRC
        const size_t section = old.size() - (4 + 8 + 9);     // tag, length, floor, limit, support rule (none)
        uint32_t tag = 0;
        uint64_t len = 0;
        std::memcpy(&tag, old.data() + section, 4);
        std::memcpy(&len, old.data() + section + 4, 8);
        ASSERT_EQ(tag, 13u);
        ASSERT_EQ(len, 9u);
        std::memcpy(&old[section + 4], &payload, 8);
        old.resize(old.size() - (9 - payload));
        const uint32_t crc = crc32c(reinterpret_cast<const uint8_t *>(old.data()), old.size());
        old.append(reinterpret_cast<const char *>(&crc), 4);
        const IntentModel before =
            IntentModel::deserialize(reinterpret_cast<const uint8_t *>(old.data()), old.size());
        EXPECT_EQ(before.unknown_word_limit(), payload == 4 ? 1.0f : 0.5f);
        EXPECT_EQ(before.support_floor(), -std::numeric_limits<float>::infinity());
        EXPECT_EQ(before.predict("mi pedido no llega", 0, scratch).uncertain, payload == 8);
        EXPECT_EQ(before.serialize(), old);
    }

    // A limit outside [0, 1] is a corrupt model.
    std::string bad = bytes.substr(0, bytes.size() - 4);
    const float two = 2.0f;
    std::memcpy(&bad[bad.size() - 5], &two, 4); // the limit, before the support rule (u8, none)
    const uint32_t bad_crc = crc32c(reinterpret_cast<const uint8_t *>(bad.data()), bad.size());
    bad.append(reinterpret_cast<const char *>(&bad_crc), 4);
    try {
        IntentModel::deserialize(reinterpret_cast<const uint8_t *>(bad.data()), bad.size());
        ADD_FAILURE() << "a limit of 2 loaded";
    } catch (const Error &err) {
        EXPECT_EQ(err.kind(), ErrorKind::CorruptModel);
    }
}

// Support (novelty.h): the served label's own score less its bias, with a
// floor learned like the evidence floor and never above 0.
TEST(Support, FloorIsTheQuantileNeverAboveZero) {
    std::vector<float> s;
    for (int i = 0; i < 990; ++i)
        s.push_back(1.0f + static_cast<float>(i) / 1000.0f);
    for (int i = 0; i < 10; ++i)
        s.push_back(-0.5f);
    const SupportFloor above = choose_support_floor(s, 0.01, 100);
    EXPECT_TRUE(above.learned);
    EXPECT_EQ(above.floor, 0.0f); // the ten at -0.5 are below it: 10 <= 1 % of 1000
    s.push_back(-0.5f);           // eleven at it: the floor steps below them
    EXPECT_EQ(choose_support_floor(s, 0.01, 100).floor, -std::numeric_limits<float>::infinity());
    s.back() = -0.75f; // ten at -0.5 and one below: the floor is at that one
    EXPECT_EQ(choose_support_floor(s, 0.01, 100).floor, -0.75f);
    // Right answers with plenty of support: the quantile is above 0, the floor is 0,
    // so words that push the label up always count.
    const SupportFloor zero = choose_support_floor(std::vector<float>(1000, 2.0f), 0.01, 100);
    EXPECT_TRUE(zero.learned);
    EXPECT_EQ(zero.floor, 0.0f);
    EXPECT_TRUE(lacks_support(0.0f, zero.floor));
    EXPECT_TRUE(lacks_support(-0.1f, zero.floor));
    EXPECT_FALSE(lacks_support(0.01f, zero.floor));
    EXPECT_TRUE(lacks_support(std::numeric_limits<float>::quiet_NaN(), zero.floor));
}

TEST(Support, OffWithoutEnoughRowsOrQuantileZero) {
    const SupportFloor few = choose_support_floor(std::vector<float>(99, 1.0f), 0.01, 100);
    EXPECT_FALSE(few.learned);
    EXPECT_EQ(few.floor, -std::numeric_limits<float>::infinity());
    EXPECT_FALSE(lacks_support(-1e30f, few.floor));
    EXPECT_FALSE(choose_support_floor(std::vector<float>(1000, 1.0f), 0.0, 100).learned);
    const float scores[3] = {0.5f, 0.25f, -1.0f}, bias[3] = {1.0f, 0.0f, -1.0f};
    EXPECT_FLOAT_EQ(label_support(scores, bias, 0), -0.5f);
    EXPECT_FLOAT_EQ(label_support(scores, bias, 1), 0.25f);
    // Out of fold a recall offset on label 1's score is not the fold bias's: taken off.
    EXPECT_FLOAT_EQ(label_support(scores, bias, 1, 1, 0.25f), 0.0f);
}

// A label the message's words push down is the biases' answer: uncertain,
// no_support, however confident.
TEST(Support, TheModelWithholdsAnAnswerItsWordsArgueAgainst) {
    ModelOptions o;
    o.features.word_ngram_max = 1;
    o.features.char_ngrams = false;
    Vectorizer v = Vectorizer::from_parts(o.features, {"hola", "pedido"},
                                          {FeatureKind::Word, FeatureKind::Word}, {1.0f, 1.0f});
    LinearWeights w;
    w.num_features = 2;
    w.num_classes = 2;
    // "greeting" has the large bias; "hola" pushes both labels down, greeting less.
    w.w = {-1.0f, -3.0f, -2.0f, 2.0f};
    w.bias = {2.0f, -1.0f};
    const IntentModel m = IntentModel::assemble(o, v, {"greeting", "order"}, w, ScoreCalibrator{}, 0.0f,
                                                {0.0f, 0.0f}, false, 0.0f, 1.0f, 0.0f);
    PredictScratch scratch;
    const Prediction p = m.predict("hola", 0, scratch);
    EXPECT_EQ(p.label, 0);
    EXPECT_TRUE(p.uncertain);
    const Explanation e = m.explain("hola", -1, 3, scratch);
    EXPECT_EQ(e.uncertain_reason, UncertainReason::NoSupport);
    EXPECT_STREQ(uncertain_reason_name(e.uncertain_reason), "no_support");
    EXPECT_LT(e.support, 0.0f);
    EXPECT_EQ(e.support_floor, 0.0f);
    EXPECT_FALSE(m.predict("pedido", 0, scratch).uncertain); // order, pushed up by its word
    // The same model without the rule answers.
    const IntentModel off = IntentModel::assemble(o, v, {"greeting", "order"}, w, ScoreCalibrator{}, 0.0f,
                                                  {0.0f, 0.0f}, false, 0.0f);
    EXPECT_FALSE(off.predict("hola", 0, scratch).uncertain);
    const std::string bytes = m.serialize();
    EXPECT_EQ(IntentModel::deserialize(reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size())
                  .support_floor(),
              0.0f);
}

// clinc150_small's train rows trained at the defaults (first) and with
// unknown_word_quantile 0 (second: no word rule), each charged to its budget.
std::pair<TrainedModel, TrainedModel> small_clinc_with_and_without_word_rules(MemoryBudget &on_budget,
                                                                              MemoryBudget &off_budget) {
    std::vector<LabeledText> rows;
    for (const auto &r : bundled::rows("clinc150_small.csv"))
        if (r.split == "train") rows.push_back(LabeledText{r.text, r.intent, 1.0f, false});
    ModelOptions off;
    off.unknown_word_quantile = 0;
    TrainCallbacks cb_on, cb_off;
    cb_on.memory = &on_budget;
    cb_off.memory = &off_budget;
    TrainedModel a = train_model(rows, ModelOptions{}, cb_on);
    TrainedModel b = train_model(rows, off, cb_off);
    return {std::move(a), std::move(b)};
}

// With unknown_word_quantile 0 the rule is off (its limit stays 1, which no
// share exceeds) from the out-of-fold figures to the model, and training
// builds no out-of-fold word counts for it: its peak is no higher.
TEST(UnknownWords, OffFromTheFiguresToTheModel) {
    MemoryBudget on_budget, off_budget;
    const auto [a, b] = small_clinc_with_and_without_word_rules(on_budget, off_budget);
    EXPECT_FALSE(b.report.unknown_words.learned);
    EXPECT_EQ(b.report.unknown_words.uncertain, 0u);
    EXPECT_EQ(b.model.unknown_word_limit(), 1.0f);
    PredictScratch scratch;
    const char *probe = "reservation zzk wvq jjx kkp"; // 4 of 5 words unknown
    EXPECT_EQ(a.model.explain(probe, -1, 3, scratch).uncertain_reason, UncertainReason::UnknownWords);
    EXPECT_NE(b.model.explain(probe, -1, 3, scratch).uncertain_reason, UncertainReason::UnknownWords);
    // The rule only withholds answers: the same labels are served.
    EXPECT_EQ(a.report.summary(a.model).accuracy, b.report.summary(b.model).accuracy);
    EXPECT_LE(off_budget.peak(), on_budget.peak());
}

// Words new to the answered label (novelty.h): out of fold, a word of an
// entry is new to a label when no entry of that label outside the entry's
// fold holds it; the words the vocabulary does not hold are new to every
// label. The label-word limit is learned by the unknown-word limit's rule.
TEST(LabelWords, OutOfFoldAWordNoRowOfTheLabelOutsideTheFoldHoldsIsNew) {
    FeatureOptions o;
    o.word_ngram_max = 2;
    o.char_ngrams = false;
    const std::vector<std::string> texts = {"hola pizza", "hola mundo", "pizza mundo", "adios pizza"};
    TrainingSet set;
    set.entries = FeatureMatrix(0, nullptr);
    const Vectorizer v = Vectorizer::fit_transform(texts, o, set.entries, nullptr, nullptr, &set.words);
    set.unigram = word_unigrams(v);
    set.column = {0, 0, 1, 1}; // labels A (0) and B (1)
    const std::vector<int> fold = {0, 1, 0, -1};
    const FoldWords words(set, fold, 2, nullptr, 2);
    ASSERT_EQ(words.label_words().size(), 2u);
    EXPECT_EQ(words.label_words()[0].size(), 3u); // hola, pizza, mundo
    EXPECT_EQ(words.label_words()[1].size(), 3u); // pizza, mundo, adios
    SparseVector row;
    // "hola pizza" (fold 0): outside fold 0, A holds "hola mundo" only.
    EXPECT_FLOAT_EQ(words.label_unknown_share(0, 0, row), 0.5f);
    // ... and B "adios pizza": "hola" is new to B.
    EXPECT_FLOAT_EQ(words.label_unknown_share(0, 1, row), 0.5f);
    // "adios pizza" is in every fold's rows: against all of B's rows, and A never held "adios".
    EXPECT_FLOAT_EQ(words.label_unknown_share(3, 1, row), 0.0f);
    EXPECT_FLOAT_EQ(words.label_unknown_share(3, 0, row), 0.5f);
    // The global share stays the unknown-word rule's.
    EXPECT_FLOAT_EQ(words.unknown_share(0, row), 0.0f); // "pizza" is in "adios pizza" (every fold)

    // The limit: the same quantile and floor of one half, worded for its rule.
    std::vector<float> shares(200, 0.25f);
    shares[0] = 0.8f;
    shares[1] = 0.7f;
    shares[2] = 0.6f;
    const UnknownWordLimit l = choose_unknown_word_limit(shares, 0.01, 100, UnknownWordRule::Label);
    EXPECT_TRUE(l.learned);
    EXPECT_FLOAT_EQ(l.limit, 0.6f); // 2 of 200 may exceed it
    EXPECT_EQ(l.rows, 200u);
    EXPECT_NE(l.reason.find("label-word limit"), std::string::npos);
    EXPECT_FLOAT_EQ(
        choose_unknown_word_limit(std::vector<float>(200, 0.1f), 0.01, 100, UnknownWordRule::Label).limit,
        0.5f);
    EXPECT_FALSE(choose_unknown_word_limit(shares, 0.01, 201, UnknownWordRule::Label).learned);
}

namespace {

// greeting holds "hola" and "mi", order "pedido" and "mi"; "llega" is a
// word of the vocabulary that no label's rows hold (an out-of-scope row's).
IntentModel label_words_model(LabelWords lw) {
    ModelOptions o;
    o.features.word_ngram_max = 1;
    o.features.char_ngrams = false;
    Vectorizer v =
        Vectorizer::from_parts(o.features, {"hola", "llega", "mi", "pedido"},
                               {FeatureKind::Word, FeatureKind::Word, FeatureKind::Word, FeatureKind::Word},
                               {1.0f, 1.0f, 1.0f, 1.0f});
    LinearWeights w;
    w.num_features = 4;
    w.num_classes = 2;
    w.w = {2.0f, -2.0f, 0.0f, 0.0f, 0.5f, 0.5f, -3.0f, 3.0f};
    w.bias = {0.0f, 0.0f};
    return IntentModel::assemble(o, v, {"greeting", "order"}, w, ScoreCalibrator{}, 0.0f, {0.0f, 0.0f}, false,
                                 0.0f, 0.5f, -std::numeric_limits<float>::infinity(), std::move(lw));
}

} // namespace

// A model whose rule can withhold (limit below 1) is format 5: it serves,
// explains and stores the rule, and loads back to the same bytes. With a
// limit of 1 the model is format 3, byte for byte the model without it.
TEST(LabelWords, TheModelServesExplainsAndStoresItsLabelWords) {
    LabelWords lw;
    lw.limit = 0.4f;
    lw.words = {{0, 2}, {2, 3}}; // greeting: hola, mi; order: mi, pedido
    const IntentModel m = label_words_model(lw);
    EXPECT_EQ(m.format_version(), IntentModel::kLabelWordsFormatVersion);
    PredictScratch scratch;
    // order, with 1 of 3 words unknown (below the unknown-word limit) and 2
    // of 3 new to order ("zzz", "hola"): withheld.
    Prediction p = m.predict("pedido hola zzz", 0, scratch);
    EXPECT_EQ(m.labels()[static_cast<size_t>(p.label)], "order");
    EXPECT_TRUE(p.uncertain);
    const Explanation e = m.explain("pedido hola zzz", -1, 3, scratch);
    EXPECT_EQ(e.uncertain_reason, UncertainReason::UnknownLabelWords);
    EXPECT_STREQ(uncertain_reason_name(e.uncertain_reason), "unknown_label_words");
    EXPECT_TRUE(e.checks_label_words);
    EXPECT_FLOAT_EQ(e.unknown_word_share, 1.0f / 3);
    EXPECT_FLOAT_EQ(e.label_unknown_word_share, 2.0f / 3);
    EXPECT_FLOAT_EQ(e.label_unknown_word_limit, 0.4f);
    // 1 of 3 new to order: answered.
    EXPECT_FALSE(m.predict("mi pedido zzz", 0, scratch).uncertain);
    // Every word known to the model: the rule needs an unknown word, so
    // "hola" and "llega", new to order, withhold nothing.
    EXPECT_FALSE(m.predict("pedido hola llega", 0, scratch).uncertain);

    const std::string bytes = m.serialize();
    const IntentModel back =
        IntentModel::deserialize(reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size());
    EXPECT_EQ(back.format_version(), IntentModel::kLabelWordsFormatVersion);
    EXPECT_EQ(back.label_words().limit, 0.4f);
    EXPECT_EQ(back.label_words().words, lw.words);
    EXPECT_EQ(back.serialize(), bytes);
    EXPECT_TRUE(back.predict("pedido hola zzz", 0, scratch).uncertain);
    EXPECT_GT(back.memory_bytes(), label_words_model(LabelWords{}).memory_bytes());

    // Limit 1 (nothing to withhold): format 3, the same bytes as no rule.
    LabelWords never = lw;
    never.limit = 1;
    const IntentModel three = label_words_model(never);
    EXPECT_EQ(three.format_version(), IntentModel::kFormatVersion);
    EXPECT_EQ(three.serialize(), label_words_model(LabelWords{}).serialize());
    EXPECT_FALSE(three.predict("pedido hola zzz", 0, scratch).uncertain);

    // The label words section (tag 15) is last: a limit of 1, words out of
    // order or a feature that is no word are a corrupt model.
    const size_t body = 4 + 4 + 2 * (4 + 2 * 4);
    const size_t section = bytes.size() - 4 - (4 + 8 + body);
    uint32_t tag = 0;
    std::memcpy(&tag, bytes.data() + section, 4);
    ASSERT_EQ(tag, 15u);
    const auto corrupt_at = [&](size_t at, uint32_t value) {
        std::string bad = bytes.substr(0, bytes.size() - 4);
        std::memcpy(&bad[at], &value, 4);
        const uint32_t crc = crc32c(reinterpret_cast<const uint8_t *>(bad.data()), bad.size());
        bad.append(reinterpret_cast<const char *>(&crc), 4);
        try {
            IntentModel::deserialize(reinterpret_cast<const uint8_t *>(bad.data()), bad.size());
            return false;
        } catch (const Error &err) {
            return err.kind() == ErrorKind::CorruptModel;
        }
    };
    const float one = 1.0f;
    uint32_t one_bits = 0;
    std::memcpy(&one_bits, &one, 4);
    const size_t at = section + 12;
    EXPECT_TRUE(corrupt_at(at, one_bits)); // limit 1
    EXPECT_TRUE(corrupt_at(at + 4, 3));    // three lists for two labels
    EXPECT_TRUE(corrupt_at(at + 12, 2));   // greeting: mi, mi (not ascending)
    EXPECT_TRUE(corrupt_at(at + 16, 4));   // greeting: hola, feature 4 (no such feature)
    EXPECT_FALSE(corrupt_at(at + 12, 1));  // greeting: hola, llega (a word: loads)
}

// From the training rows to the served rule: on clinc150_small the rule is
// learned out of fold and the model is format 5; "the football game
// yesterday was a flight" (flight_status, with most of its words in no
// flight_status row and "football" in no row) abstains. Without the rule
// (unknown_word_quantile 0) the model is format 3 and answers it; the
// rule only withholds answers, so the same labels are served.
TEST(LabelWords, LearnedOutOfFoldFromTheTrainingRows) {
    MemoryBudget on_budget, off_budget;
    const auto [a, b] = small_clinc_with_and_without_word_rules(on_budget, off_budget);
    EXPECT_TRUE(a.report.label_unknown_words.learned);
    EXPECT_GE(a.report.label_unknown_words.rows, ModelOptions{}.min_threshold_rows);
    EXPECT_LT(a.report.label_unknown_words.limit, 1.0f);
    EXPECT_GE(a.report.label_unknown_words.limit, kLeastUnknownWordLimit);
    EXPECT_EQ(a.model.format_version(), IntentModel::kLabelWordsFormatVersion);
    EXPECT_EQ(a.model.label_words().limit, a.report.label_unknown_words.limit);
    EXPECT_EQ(a.model.label_words().words.size(), a.model.labels().size());
    EXPECT_FALSE(b.report.label_unknown_words.learned);
    EXPECT_EQ(b.model.format_version(), IntentModel::kFormatVersion);
    PredictScratch scratch;
    const char *probe = "the football game yesterday was a flight";
    const Explanation e = a.model.explain(probe, -1, 3, scratch);
    EXPECT_EQ(a.model.labels()[static_cast<size_t>(e.predicted_label)], "flight_status");
    EXPECT_EQ(e.uncertain_reason, UncertainReason::UnknownLabelWords);
    EXPECT_FALSE(b.model.predict(probe, 0, scratch).uncertain);
    EXPECT_FALSE(a.model.predict("how many calories are in a pizza", 0, scratch).uncertain);
    EXPECT_EQ(a.report.summary(a.model).accuracy, b.report.summary(b.model).accuracy);
}
