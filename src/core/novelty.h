// Novelty: when a message carries too little evidence of its own for the
// label it would get, the answer is uncertain, however confident the
// calibrated probability is (format 3 models).
//
// The probability of a linear one-vs-rest model compares the labels'
// decision scores with each other. A message without known words scores
// every label by its bias alone, and on imbalanced data the majority
// label's bias wins by a wide margin: 0.3.1's router answered the empty
// message with 0.98. A message's evidence is how far its own features move
// the labels' scores: the largest |score - bias| over the labels. It is 0
// without a known feature, whatever the biases, and small for gibberish
// that shares only a few character n-grams with the training rows.
//
// Not the served label's own score minus its bias: on a router where one
// label is 81 % of the rows (smalltalk, the README's router data), that
// label is what the others are not, and the words of a right smalltalk
// answer push the other labels down rather than it up (evidence <= 0 for
// 12.6 % of the right out-of-fold answers). Measured with the same models,
// the largest movement caught 11 of 12 gibberish probes on MTOD es at the
// 1 % quantile, against 7 for the served label's own evidence.
//
// A message the vocabulary does not recognise has no evidence at all: none
// of its words is a word n-gram of the model, and none of its character
// n-grams of kRecognisingCharGram code points or more (the padding spaces
// of char_wb counted) is a char n-gram of the model. Its shorter char
// n-grams ("as", " qw", "df ") are shared by gibberish and words alike, so
// they can move a label's score past the floor for text of no language;
// a longer one is a piece of a known word ("aburr" of "aburrido" recognises
// "nos aburrimos"). Recognition reads the vocabulary only, so the rule
// needs no new field in the model.
//
// Support: on imbalanced data a message whose words argue against every
// label can still move some label's score past the floor, and is then
// answered by the biases (MTOD es, weather/find 34 % of the rows: "quiero
// pizza" and nine other off-domain probes got weather/find at 0.82-0.98,
// each with its own score below its bias). The served label's *support* is
// how far the message's features move that label's own score (score -
// bias). An answer whose support is at or below the support floor is
// uncertain. The floor is learned as the evidence floor is, at
// evidence_quantile over the accepted right out-of-fold answers, and never
// above 0: words that push the served label up always count as support,
// and where the right answers of a majority label often have none (a
// router whose smalltalk is what the other labels are not) the floor goes
// below 0 with them.
//
// Unknown words: off-domain text is often made of a few words the model
// knows among many it does not ("mi pedido no ha llegado" to a weather
// router knows "mi", "no", "ha"), and the known ones move the scores past
// the floor. A message whose share of unknown words (its word unigram
// occurrences the vocabulary does not hold) is above the model's limit is
// uncertain. The limit is learned out of fold, as the floor is: the
// (1 - unknown_word_quantile) quantile of the shares of the right answers
// the other rules accept. Out of fold a word is known when a row outside
// the row's fold holds it: the vectoriser is fitted on every row, so its
// vocabulary alone would know every word of a held-out row (FoldWords).
// The limit is never below one half (kLeastUnknownWordLimit): a message
// is off-domain on its words only when most of them are unknown. Below
// that, a new word is how an open vocabulary grows ("quiero devolver la
// chaqueta" to a shop whose rows never named a jacket); on rows that
// repeat their words (templated, or a shop's first weeks) the quantile
// alone is 0 and would withhold every such message.
// Where the labels are thin (fewer training rows than min_intent_rows per
// label on average, subword_auto_labels_thin()), a message at least half of
// whose words are unknown is uncertain: when the limit is at its floor (the
// quantile at or below one half), it is kHalfInclusiveLimit, the float just
// below one half, so the rule itself stays `share > limit` (the label-word
// limit likewise). With a few rows per label, a message of one known
// word beside an unknown one ("quiero pizza": `pizza` in a food label's
// rows) is answered on that one word, seen in a handful of rows, at high
// confidence; with more rows a label's vocabulary and calibration rest on
// more than that, and an entity beside the label's own word ("define
// flabbergasted", "call alex") is the common in-domain case at exactly one
// half (1.1 to 1.4 points of HWU64's coverage when made inclusive there).
// A model keeps its limit: one trained before stores 0.5 and keeps its rule.
// Measured in bench/results/2026-11-30-vm-probes-evidence.md.
// Without word unigram features (word_ngram_min above 1) no message has
// words and the rule is silent.
//
// Words new to the answered label (format 5): off-domain text often shares
// most of its words with some label and has one or two the model never saw
// ("la talla no me queda" to CLINC150 answered `no`: 2 of its 5 words in no
// row, 3 in no `no` row). A message with at least one unknown word (its
// share above 0) whose share of words that no training row *of the
// answered label* holds is above the label-word limit is uncertain. The
// limit is learned as the unknown-word limit is, by the same rule
// (choose_unknown_word_limit: the 1 - unknown_word_quantile quantile, never
// below one half), on its own population: the accepted right out-of-fold
// answers holding a word no row outside their fold holds, the share taken
// against the rows of their label outside their fold (FoldWords). A model
// that learns a limit below 1 carries each label's word unigram features
// (LabelWords) and is written as format 5; any other model keeps its
// format and bytes. Measured in bench/results/2026-11-29-vm-novelty-offdomain.md
// (rule LG) and 2026-11-30-vm-offdomain-lg.md.
#pragma once

