// The abstain thresholds of a format 2 model, chosen on out-of-fold
// predictions, and the evidence rules that decide when not to abstain.
#pragma once

#include "metrics.h"

#include <cstddef>
#include <string>
#include <vector>

namespace intent {

// How the global threshold was chosen, typed: the report words it in the
// reader's language, threshold_reason_code() names it in the stored report
// (threshold.reason_code).
enum class ThresholdReason {
    TooFewPredictions, // fewer than min_threshold_rows: the model never abstains
    TargetReached,     // the lowest confidence reaching target_precision
    BestPrecision,     // no confidence reaches it: the best precision's
    Floor,             // threshold_floor, above the precision rule's threshold
};
const char *threshold_reason_code(ThresholdReason reason);

struct AbstainThresholds {
    float global = 0;                   // accept a prediction when its confidence >= this
    std::vector<float> per_intent;      // global, or threshold_floor for an intent too thin for its own
    std::vector<size_t> thin_intents;   // intents with fewer than min_intent_rows training rows
    ThresholdChoice choice;             // the precision rule's threshold, precision and coverage
    bool floor_binds = false;           // threshold_floor was above the precision rule's threshold
    double precision = 0, coverage = 0; // of the final global threshold, on the rows it governs
    size_t rows = 0;                    // out-of-fold predictions it was chosen on
    bool abstains = false;              // false: the run's evidence was too thin, nothing abstains
    ThresholdReason reason_code = ThresholdReason::TooFewPredictions;
    std::string reason; // the same in English, for the stored report's readers
};

// `confidence`, `predicted` (intent index) and `correct` describe out-of-fold
// predictions, out-of-scope rows included (never correct). `intent_rows`
// counts training rows per intent.
//  - Fewer than `min_threshold_rows` predictions: the run never abstains (a
//    precision cannot be estimated from so few).
//  - Intents with fewer than `min_intent_rows` training rows take
//    `threshold_floor`, not a precision threshold: their out-of-fold
//    predictions came from fold models that saw almost none of their
//    examples, so their confidence says little about the deployed model,
//    which saw them all; the floor does not depend on it. (Before 0.3.2
//    they never abstained: a model of thin intents only answered anything.)
//  - Otherwise the global threshold is the larger of
//      the lowest confidence whose accepted predictions (of the other
//        intents) reach `target_precision` (choose_threshold; its fallback
//        when no threshold reaches it), and
//      `threshold_floor`: the calibrator was fitted on these same out-of-fold
//        scores, so an answer below it is estimated to be right less often
//        than that (at 0.5: more likely wrong than right).
//    The precision rule alone depends on how accurate the run is overall
//    (at 95 % out-of-fold accuracy a 0.95 target accepts everything), and on
//    how much less the fold models saw than the final model; the probability
//    floor does not.
AbstainThresholds choose_abstain_thresholds(const std::vector<float> &confidence,
                                            const std::vector<int> &predicted,
                                            const std::vector<bool> &correct,
                                            const std::vector<size_t> &intent_rows, double target_precision,
                                            double threshold_floor, size_t min_threshold_rows,
                                            size_t min_intent_rows);

// The global threshold lowered, never raised, so that at least
// `min_coverage` of the in-scope out-of-fold answers are accepted (issue 34:
// the confusion threshold withheld 8.6 % of HWU64's in-domain answers, while
// what must abstain is novel text, which the novelty rules catch). The
// confidences given are those of the in-scope answers the global threshold
// alone withholds (every other rule accepts them, their intent is governed
// by the global threshold); `accepted` counts the in-scope answers already
// accepted, `in_scope` all in-scope answers. The new threshold is the
// confidence of the answer that brings coverage to min_coverage (answers
// tied with it are accepted too), or the lowest of them when even all of
// them do not. min_coverage 0 never binds.
struct CoverageCap {
    bool binds = false;                             // the threshold was lowered
    float threshold = 0;                            // the global threshold after the cap
    double coverage_before = 0, coverage_after = 0; // in-scope out-of-fold coverage under every rule
    size_t released = 0;                            // in-scope answers the lowered threshold accepts
    std::string reason;                             // how it was chosen, for the report
};
CoverageCap cap_threshold_for_coverage(std::vector<float> withheld_by_threshold, size_t accepted,
                                       size_t in_scope, float global, double min_coverage);

} // namespace intent
