// The subword_vectors option's automatic mode ("auto", the default from
// 0.3.2): whether a run learns subword vectors when its options do not say.
//
// The vectors pay where they learn from many more texts than the labelled
// rows and the labels are thin: there they carry what a few rows per label
// cannot (bench/results/2026-11-30-vm-subword-auto.md). Elsewhere they cost
// training time and megabytes per model for little or no gain, so the run
// trains the model the option off trains, the same bytes.
//
// The rule, on counts only (no text is read to decide it):
//  - thin labels: fewer labelled rows than min_intent_rows per label on
//    average (rows < min_intent_rows x labels; min_intent_rows is 10 by
//    default, the rows an intent needs before the abstain rule trusts its
//    out-of-fold scores);
//  - many texts without a label: at least kSubwordAutoUnlabelledRatio (10,
//    an order of magnitude, fixed before any scored split was looked at)
//    times the labelled rows, counted as the option reads them (within its
//    unlabelled_rows and unlabelled_bytes bounds).
// Both hold: on, with subword_auto_settings(). Otherwise off. A caller that
// gives no texts without a label (a partitioned classifier's runs, whose
// every tenant would carry megabytes of vectors; the CLI without
// --unlabelled-data) never turns it on.
#pragma once

#include "subword_vectors.h"

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_set>

namespace intent {

constexpr size_t kSubwordAutoUnlabelledRatio = 10;

// The vectors' settings when the automatic mode turns them on: twice the
// option's dimensions and epochs, the settings measured for the few-shot
// case (bench/results/2026-11-29-vm-subword-choice.md: CLINC150 5-shot
// 0.7744 against 0.7609 at dim 16 / 5 epochs through a server), which only
// runs with many texts without a label reach.
SubwordOptions subword_auto_settings();

enum class SubwordAutoReason {
    LabelsNotThin,            // at least min_intent_rows rows per label: off
    TextsNotGiven,            // no texts without a label given to the run: off
    TooFewUnlabelled,         // fewer than the ratio times the labelled rows: off
    ManyUnlabelledThinLabels, // on
};
const char *subword_auto_reason_code(SubwordAutoReason r);

struct SubwordAutoDecision {
    bool used = false; // the run's option was "auto"
    bool on = false;
    SubwordAutoReason reason = SubwordAutoReason::LabelsNotThin;
    size_t labelled_rows = 0;
    size_t labels = 0;
    size_t unlabelled_texts = 0;
    size_t min_rows_per_label = 0;
    std::string reason_text() const;
};

// Whether the labels are thin: the first half of the rule, which a caller
// checks before it reads (or counts) any text without a label.
bool subword_auto_labels_thin(size_t labelled_rows, size_t labels, size_t min_intent_rows);

// How many distinct labels `rows` hold, label_of(row) giving a row's label:
// the count both halves of the rule take, for whichever rows a caller holds.
template <typename Rows, typename LabelOf> size_t distinct_labels(const Rows &rows, LabelOf label_of) {
    std::unordered_set<std::string_view> labels;
    for (const auto &r : rows)
        labels.insert(label_of(r));
    return labels.size();
}

// The rule. `unlabelled_given` false: the caller read none (not thin, or a
// run that never reads them).
SubwordAutoDecision decide_subword_auto(size_t labelled_rows, size_t labels, bool unlabelled_given,
                                        size_t unlabelled_texts, size_t min_intent_rows);

} // namespace intent