#include "memory_budget.h"
#include "sparse.h"
#include "vectorizer.h"

#include <algorithm>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

namespace intent {

constexpr size_t kRecognisingCharGram = 4;

// Which features recognise a message: the word n-grams, and the char
// n-grams of at least kRecognisingCharGram code points.
class Recognition {
  public:
    Recognition() = default;
    explicit Recognition(const Vectorizer &vectorizer);
    // Whether `row` (a TF-IDF row of the vectoriser) holds a recognising feature.
    bool recognises(const SparseVector &row) const {
        for (uint32_t j : row.index)
            if (j < recognising_.size() && recognising_[j]) return true;
        return false;
    }

  private:
    std::vector<bool> recognising_;
};

// How far the message's features move the scores of labels [0, k): the
// largest |scores[c] - bias[c]|, and 0 for a message the vocabulary does not
// recognise (`recognised` false); NaN when a score is NaN. Out of fold, a
// recall offset (label_recall.h) is added to label `shifted`'s score and not
// to the fold model's bias: it is taken off again here, as the served
// model's bias, which carries it, takes it off.
inline float message_evidence(bool recognised, const float *scores, const float *bias, size_t k,
                              int shifted = -1, float offset = 0) {
    float e = 0;
    if (!recognised) return e;
    for (size_t c = 0; c < k; ++c) {
        const float d = scores[c] - bias[c] - (static_cast<int>(c) == shifted ? offset : 0.0f);
        if (d != d) return d; // NaN: no evidence (lacks_evidence)
        e = std::max(e, d < 0 ? -d : d);
    }
    return e;
}

// The one rule, for served models, out-of-fold predictions and the gate's
// candidate alike: evidence at or below the floor (never below 0) is too
// little. NaN evidence is too little.
inline bool lacks_evidence(float evidence, float floor) {
    return !(evidence > floor);
}

// How far the message's features move label `label`'s own score: scores[label]
// - bias[label], less a recall offset out of fold (as message_evidence()).
inline float label_support(const float *scores, const float *bias, size_t label, int shifted = -1,
                           float offset = 0) {
    return scores[label] - bias[label] - (static_cast<int>(label) == shifted ? offset : 0.0f);
}

// Support at or below the floor (never above 0; -infinity when not learned)
// is too little. NaN support is too little.
inline bool lacks_support(float support, float floor) {
    return !(support > floor);
}

struct SupportFloor {
    float floor = -std::numeric_limits<float>::infinity(); // answers at or below it are uncertain
    bool learned = false; // false: the floor is -infinity and the rule never holds
    size_t rows = 0;      // accepted right out-of-fold answers it was chosen on
    size_t uncertain = 0; // in-scope out-of-fold answers it makes uncertain (the report fills it)
    std::string reason;   // how it was chosen, for the report
};

// The support floor from the support of the accepted right out-of-fold
// answers: their `quantile` (so at most about that share of them turns
// uncertain), and never above 0. With fewer than `min_rows` of them, or
// quantile 0, the rule is off (-infinity).
SupportFloor choose_support_floor(std::vector<float> support_of_accepted_right, double quantile,
                                  size_t min_rows);

struct EvidenceFloor {
    float floor = 0;      // messages whose evidence is at or below it are uncertain
    double quantile = 0;  // the option it was chosen with
    size_t rows = 0;      // accepted right out-of-fold answers it was chosen on
    bool learned = false; // false: only messages without evidence abstain
    size_t uncertain = 0; // in-scope out-of-fold answers it makes uncertain (the report fills it)
    std::string reason;   // how it was chosen, for the report
};

// The floor from the evidence of the out-of-fold answers that were right
// and that the confidence thresholds accept: its `quantile` (so about that
// share of them turns uncertain), never below 0. With fewer than
// `min_rows` such answers, or quantile 0, the floor is 0: only a message
// without evidence abstains.
EvidenceFloor choose_evidence_floor(std::vector<float> evidence_of_accepted_right, double quantile,
                                    size_t min_rows);

// The share of a message's words that are unknown, 0 without words: the one
// figure both the limit is learned on and served messages are judged by.
inline float unknown_word_share(uint64_t words, uint64_t unknown) {
    return words == 0 ? 0.0f : static_cast<float>(static_cast<double>(unknown) / static_cast<double>(words));
}

// The one word split of both unknown-word rules, served and out of fold: of
// a message's words (`w`), those the vocabulary does not hold are unknown
// to every rule, and each word unigram feature of its TF-IDF row `row`
// (`is_word(j)`) that `known(j)` does not hold counts once more (the row
// keeps which words it has, not how often: a repeated word counts once).
template <class IsWord, class Known>
float share_of_unknown_words(const MessageWords &w, const SparseVector &row, IsWord is_word, Known known) {
    uint64_t unknown = w.unknown;
    for (uint32_t j : row.index)
        if (is_word(j) && !known(j)) ++unknown;
    return unknown_word_share(w.words, std::min(unknown, w.words));
}

// The one rule: a share above the limit is too many unknown words. A limit
// of 1 (the default, and what formats 1 and 2 and a rule not learned have)
// never holds.
inline bool too_many_unknown_words(float share, float limit) {
    return share > limit;
}

// The label-word rule: only a message with an unknown word (`share` above
// 0), whose share of words new to the answered label (`label_share`) is
// above the limit. A limit of 1 never holds.
inline bool too_many_label_unknown_words(float share, float label_share, float limit) {
    return share > 0 && too_many_unknown_words(label_share, limit);
}

// Which features of `vectorizer` are word unigrams (word features come
// first; a word n-gram of several words holds a space); empty when the
// options have no word unigrams (word_ngram_min above 1).
std::vector<char> word_unigrams(const Vectorizer &vectorizer);

// Each label's word unigram features: the served side of the label-word
// rule (format 5).
struct LabelWords {
    float limit = 1;                          // the label-word limit; 1: no rule
    std::vector<std::vector<uint32_t>> words; // per label, the ascending features its training rows hold
    bool holds(size_t label, uint32_t j) const {
        return label < words.size() && std::binary_search(words[label].begin(), words[label].end(), j);
    }
    // Whether the rule can withhold anything: a limit below 1 and the sets.
    bool active() const { return limit < 1 && !words.empty(); }
};

constexpr float kLeastUnknownWordLimit = 0.5f;
// The float just below one half: the limit of a run whose labels are thin
// when the floor binds, so a share of exactly one half is above it.
constexpr float kHalfInclusiveLimit = 0.5f - 0x1p-25f;
static_assert(kHalfInclusiveLimit < kLeastUnknownWordLimit, "just below one half");

struct UnknownWordLimit {
    float limit = 1;      // messages whose share of unknown words is above it are uncertain
    double quantile = 0;  // the option it was chosen with
    size_t rows = 0;      // accepted right out-of-fold answers with words it was chosen on
    bool learned = false; // false: the limit is 1 and the rule never holds
    size_t uncertain = 0; // in-scope out-of-fold answers it makes uncertain (the report fills it)
    std::string reason;   // how it was chosen, for the report
};

// Which unknown-word rule a limit is for (its report's wording).
enum class UnknownWordRule { Global, Label };

// The smallest limit that at most `quantile` of `shares` (out-of-fold shares
// of accepted right answers with words; for UnknownWordRule::Label, the
// shares of words new to their label of those with an unknown word) exceed,
// and at least kLeastUnknownWordLimit. With fewer than `min_rows` of them,
// or quantile 0, the limit is 1: the rule never holds. With `thin_labels`,
// a limit of one half (the floor) is kHalfInclusiveLimit: at least half of
// the words unknown is too many.
UnknownWordLimit choose_unknown_word_limit(std::vector<float> shares, double quantile, size_t min_rows,
                                           UnknownWordRule rule = UnknownWordRule::Global,
                                           bool thin_labels = false);

struct TrainingSet; // crossval.h

// Out-of-fold unknown words for the entries of a fold split (`fold[e]`, -1
// for an entry in every fold's training rows, as EvaluationPlan and the
// gate's fresh folds give it): a word of entry e is unknown when the
// vocabulary does not hold it, or when only rows of e's own fold do.
// Counts each word unigram of the row once (the row keeps which words it
// has, not how often), which makes a repeated rare word count once.
// Holds one document frequency per word feature and fold, charged to `budget`.
// With `labels` above 0 it also counts, for each label [0, labels) of
// set.column, the entries of that label holding each of the label's words,
// in all and per fold (about 4 x (folds + 2) bytes per label-word pair),
// for the label-word rule.
class FoldWords {
  public:
    FoldWords(const TrainingSet &set, const std::vector<int> &fold, size_t folds, MemoryBudget *budget,
              size_t labels = 0);
    // Entry e's share of unknown words out of its fold (0 for fold -1 or
    // without words). `row` is a buffer.
    float unknown_share(size_t e, SparseVector &row) const;
    // Entry e's share of words no entry of `label` outside e's fold holds
    // (for fold -1: no entry of `label`). Needs `labels` above `label`.
    float label_unknown_share(size_t e, size_t label, SparseVector &row) const;
    // Each label's word unigram features over every entry (LabelWords::words).
    const std::vector<std::vector<uint32_t>> &label_words() const { return label_words_; }
    // The same, moved out, with their bytes (the label-word rule keeps them
    // in the model; this object's counts need them no more).
    std::vector<std::vector<uint32_t>> take_label_words(size_t &bytes);

  private:
    bool is_word(uint32_t j) const;

    const TrainingSet &set_;
    const std::vector<int> &fold_;
    size_t features_ = 0; // word unigram features are among [0, features_)
    size_t folds_ = 0;
    std::vector<uint32_t> df_; // df_[j]: entries holding feature j; then folds x features_ per fold
    std::vector<std::vector<uint32_t>> label_words_; // per label: its words, ascending
    // per label: (folds + 1) counts per word of label_words_: in all, then per fold
    std::vector<std::vector<uint32_t>> label_df_;
    MemoryCharge charge_;
};

} // namespace intent
